"""Message entities: UTF-16 offsets, link checks, explicit entity lists and text normalisation
(shared by bot/telegram_html.py and the local Bot API server).

Telegram measures entity offsets in UTF-16 code units and normalises every text before storing
it (control characters become spaces, ``\\r`` is dropped, whitespace-only entities vanish and the
text is trimmed).  The parsers produce entities in UTF-16 units; :func:`finalize_text` then applies
the same normalisation TDLib's ``fix_formatted_text`` does, so stored messages match production.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from bot.entity_rules import fix_entities

ResolveUser = Callable[[int], dict[str, Any] | None]

# Entities whose meaning is not visible in the text; TDLib keeps them even over whitespace.
_HIDDEN_DATA = frozenset({"text_link", "text_mention", "custom_emoji"})
# Types Telegram detects by itself; when sent explicitly they are ignored, as the Bot API does.
_AUTO_DETECTED = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bank_card_number",
    }
)
_SIMPLE = frozenset(
    {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "blockquote",
        "expandable_blockquote",
    }
)
_TRIM_SPACE = " \n"
# Characters TDLib removes outright: \r, U+2028..U+202E and three combining marks.
_REMOVED = frozenset("\r\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u0333\u033f\u030a")
# What TDLib takes for nothing when it asks whether a text is empty (`is_empty_string`, with
# `strip_empty_characters`): blanks, the Unicode spaces, zero-width characters, direction
# marks, the byte order mark, the Braille blank, the object replacement character and the
# tag characters. A text of only these is refused as «text must be non-empty».
_BLANK = re.compile(
    "[ \n\t\u00a0\u1680\u180e\u2000-\u200f\u202e\u202f\u205f\u2800\u3000\ufeff"
    "\ufffc\U000e0000-\U000e007f]*"
)
_USER_LINK = re.compile(r"tg://user\?id=(\d+)", re.IGNORECASE)
_HOST_LABEL = re.compile(r"(?!-)[\w-]{1,63}(?<!-)")


class FormatError(ValueError):
    """A text or entity problem; the message is the Bot API reason (without ``Bad Request:``)."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for offsets and limits."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def is_blank(text: str) -> bool:
    """Whether Telegram would find nothing in `text` (a message of it is refused)."""
    return _BLANK.fullmatch(text) is not None


def make_entity(kind: str, offset: int, length: int, **extra: Any) -> dict[str, Any]:
    """A MessageEntity dict in Bot API shape."""
    return {"type": kind, "offset": offset, "length": length, **extra}


def check_link(url: str) -> str:
    """Validate a link like TDLib's LinkManager; returns the URL or raises ValueError(reason)."""
    url = url.strip()
    if "://" in url:
        scheme, rest = url.split("://", 1)
        scheme = scheme.lower()
    elif url.lower().startswith("tg:"):
        scheme, rest = "tg", url[3:]
    else:
        scheme, rest = "", url
    if scheme in ("tg", "ton", "tonsite"):
        if not rest:
            raise ValueError("Wrong URL")
        return url
    if scheme not in ("", "http", "https"):
        raise ValueError("Unsupported URL protocol")
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1]
    host = re.sub(r":\d*$", "", host)
    if not host:
        raise ValueError("URL host is empty")
    if not _is_valid_host(host):
        raise ValueError("Wrong HTTP URL")
    return url if scheme else f"http://{url}"


def _is_valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        labels = host.rstrip(".").split(".")
        return (
            len(labels) >= 2
            and all(_HOST_LABEL.fullmatch(label) for label in labels)
            and not labels[-1].isdigit()
        )
    return True


def link_entity(
    url: str, offset: int, length: int, resolve_user: ResolveUser
) -> dict[str, Any] | None:
    """Entity for an ``<a href>``/``[text](url)`` link; invalid links are dropped like TDLib."""
    mention = _USER_LINK.fullmatch(url.strip())
    if mention:
        user = resolve_user(int(mention.group(1)))
        if user is None:
            raise FormatError("user not found")
        return make_entity("text_mention", offset, length, user=user)
    try:
        return make_entity("text_link", offset, length, url=check_link(url))
    except ValueError:
        return None


