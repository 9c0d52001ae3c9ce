"""Raw requests and hand-made payloads for the local Bot API server's tests: the wire format
itself (parameter encodings, JSON error bodies), which python-telegram-bot's `Bot` hides."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import aiohttp
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.local_api import LocalBotApi

USER = 42


async def raw(
    api: LocalBotApi,
    method: str,
    *,
    token: str | None = None,
    http_method: str = "POST",
    **request: Any,
) -> tuple[int, dict[str, Any]]:
    """One raw HTTP call; returns (status, decoded JSON body)."""
    url = f"{api.base_url}{api.token if token is None else token}/{method}"
    async with (
        aiohttp.ClientSession() as session,
        session.request(http_method, url, **request) as response,
    ):
        return response.status, await response.json()


def png(width: int, height: int) -> bytes:
    """A real (tiny, grey) PNG image of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def keyboard(*labels_and_data: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data)] for label, data in labels_and_data]
    )
