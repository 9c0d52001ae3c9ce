"""Telegram's ``parse_mode=HTML``, ported from TDLib's ``parse_html``: what `kb revisar`
checks every article against (knowledge/check.py) and what the local Bot API server parses
messages with (bot/local_api), so neither depends on the other.

The tag grammar, attribute handling, entity construction and error messages follow TDLib so a
message that fails here fails in production with the same description.  One deliberate
difference makes the double stricter than Telegram: an ``&`` in text must start one of the
documented entities (``&lt;``, ``&gt;``, ``&amp;``, ``&quot;``, ``&#NNN;``, ``&#xHH;``) terminated
by ``;``.  Telegram silently keeps such a stray ``&``, but its documentation requires escaping, so
unescaped user data is caught in tests instead of sometimes rendering wrongly.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from bot.telegram_entities import FormatError, ResolveUser, link_entity, make_entity

_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACE = " \t\r\n\v\f"
_NAME_TOKEN = frozenset(string.ascii_letters + string.digits + ".-")


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_index: int


class _HtmlParser:
    """One-shot parser; state lives on the instance to keep each step small."""

    def __init__(self, source: str, resolve_user: ResolveUser) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.entities: list[dict[str, Any]] = []
        self.stack: list[_OpenTag] = []
        self.resolve_user = resolve_user
        self.dropped_links = 0  # links to an address Telegram refuses: shown as plain words

    def char(self, index: int) -> str:
        """Character at ``index`` or "" past the end (TDLib's NUL terminator)."""
        return self.src[index] if index < len(self.src) else ""

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8", "surrogatepass"))

    def is_space(self, index: int) -> bool:
        ch = self.char(index)
        return ch == "" or ch in _SPACE

    def emit(self, ch: str) -> None:
        self.out.append(ch)
        self.utf16 += 2 if ord(ch) > 0xFFFF else 1

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        while self.pos < len(self.src):
            ch = self.src[self.pos]
            if ch == "&":
                self.emit(self.decode_text_entity())
            elif ch == "<":
                self.parse_tag()
            else:
                self.emit(ch)
                self.pos += 1
        if self.stack:
            raise FormatError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        return "".join(self.out), self.entities

    def decode_text_entity(self) -> str:
        decoded = decode_entity(self.src, self.pos, require_semicolon=True)
        if decoded is None:
            raise FormatError(
                f'Unescaped "&" at byte offset {self.byte_offset(self.pos)}; use "&amp;"'
            )
        ch, self.pos = decoded
        return ch

    def parse_tag(self) -> None:
        begin = self.pos
        self.pos += 1
        if self.char(self.pos) == "/":
            self.parse_end_tag(begin)
        else:
            self.parse_start_tag(begin)
        self.pos += 1  # the closing '>'

    def parse_start_tag(self, begin: int) -> None:
        while not self.is_space(self.pos) and self.char(self.pos) != ">":
            self.pos += 1
        if self.pos >= len(self.src):
            raise FormatError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = self.src[begin + 1 : self.pos].lower()
        if name not in _TAGS:
            raise FormatError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        argument = self.parse_attributes(name, begin)
        if name == "span" and argument != "spoiler":
            raise FormatError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.stack.append(_OpenTag(name, argument, self.utf16, len(self.out)))

    def parse_attributes(self, tag: str, begin: int) -> str:
        argument = ""
        while self.char(self.pos) != ">":
            while self.char(self.pos) and self.is_space(self.pos):
                self.pos += 1
            if self.char(self.pos) == ">":
                break
            name_begin = self.pos
            while not self.is_space(self.pos) and self.char(self.pos) not in "=>/\"'":
                self.pos += 1
            attribute = self.src[name_begin : self.pos]
            if not attribute:
                raise FormatError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            self.skip_spaces()
            if self.char(self.pos) != "=":
                if not self.char(self.pos):
                    raise FormatError(
                        f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}'
                    )
                if tag == "blockquote" and attribute == "expandable":
                    argument = "1"
                continue
            self.pos += 1
            self.skip_spaces()
            if not self.char(self.pos):
                raise FormatError(
                    f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}'
                )
            value = self.parse_attribute_value()
            if not self.char(self.pos):
                raise FormatError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            argument = _attribute_argument(tag, attribute, value, argument)
        return argument

    def skip_spaces(self) -> None:
        while self.char(self.pos) and self.is_space(self.pos):
            self.pos += 1

    def parse_attribute_value(self) -> str:
        quote = self.char(self.pos)
        if quote not in ("'", '"'):
            token_begin = self.pos
            while self.char(self.pos) and self.char(self.pos) in _NAME_TOKEN:
                self.pos += 1
            if not self.is_space(self.pos) and self.char(self.pos) != ">":
                raise FormatError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(token_begin)}"
                )
            return self.src[token_begin : self.pos].lower()
        self.pos += 1
        value: list[str] = []
        while self.char(self.pos) not in (quote, ""):
            decoded = (
                decode_entity(self.src, self.pos, require_semicolon=False)
                if self.src[self.pos] == "&"
                else None
            )
            if decoded is None:
                value.append(self.src[self.pos])
                self.pos += 1
            else:
                ch, self.pos = decoded
                value.append(ch)
        if self.char(self.pos) == quote:
            self.pos += 1
        return "".join(value)

    def parse_end_tag(self, begin: int) -> None:
        if not self.stack:
            raise FormatError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        while not self.is_space(self.pos) and self.char(self.pos) != ">":
            self.pos += 1
        end_name = self.src[begin + 2 : self.pos].lower()
        self.skip_spaces()
        if self.char(self.pos) != ">":
            raise FormatError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        open_tag = self.stack[-1]
        if end_name and end_name != open_tag.name:
            raise FormatError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, expected "
                f'"</{open_tag.name}>", found "</{end_name}>"'
            )
        self.stack.pop()
        if self.utf16 > open_tag.utf16_offset:
            self.close_entity(open_tag)

    def close_entity(self, tag: _OpenTag) -> None:
        offset, length = tag.utf16_offset, self.utf16 - tag.utf16_offset
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (offset, length)
        if tag.name in _SIMPLE_TAGS:
            self.entities.append(make_entity(_SIMPLE_TAGS[tag.name], offset, length))
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.argument else "blockquote"
            self.entities.append(make_entity(kind, offset, length))
        elif tag.name == "tg-emoji":
            if not tag.argument.isdigit() or not 0 < int(tag.argument) < 2**63:
                raise FormatError("Invalid custom emoji identifier specified")
            self.entities.append(
                make_entity("custom_emoji", offset, length, custom_emoji_id=tag.argument)
            )
        elif tag.name == "a":
            url = tag.argument or "".join(self.out[tag.text_index :])
            entity = link_entity(url, offset, length, self.resolve_user)
            if entity is not None:
                self.entities.append(entity)
            else:
                self.dropped_links += 1
        elif tag.name == "pre":
            if same_span and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"
            else:
                self.entities.append(make_entity("pre", offset, length))
        elif same_span and last["type"] == "pre" and tag.argument:  # <pre><code class=...>
            last["language"] = tag.argument
        else:  # code; its language only matters if a <pre> closes right around it
            self.entities.append(make_entity("code", offset, length, language=tag.argument))


