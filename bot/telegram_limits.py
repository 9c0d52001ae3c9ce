"""Telegram's limits on what Minka sends, applied to its HTML before a request leaves.

A message keeps at most 100 formatting entities: a longer list is split between paragraphs
(or lines) into messages of at most 100, and a text that must stay one message (an owed
message, a caption) keeps its first 100 tags and loses the markup of the rest, rather than
leave Telegram to drop it unseen. Each tag opened counts one, and a link or code opened
inside a bold (italic...) two more for each: Telegram cuts the bold in three around it
(TDLib's `split_entities`, bot/entity_rules.py); it merges touching bold runs and drops tags
around blanks, so it never finds more.

Telegram measures a text after the HTML is parsed: tags count nothing and «&amp;» one
character, in UTF-16 code units (an emoji such as 😀 is two; Telegram may count it as one,
so counting two never sends too much). A message holds 4096 of them, a caption 1024, the
notice of a button press 200. Long texts are split (or cut, with an ellipsis) between
paragraphs, else lines, else words, and each piece stays valid HTML: the tags open at a cut
are closed there and opened again in the next piece.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import unescape
from typing import NamedTuple

from bot.telegram_entities import is_blank

MESSAGE_LIMIT = 4096  # sendMessage/editMessageText: text after entities parsing
CAPTION_LIMIT = 1024  # sendDocument/sendPhoto: caption after entities parsing
TOAST_LIMIT = 200  # answerCallbackQuery: text of the notification
# Telegram keeps a text's first 100 formatting entities (bold, links...) and silently shows
# the rest as plain text: a message (or caption) never carries more.
MAX_ENTITIES = 100
ELLIPSIS = "…"
# A user's or chat's id «has at most 52 significant bits» (Bot API, User.id): 16 digits.
MAX_TELEGRAM_ID = 2**52 - 1

_MARKUP = re.compile(r"<[^>]*>|&(?:#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);")
_TAG = re.compile(r"<[^>]*>")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)")
_TAG_PARTS = re.compile(r"<(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
# Tags of bold, italic, underline, strikethrough and spoiler: Telegram cuts them around others.
_SPLITTABLE = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "span"}
)


def units(text: str) -> int:
    """UTF-16 code units of plain text."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class _Token(NamedTuple):
    source: str
    units: int  # 0 for tags
    char: str  # the character shown ("" for tags)
    tag: str = ""  # the tag's name, for tags
    closing: bool = False


def _chars(text: str) -> list[_Token]:
    return [_Token(char, 2 if ord(char) > 0xFFFF else 1, char) for char in text]


