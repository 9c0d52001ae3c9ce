"""Telegram's ``MarkdownV2`` and legacy ``Markdown`` parse modes, ported from TDLib.

Error messages keep TDLib's wording (including its internal entity type names such as ``Bold`` or
``TextUrl``) because that is what the Bot API returns after ``can't parse entities:``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.local_api.entities import FormatError, ResolveUser, link_entity, make_entity

_RESERVED = "_*[]()~`>#+-=|{}.!\n"
_CODE_TYPES = ("Code", "Pre", "PreCode")
_BOT_TYPES = {
    "Bold": "bold",
    "Italic": "italic",
    "Underline": "underline",
    "Strikethrough": "strikethrough",
    "Spoiler": "spoiler",
    "Code": "code",
    "Pre": "pre",
    "PreCode": "pre",
    "BlockQuote": "blockquote",
    "ExpandableBlockQuote": "expandable_blockquote",
}
_EMOJI_LINK = re.compile(r"tg://emoji\?id=(\d+)", re.IGNORECASE)
_SPACE = " \t\r\n\v\f"


@dataclass
class _Open:
    kind: str
    argument: str
    utf16_offset: int
    begin: int  # index in the source, reported as a byte offset in errors
    text_index: int


def _reserved_error(ch: str) -> FormatError:
    return FormatError(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")


class _MarkdownV2Parser:
    """One-shot MarkdownV2 parser mirroring TDLib's ``parse_markdown_v2`` step by step."""

    def __init__(self, source: str, resolve_user: ResolveUser) -> None:
        self.src = source
        self.out: list[str] = []
        self.utf16 = 0
        self.entities: list[dict[str, Any]] = []
        self.stack: list[_Open] = []
        self.resolve_user = resolve_user
        self.have_blockquote = False
        self.can_start_blockquote = True

    def char(self, index: int) -> str:
        return self.src[index] if 0 <= index < len(self.src) else ""

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8", "surrogatepass"))

    def emit(self, ch: str) -> None:
        self.out.append(ch)
        self.utf16 += 2 if ord(ch) > 0xFFFF else 1

    def unclosed(self, entry: _Open) -> FormatError:
        return FormatError(
            f"Can't find end of {entry.kind} entity at byte offset {self.byte_offset(entry.begin)}"
        )

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        i = 0
        while i < len(self.src):
            ch = self.src[i]
            nxt = self.char(i + 1)
            if ch == "\\" and nxt and 0 < ord(nxt) <= 126:
                self.emit(nxt)
                if nxt != "\r":
                    self.can_start_blockquote = nxt == "\n"
                i += 2
                continue
            reserved = "`" if self.stack and self.stack[-1].kind in _CODE_TYPES else _RESERVED
            if ch not in reserved:
                self.emit(ch)
                if ch != "\r":
                    self.can_start_blockquote = False
                i += 1
                continue
            i = self.end_entity(i) if self.is_end(i) else self.begin_entity(i)
            i += 1
        self.close_trailing_blockquote()
        if self.stack:
            raise self.unclosed(self.stack[-1])
        return "".join(self.out), self.entities

    def is_end(self, i: int) -> bool:
        if not self.stack:
            return False
        ch, nxt = self.src[i], self.char(i + 1)
        if self.have_blockquote and ch == "\n" and nxt != ">":
            return True
        return {
            "Bold": ch == "*",
            "Italic": ch == "_" and nxt != "_",
            "Code": ch == "`",
            "Pre": ch == "`" and self.src[i + 1 : i + 3] == "``",
            "PreCode": ch == "`" and self.src[i + 1 : i + 3] == "``",
            "TextUrl": ch == "]",
            "Underline": ch == "_" and nxt == "_",
            "Strikethrough": ch == "~",
            "Spoiler": ch == "|" and nxt == "|",
            "CustomEmoji": ch == "]",
        }.get(self.stack[-1].kind, False)

    def begin_entity(self, i: int) -> int:
        """Open the entity starting at ``i``; returns the index of its last marker character."""
        ch, nxt = self.src[i], self.char(i + 1)
        begin, argument = i, ""
        if ch == "_" and nxt == "_":
            kind, i = "Underline", i + 1
        elif ch in "_*~[":
            kind = {"_": "Italic", "*": "Bold", "~": "Strikethrough", "[": "TextUrl"}[ch]
        elif ch == "|" and nxt == "|":
            kind, i = "Spoiler", i + 1
        elif ch == "!" and nxt == "[":
            kind, i = "CustomEmoji", i + 1
        elif ch == "`" and self.src[i + 1 : i + 3] == "``":
            kind, argument, i = self.begin_pre(i + 3)
        elif ch == "`":
            kind = "Code"
        elif ch == "\n":
            self.emit("\n")
            self.can_start_blockquote = True
            return i
        elif ch == ">" and self.can_start_blockquote:
            if self.have_blockquote:
                return i  # continuation line of the open blockquote
            kind, self.have_blockquote = "BlockQuote", True
        else:
            raise _reserved_error(ch)
        self.stack.append(_Open(kind, argument, self.utf16, begin, len(self.out)))
        return i

    def begin_pre(self, i: int) -> tuple[str, str, int]:
        kind, language = "Pre", ""
        end = i
        while self.char(end) not in ("", "`") and self.char(end) not in _SPACE:
            end += 1
        if end != i and end < len(self.src) and self.src[end] != "`":
            kind, language, i = "PreCode", self.src[i:end], end
        if self.char(i) in ("\n", "\r"):  # one leading newline is not part of the code
            pair = self.char(i + 1) in ("\n", "\r") and self.char(i) != self.char(i + 1)
            i += 2 if pair else 1
        return kind, language, i - 1

    def end_entity(self, i: int) -> int:
        """Close the innermost entity at ``i``; returns the index of its last marker character."""
        entry = self.stack[-1]
        kind = entry.kind
        if self.src[i] == "\n" and kind != "BlockQuote":
            spoiler_marker = kind == "Spoiler" and (
                entry.begin == i - 2 or (entry.begin == i - 3 and self.out[-1:] == ["\r"])
            )
            if not spoiler_marker:
                raise self.unclosed(entry)
            self.stack.pop()
            entry = self.stack[-1]
            if entry.kind != "BlockQuote":
                raise self.unclosed(entry)
            kind = "ExpandableBlockQuote"
        skip = self.utf16 == entry.utf16_offset
        entity: dict[str, Any] | None = None
        if kind in ("Underline", "Spoiler"):
            i += 1
        elif kind in ("Pre", "PreCode"):
            i += 2
        elif kind in ("TextUrl", "CustomEmoji"):
            i, entity = self.end_link(i, entry)
            skip = skip or entity is None
        elif kind in ("BlockQuote", "ExpandableBlockQuote"):
            self.have_blockquote = False
            self.emit(self.src[i])
            self.can_start_blockquote = True
            skip = False
        if not skip:
            if entity is None:
                extra = {"language": entry.argument} if kind == "PreCode" else {}
                entity = make_entity(
                    _BOT_TYPES[kind], entry.utf16_offset, self.utf16 - entry.utf16_offset, **extra
                )
            self.entities.append(entity)
        self.stack.pop()
        return i

    def end_link(self, i: int, entry: _Open) -> tuple[int, dict[str, Any] | None]:
        offset, length = entry.utf16_offset, self.utf16 - entry.utf16_offset
        if entry.kind == "TextUrl" and self.char(i + 1) != "(":
            url = "".join(self.out[entry.text_index :])
        elif self.char(i + 1) != "(":
            raise FormatError("Custom emoji entity must contain a tg://emoji URL")
        else:
            i, url = self.read_url(i + 2, entry.kind)
        if entry.kind == "TextUrl":
            return i, link_entity(url, offset, length, self.resolve_user)
        match = _EMOJI_LINK.fullmatch(url)
        if not match or not 0 < int(match.group(1)) < 2**63:
            raise FormatError("Invalid custom emoji identifier specified")
        return i, make_entity("custom_emoji", offset, length, custom_emoji_id=match.group(1))

    def read_url(self, i: int, kind: str) -> tuple[int, str]:
        begin, url = i, []
        while i < len(self.src) and self.src[i] != ")":
            nxt = self.char(i + 1)
            if self.src[i] == "\\" and nxt and 0 < ord(nxt) <= 126:
                url.append(nxt)
                i += 2
            else:
                url.append(self.src[i])
                i += 1
        if self.char(i) != ")":
            what = "a URL" if kind == "TextUrl" else "a custom emoji URL"
            raise FormatError(f"Can't find end of {what} at byte offset {self.byte_offset(begin)}")
        return i, "".join(url)

    def close_trailing_blockquote(self) -> None:
        if not self.have_blockquote:
            return
        kind = "BlockQuote"
        top = self.stack[-1]
        if top.kind == "Spoiler" and top.begin == len(self.src) - 2:
            self.stack.pop()
            kind = "ExpandableBlockQuote"
        entry = self.stack[-1]
        if entry.kind == "BlockQuote":
            self.have_blockquote = False
            if self.utf16 != entry.utf16_offset:
                self.entities.append(
                    make_entity(
                        _BOT_TYPES[kind], entry.utf16_offset, self.utf16 - entry.utf16_offset
                    )
                )
            self.stack.pop()