def _attribute_argument(tag: str, attribute: str, value: str, current: str) -> str:
    """The single argument TDLib keeps per tag; unknown attributes are ignored."""
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    if tag == "blockquote" and attribute == "expandable":
        return "1"
    return current


def decode_entity(text: str, pos: int, *, require_semicolon: bool) -> tuple[str, int] | None:
    """Decode the character reference at ``text[pos] == '&'``; None if it is not one."""
    end = pos + 1
    if text[end : end + 1] == "#":
        end += 1
        hexadecimal = text[end : end + 1] == "x"
        digits = string.hexdigits if hexadecimal else string.digits
        end += hexadecimal
        digits_begin = end
        while end < len(text) and text[end] in digits:
            end += 1
        if end == digits_begin or end - pos >= 10:
            return None
        code = int(text[digits_begin:end], 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF:
            return None
        if 0xD800 <= code <= 0xDFFF:
            raise FormatError(
                "Text contains invalid Unicode characters after decoding HTML entities, check "
                "for unmatched surrogate code units"
            )
        ch = chr(code)
    else:
        while end < len(text) and text[end] in string.ascii_letters:
            end += 1
        if text[pos + 1 : end] not in _NAMED:
            return None
        ch = _NAMED[text[pos + 1 : end]]
    if text[end : end + 1] == ";":
        return ch, end + 1
    return None if require_semicolon else (ch, end)


def parse_html(text: str, resolve_user: ResolveUser) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities (UTF-16 offsets) for Telegram-HTML ``text``."""
    plain, entities, _dropped = parse_html_counted(text, resolve_user)
    return plain, entities


def parse_html_counted(
    text: str, resolve_user: ResolveUser
) -> tuple[str, list[dict[str, Any]], int]:
    """`parse_html`, and how many links Telegram drops for their address (`javascript:`, a
    host without a dot...): it takes the text and shows those words plain."""
    parser = _HtmlParser(text, resolve_user)
    plain, entities = parser.parse()
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language")
    return plain, entities, parser.dropped_links