def entities_from_json(value: Any, resolve_user: ResolveUser) -> list[dict[str, Any]]:
    """Validate an explicit ``entities``/``caption_entities`` array the way the Bot API does."""
    if not isinstance(value, list):
        raise FormatError("can't parse entities JSON object")
    result = []
    for item in value:
        if not isinstance(item, dict):
            raise FormatError("can't parse MessageEntity: expected an Object")
        entity = _entity_from_json(item, resolve_user)
        if entity is not None:
            result.append(entity)
    return result


def _entity_from_json(item: dict[str, Any], resolve_user: ResolveUser) -> dict | None:
    offset = _json_int(item, "offset")
    length = _json_int(item, "length")
    kind = item.get("type")
    if not isinstance(kind, str) or not kind:
        raise FormatError("can't parse MessageEntity: Type is not specified")
    if kind in _AUTO_DETECTED:
        return None
    if offset < 0:
        raise FormatError(f"receive an entity with incorrect offset {offset}")
    if length < 0:
        raise FormatError(f"receive an entity with incorrect length {length}")
    if kind in _SIMPLE:
        return make_entity(kind, offset, length)
    if kind == "pre":
        language = item.get("language") or ""
        if not isinstance(language, str):
            raise FormatError('can\'t parse MessageEntity: Field "language" must be of type String')
        extra = {"language": language} if language else {}
        return make_entity("pre", offset, length, **extra)
    if kind == "text_link":
        url = _json_str(item, "url")
        try:
            return make_entity("text_link", offset, length, url=check_link(url))
        except ValueError as exc:
            raise FormatError(f"entity URL '{url}' is invalid: {exc}") from None
    if kind == "text_mention":
        user = item.get("user")
        if not isinstance(user, dict):
            raise FormatError("can't parse MessageEntity: Can't find field \"user\"")
        resolved = resolve_user(_json_int(user, "id"))
        if resolved is None:
            raise FormatError("user not found")
        return make_entity("text_mention", offset, length, user=resolved)
    if kind == "custom_emoji":
        emoji_id = _json_str(item, "custom_emoji_id")
        if not emoji_id.isdigit() or not 0 < int(emoji_id) < 2**63:
            raise FormatError(
                'can\'t parse MessageEntity: Field "custom_emoji_id" must be a valid Number'
            )
        return make_entity("custom_emoji", offset, length, custom_emoji_id=emoji_id)
    raise FormatError("can't parse MessageEntity: Unsupported type specified")


def _json_int(item: dict[str, Any], field: str) -> int:
    if field not in item:
        raise FormatError(f"can't parse MessageEntity: Can't find field \"{field}\"")
    value = item[field]
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise FormatError(f'can\'t parse MessageEntity: Field "{field}" must be of type Number')
    try:
        return int(value)
    except ValueError:
        raise FormatError(
            f'can\'t parse MessageEntity: Field "{field}" must be a valid Number'
        ) from None


def _json_str(item: dict[str, Any], field: str) -> str:
    if field not in item:
        raise FormatError(f"can't parse MessageEntity: Can't find field \"{field}\"")
    value = item[field]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FormatError(f'can\'t parse MessageEntity: Field "{field}" must be of type String')
    return str(value)


class Finalized(NamedTuple):
    """A text as Telegram keeps it; `lost`: entities whose formatting it drops in part or
    whole for how they nest (bot/entity_rules.py)."""

    text: str
    entities: list[dict[str, Any]]
    lost: int