def parse_markdown_v2(text: str, resolve_user: ResolveUser) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities (UTF-16 offsets) for ``parse_mode=MarkdownV2``."""
    return _MarkdownV2Parser(text, resolve_user).parse()


def parse_markdown(text: str, resolve_user: ResolveUser) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities for the legacy ``parse_mode=Markdown`` (no nesting)."""
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    utf16 = 0
    i, size = 0, len(text)

    def emit(ch: str) -> None:
        nonlocal utf16
        out.append(ch)
        utf16 += 2 if ord(ch) > 0xFFFF else 1

    while i < size:
        ch = text[i]
        if ch == "\\" and text[i + 1 : i + 2] in ("_", "*", "`", "["):
            emit(text[i + 1])
            i += 2
            continue
        if ch not in "_*`[":
            emit(ch)
            i += 1
            continue
        begin = i
        end_char = "]" if ch == "[" else ch
        is_pre = ch == "`" and text[i + 1 : i + 3] == "``"
        language = ""
        i += 3 if is_pre else 1
        if is_pre:
            end = i
            while end < size and text[end] not in _SPACE and text[end] != "`":
                end += 1
            if end != i and end < size and text[end] != "`":
                language, i = text[i:end], end
            if text[i : i + 1] in ("\n", "\r"):
                pair = text[i + 1 : i + 2] in ("\n", "\r") and text[i] != text[i + 1]
                i += 2 if pair else 1
        offset, text_begin = utf16, len(out)
        while i < size and (text[i] != end_char or (is_pre and text[i + 1 : i + 3] != "``")):
            emit(text[i])
            i += 1
        if i == size:
            raise FormatError(
                "Can't find end of the entity starting at byte offset "
                f"{len(text[:begin].encode('utf-8', 'surrogatepass'))}"
            )
        entity = None
        if ch == "[":
            url = "".join(out[text_begin:])
            if text[i + 1 : i + 2] == "(":
                close = text.find(")", i + 2)
                close = size if close < 0 else close
                url, i = text[i + 2 : close], close
            if utf16 > offset:
                entity = link_entity(url, offset, utf16 - offset, resolve_user)
        elif utf16 > offset:
            kind = {"_": "italic", "*": "bold", "`": "pre" if is_pre else "code"}[ch]
            extra = {"language": language} if language else {}
            entity = make_entity(kind, offset, utf16 - offset, **extra)
        if entity is not None:
            entities.append(entity)
        i += 3 if is_pre else 1
    return "".join(out), entities
