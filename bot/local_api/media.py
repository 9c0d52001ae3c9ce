"""Uploaded files: identifiers, image sniffing and the Document / PhotoSize objects.

Telegram re-encodes photos and rejects anything that is not a decodable image, so the double
reads real dimensions from the image header (PNG, JPEG, GIF, WebP) instead of trusting the bot.
"""

from __future__ import annotations

import mimetypes
import secrets
import struct
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from bot.local_api.errors import bad_request

_THUMBNAIL_SIDES = (90, 320, 800)
_MAX_PHOTO_SIDE = 1280


@dataclass(frozen=True)
class StoredFile:
    """A file the bot uploaded, addressable by any of its file_ids."""

    file_id: str
    file_unique_id: str
    kind: str  # "document" or "photo"
    data: bytes
    file_name: str | None
    mime_type: str | None
    file_path: str
    width: int = 0
    height: int = 0


def new_file(
    kind: str, data: bytes, file_name: str | None, content_type: str | None, sequence: int
) -> StoredFile:
    """Register-ready file with fresh Telegram-looking identifiers."""
    prefix = "AgACAgEAAxkDAAI" if kind == "photo" else "BQACAgEAAxkDAAI"
    mime_type = None
    width = height = 0
    if kind == "photo":
        width, height = photo_dimensions(data)
    else:
        guessed = mimetypes.guess_type(file_name or "")[0]
        mime_type = guessed or content_type or "application/octet-stream"
    suffix = ".jpg" if kind == "photo" else PurePosixPath(file_name or "").suffix
    return StoredFile(
        file_id=prefix + secrets.token_urlsafe(24),
        file_unique_id="AQAD" + secrets.token_urlsafe(9),
        kind=kind,
        data=data,
        file_name=file_name if kind == "document" else None,
        mime_type=mime_type,
        file_path=f"{kind}s/file_{sequence}{suffix}",
        width=width,
        height=height,
    )


def document_object(stored: StoredFile) -> dict[str, Any]:
    """The Document object Telegram returns for a sent file."""
    document: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return document


def photo_sizes(stored: StoredFile) -> list[tuple[str, dict[str, Any]]]:
    """(file_id, PhotoSize) pairs, smallest first, like Telegram's generated thumbnails."""
    longest = max(stored.width, stored.height)
    sides = [side for side in _THUMBNAIL_SIDES if side < longest]
    sides.append(min(longest, _MAX_PHOTO_SIDE))
    sizes = []
    for index, side in enumerate(sides):
        is_main = index == len(sides) - 1
        file_id = stored.file_id if is_main else f"{stored.file_id}_{side}"
        scale = side / longest
        sizes.append(
            (
                file_id,
                {
                    "file_id": file_id,
                    "file_unique_id": stored.file_unique_id
                    if is_main
                    else f"{stored.file_unique_id}{side}",
                    "file_size": len(stored.data)
                    if is_main
                    else max(1, len(stored.data) * side // longest),
                    "width": max(1, round(stored.width * scale)),
                    "height": max(1, round(stored.height * scale)),
                },
            )
        )
    return sizes


def photo_dimensions(data: bytes) -> tuple[int, int]:
    """Width and height of an image, with Telegram's errors for undecodable or odd images."""
    size = _png(data) or _jpeg(data) or _gif(data) or _webp(data)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    if (
        width <= 0
        or height <= 0
        or width + height > 10000
        or max(width, height) > 20 * min(width, height)
    ):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return width, height


def _png(data: bytes) -> tuple[int, int] | None:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _gif(data: bytes) -> tuple[int, int] | None:
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 10:
        return None
    width, height = struct.unpack("<HH", data[6:10])
    return width, height


def _jpeg(data: bytes) -> tuple[int, int] | None:
    if data[:2] != b"\xff\xd8":
        return None
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP" or len(data) < 30:
        return None
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None