def finalize_text(text: str, entities: list[dict[str, Any]], *, allow_empty: bool) -> Finalized:
    """Normalise text and entities exactly where Telegram would change them.

    Control characters become spaces, removable characters disappear, entities that only cover
    spaces/newlines are dropped (except link-like ones) and the text is trimmed at both ends
    (leading whitespace only up to the first entity); then TDLib's nesting rules, after which
    pieces of split entities over blanks only are dropped too.  Raises :class:`FormatError` for
    entities outside the text or when nothing printable is left and ``allow_empty`` is false.
    """
    starts = _utf16_starts(text)
    total = starts[-1]
    for entity in entities:
        if entity["offset"] > total:
            raise FormatError(
                f"entity begins after the end of the text at UTF-16 offset {entity['offset']}"
            )
        end = entity["offset"] + entity["length"]
        if end > total:
            raise FormatError(
                f"entity beginning at UTF-16 offset {entity['offset']} ends after the end of "
                f"the text at UTF-16 offset {end}"
            )
        _check_whole_symbols(text, starts, entity["offset"], end)
    # Work in code-point indexes; convert back to UTF-16 units at the end.
    spans = [
        (
            entity,
            _char_index(starts, entity["offset"]),
            _char_index(starts, entity["offset"] + entity["length"]),
        )
        for entity in entities
        if entity["length"] > 0
    ]
    text, spans = _clean(text, spans)
    spans = [span for span in (_skip_leading_space(text, s) for s in spans) if span is not None]
    text, spans = _trim(text, spans)
    if not allow_empty and is_blank(text):
        raise FormatError("text must be non-empty")
    fixed, lost = fix_entities(
        [{**entity, "offset": begin, "length": end - begin} for entity, begin, end in spans]
    )
    spans = [
        span
        for span in (_skip_leading_space(text, (e, e["offset"], _end(e))) for e in fixed)
        if span is not None
    ]
    starts = _utf16_starts(text)
    result = [
        {**entity, "offset": starts[begin], "length": starts[end] - starts[begin]}
        for entity, begin, end in spans
    ]
    return Finalized(text, result, lost)


def _check_whole_symbols(text: str, starts: list[int], offset: int, end: int) -> None:
    """An explicit entity may not begin or end between the two halves of an emoji (a UTF-16
    surrogate pair): TDLib refuses it (clean_input_string_with_entities), naming the byte."""
    for unit, what in ((offset, "begins"), (end, "ends")):
        index = _char_index(starts, unit)
        if starts[index] != unit:
            byte = len(text[:index].encode("utf-8", "surrogatepass"))
            subject = (
                "entity" if what == "begins" else f"entity beginning at UTF-16 offset {offset}"
            )
            raise FormatError(
                f"{subject} {what} in a middle of a UTF-16 symbol at byte offset {byte}"
            )


def _end(entity: dict[str, Any]) -> int:
    return entity["offset"] + entity["length"]


_Span = tuple[dict[str, Any], int, int]


def _utf16_starts(text: str) -> list[int]:
    """UTF-16 offset of every character start, plus the total length as the last item."""
    starts = [0]
    for ch in text:
        starts.append(starts[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return starts


def _char_index(starts: list[int], utf16_offset: int) -> int:
    return bisect.bisect_left(starts, utf16_offset)


def _clean(text: str, spans: list[_Span]) -> tuple[str, list[_Span]]:
    kept: list[str] = []
    new_index = [0] * (len(text) + 1)
    for index, ch in enumerate(text):
        new_index[index] = len(kept)
        if ch in _REMOVED:
            continue
        kept.append(" " if ord(ch) < 32 and ch != "\n" else ch)
    new_index[len(text)] = len(kept)
    return "".join(kept), [(e, new_index[b], new_index[end]) for e, b, end in spans]


def _skip_leading_space(text: str, span: _Span) -> _Span | None:
    entity, begin, end = span
    if entity["type"] in _HIDDEN_DATA:
        return span if end > begin else None
    while begin < end and text[begin] in _TRIM_SPACE:
        begin += 1
    return (entity, begin, end) if begin < end else None


def _trim(text: str, spans: list[_Span]) -> tuple[str, list[_Span]]:
    stripped_end = len(text.rstrip(_TRIM_SPACE))
    clipped = [(e, b, min(end, stripped_end)) for e, b, end in spans if b < stripped_end]
    first_entity = min((b for _, b, _ in clipped), default=stripped_end)
    lead = 0
    while lead < first_entity and text[lead] in _TRIM_SPACE:
        lead += 1
    return text[lead:stripped_end], [(e, b - lead, end - lead) for e, b, end in clipped]