def _tokens(html: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    for match in _MARKUP.finditer(html):
        tokens.extend(_chars(html[position : match.start()]))
        source = match.group()
        if source.startswith("<"):
            name = _TAG_NAME.match(source)
            tag = name.group(1).lower() if name else ""
            tokens.append(_Token(source, 0, "", tag, source.startswith("</")))
        else:
            char = unescape(source)
            tokens.append(_Token(source, units(char), char))
        position = match.end()
    tokens.extend(_chars(html[position:]))
    return tokens


def visible_units(html: str) -> int:
    """What Telegram counts of an HTML text: the text without tags, entities decoded."""
    return units(unescape(_TAG.sub("", html)))


@dataclass(frozen=True, slots=True)
class _Piece:
    opening: str  # tags still open from the previous piece, opened again
    body: str
    closing: str  # tags open at the cut, closed

    def html(self, ending: str = "") -> str:
        return self.opening + self.body + ending + self.closing


def _tag_cost(tag: str, open_tags: Iterable[str]) -> int:
    """The entities Telegram may make of an opening tag, the others open around it given."""
    if tag in _SPLITTABLE:
        return 1
    return 1 + 2 * sum(name in _SPLITTABLE for name in open_tags)


def _stack_cost(stack: tuple[_Token, ...]) -> int:
    return sum(_tag_cost(token.tag, (t.tag for t in stack[:i])) for i, token in enumerate(stack))


def _close(stack: tuple[_Token, ...]) -> str:
    return "".join(f"</{token.tag}>" for token in reversed(stack))


def _pieces(html: str, limit: int, max_tags: int = MAX_ENTITIES) -> list[_Piece]:
    """The HTML as pieces of at most `limit` units and `max_tags` tags (those opened again
    from the previous piece count), cut at the best break: between paragraphs, else lines,
    else words, once the piece is at least half full."""
    tokens = _tokens(html)
    pieces: list[_Piece] = []
    stack: tuple[_Token, ...] = ()  # open tags where the current piece begins
    start = 0
    while start < len(tokens):
        open_tags = stack
        shown, tags = 0, _stack_cost(stack)
        breaks: dict[int, tuple[bool, int, tuple[_Token, ...]]] = {}  # kind → half, index, tags
        index = start
        while index < len(tokens):
            token = tokens[index]
            if token.tag:
                if not token.closing:
                    cost = _tag_cost(token.tag, (t.tag for t in open_tags))
                    if tags + cost > max_tags:
                        break
                    tags += cost
                    open_tags = (*open_tags, token)
                elif open_tags and open_tags[-1].tag == token.tag:
                    open_tags = open_tags[:-1]
            else:
                if shown + token.units > limit:
                    break
                shown += token.units
                if token.char == " " or token.char == "\n":
                    half = shown >= limit // 2 or tags >= max_tags // 2
                    breaks[_break_kind(tokens, index)] = (half, index + 1, open_tags)
            index += 1
        cut, after = index, open_tags  # the end, or inside a word longer than half a message
        if index < len(tokens) and breaks:
            good = [kind for kind in breaks if breaks[kind][0]]
            chosen = max(good) if good else max(breaks, key=lambda kind: breaks[kind][1])
            _half, cut, after = breaks[chosen]
        if cut == start:  # a single character wider than the limit: never loop on it
            cut += 1
        piece = tokens[start:cut]
        # Never a message Telegram finds empty (blanks, zero-width characters: refused).
        if not is_blank("".join(token.char for token in piece)):
            body = "".join(token.source for token in piece)
            pieces.append(_Piece("".join(token.source for token in stack), body, _close(after)))
        stack, start = after, cut
    return pieces


def _break_kind(tokens: list[_Token], index: int) -> int:
    """2 after a blank line (between paragraphs), 1 at a line's end, 0 between words."""
    if tokens[index].char == " ":
        return 0
    return 2 if index > 0 and tokens[index - 1].char == "\n" else 1


def entities(html: str) -> int:
    """At most how many formatting entities Telegram makes of this HTML (see above)."""
    count = 0
    depth = 0  # bold, italic... tags open
    open_tags: list[str] = []
    for closing, name in _TAG_PARTS.findall(html):
        tag = name.lower()
        if not closing:
            splittable = tag in _SPLITTABLE
            count += 1 if splittable else 1 + 2 * depth
            depth += splittable
            open_tags.append(tag)
        elif open_tags and open_tags[-1] == tag:
            depth -= open_tags.pop() in _SPLITTABLE
    return count


def split_html(
    html: str, limit: int = MESSAGE_LIMIT, max_entities: int = MAX_ENTITIES
) -> list[str]:
    """The text as one or more messages of at most `limit` units and `max_entities`
    entities each, in order (less than the Bot API's limits leaves room for a heading)."""
    short = units(html) <= limit or visible_units(html) <= limit  # the source is never shorter
    if short and entities(html) <= max_entities:
        return [html]
    pieces = _pieces(html, limit, max_entities)
    return [piece.html() for piece in pieces] or [html]  # never an empty list


def _keep_entities(html: str, budget: int) -> str:
    """The HTML with its first `budget` tags and the text of the rest, without their tags."""
    if entities(html) <= budget:
        return html
    kept: list[str] = []
    open_tags: list[tuple[str, bool]] = []  # for each tag open: its name, whether it was kept
    for token in _tokens(html):
        if not token.tag:
            kept.append(token.source)
        elif not token.closing:
            cost = _tag_cost(token.tag, (tag for tag, kept_tag in open_tags if kept_tag))
            keep = cost <= budget
            budget = budget - cost if keep else 0  # the first tags kept, the rest plain
            open_tags.append((token.tag, keep))
            if keep:
                kept.append(token.source)
        elif open_tags.pop()[1] if open_tags else True:
            kept.append(token.source)
    return "".join(kept)


def cut_html(html: str, limit: int = MESSAGE_LIMIT) -> str:
    """The text cut to `limit` units with an ellipsis where it was cut, still valid HTML,
    with at most `MAX_ENTITIES` entities."""
    if units(html) <= limit or visible_units(html) <= limit:
        return _keep_entities(html, MAX_ENTITIES)
    pieces = _pieces(html, limit - 1, max_tags=len(html))  # cut for length only
    if not pieces:  # nothing but blanks: what Telegram would show is nothing
        return ELLIPSIS
    first = pieces[0]
    cut = first.opening + first.body.rstrip() + ELLIPSIS + first.closing
    return _keep_entities(cut, MAX_ENTITIES)


def cut_plain(text: str, limit: int) -> str:
    """Plain text (a button's notice) cut to `limit` UTF-16 units, with an ellipsis."""
    if units(text) <= limit:
        return text
    kept, used = [], 0
    for char in text:
        used += units(char)
        if used > limit - 1:
            break
        kept.append(char)
    return "".join(kept).rstrip() + ELLIPSIS


def parse_telegram_id(text: str) -> int | None:
    """A person's Telegram id as typed (digits only, ASCII), or None when it cannot be one."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 16):
        return None
    value = int(text)
    return value if 0 < value <= MAX_TELEGRAM_ID else None
