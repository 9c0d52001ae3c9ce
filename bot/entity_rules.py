"""How Telegram nests formatting entities, ported from TDLib's `fix_entities` (MessageEntity.cpp),
with what it drops counted: the Bot API's rules are that bold, italic, underline,
strikethrough and spoiler may contain or be part of any entity except code and pre; code and
pre contain nothing; links, mentions and custom emoji (continuous entities) do not overlap each
other; blockquotes do not nest, and contain continuous entities only whole.

Telegram applies these silently: the message is sent, but a bold inside (or around) a code
shows plain there, a link overlapping another is gone. The local Bot API server reports such
losses (`lost_formatting`) as it does entities past 100, so a test sees what a person would not.
Offsets here are in any one unit (code points or UTF-16), as long as all entities share it.
"""

from __future__ import annotations

from typing import Any

Entity = dict[str, Any]

# TDLib's type priorities, used to order entities that share offset and length.
_PRIORITY = {
    "bold": 90,
    "italic": 91,
    "code": 20,
    "pre": 11,
    "text_link": 49,
    "text_mention": 49,
    "underline": 92,
    "strikethrough": 93,
    "blockquote": 0,
    "expandable_blockquote": 0,
    "spoiler": 94,
    "custom_emoji": 99,
}
SPLITTABLE = ("bold", "italic", "underline", "strikethrough", "spoiler")  # TDLib's flush order
BLOCKQUOTES = frozenset({"blockquote", "expandable_blockquote"})
_PRE = frozenset({"pre", "code"})


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """TDLib order: by offset, longer first, then by type priority."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50)))


def _end(entity: Entity) -> int:
    return entity["offset"] + entity["length"]


def _continuous(kind: str) -> bool:
    return kind not in SPLITTABLE and kind not in BLOCKQUOTES


def fix_entities(entities: list[Entity]) -> tuple[list[Entity], int]:
    """The entities as Telegram keeps them (merged, split, some dropped) and how many of the
    given ones lost part or all of their formatting."""
    ordered = sort_entities(entities)
    if _are_valid(ordered):
        return ordered, 0
    splittable = [dict(e) for e in ordered if e["type"] in SPLITTABLE]
    quotes = [e for e in ordered if e["type"] in BLOCKQUOTES]
    continuous, dropped = _remove_intersecting([e for e in ordered if _continuous(e["type"])])
    if quotes:
        quotes, dropped_quotes = _remove_intersecting(quotes)
        continuous, crossing = _remove_crossing(continuous, quotes)
        dropped += dropped_quotes + crossing
        continuous = sort_entities(continuous + quotes)
    lost = sum(1 for entity in dropped if not _inside_monospace(entity, continuous))
    if not splittable:
        return continuous, lost
    pieces, hidden = _split(splittable, continuous)
    return sort_entities(continuous + pieces), lost + hidden


def _are_valid(entities: list[Entity]) -> bool:
    """TDLib's `are_entities_valid`: already as Telegram keeps them (nothing to fix)."""
    ends: dict[str, int] = {}
    stack: list[Entity] = []
    for entity in entities:
        kind = entity["type"]
        while stack and entity["offset"] >= _end(stack[-1]):
            stack.pop()
        if stack:
            kinds = {e["type"] for e in stack}
            if (
                _end(entity) > _end(stack[-1])  # crosses an entity it starts in
                or kind in kinds
                or stack[-1]["type"] in _PRE
                or (kind in _PRE and not kinds <= BLOCKQUOTES)
                or (kind not in SPLITTABLE and any(_continuous(k) for k in kinds))
                or (kind in BLOCKQUOTES and kinds & BLOCKQUOTES)
                or kinds & set(SPLITTABLE)  # inside a bold...: the bold is split around it
            ):
                return False
        if kind in SPLITTABLE:
            if ends.get(kind, -1) >= entity["offset"]:
                return False  # touching or overlapping: merged
            ends[kind] = _end(entity)
        stack.append(entity)
    return True


def _remove_intersecting(entities: list[Entity]) -> tuple[list[Entity], list[Entity]]:
    """Each entity that starts before the previous kept one ends is dropped (nested too)."""
    kept: list[Entity] = []
    dropped: list[Entity] = []
    last_end = 0
    for entity in entities:
        if entity["offset"] >= last_end:
            last_end = _end(entity)
            kept.append(entity)
        else:
            dropped.append(entity)
    return kept, dropped


def _remove_crossing(
    entities: list[Entity], quotes: list[Entity]
) -> tuple[list[Entity], list[Entity]]:
    """Continuous entities that a blockquote does not hold whole are dropped."""
    kept: list[Entity] = []
    dropped: list[Entity] = []
    for entity in entities:
        crossing = any(
            _end(quote) > entity["offset"]
            and (_end(quote) < _end(entity) or entity["offset"] < quote["offset"] < _end(entity))
            for quote in quotes
        )
        (dropped if crossing else kept).append(entity)
    return kept, dropped


def _inside_monospace(entity: Entity, kept: list[Entity]) -> bool:
    """A code dropped inside a kept pre or code (`<pre><code>`) loses nothing a person sees."""
    return entity["type"] in _PRE and any(
        other["type"] in _PRE
        and other["offset"] <= entity["offset"]
        and _end(entity) <= _end(other)
        for other in kept
    )


def _split(splittable: list[Entity], others: list[Entity]) -> tuple[list[Entity], int]:
    """TDLib's `split_entities`: same-type runs merged, cut at every start and end of the
    other entities, the pieces inside a code or pre dropped (counted, once per piece)."""
    begin = dict.fromkeys(SPLITTABLE, 0)
    end = dict.fromkeys(SPLITTABLE, 0)
    result: list[Entity] = []
    position = 0

    def flush(offset: int) -> None:
        for kind in SPLITTABLE:
            if end[kind] != 0 and begin[kind] < offset:
                stop = min(end[kind], offset)
                result.append({"type": kind, "offset": begin[kind], "length": stop - begin[kind]})
                begin[kind], end[kind] = (0, 0) if end[kind] <= offset else (offset, end[kind])

    def add_entities(end_offset: int) -> None:
        nonlocal position
        while position < len(splittable) and splittable[position]["offset"] < end_offset:
            entity = splittable[position]
            kind = entity["type"]
            if end[kind] != 0 and entity["offset"] <= end[kind]:
                end[kind] = max(end[kind], _end(entity))
            else:
                flush(entity["offset"])
                begin[kind], end[kind] = entity["offset"], _end(entity)
            position += 1
        flush(end_offset)

    stack: list[Entity] = []
    hidden = 0

    def add_offset(offset: int) -> None:
        nonlocal hidden
        while stack and offset >= _end(stack[-1]):
            before = len(result)
            add_entities(_end(stack[-1]))
            if stack[-1]["type"] in _PRE:
                hidden += len(result) - before
                del result[before:]
            stack.pop()
        add_entities(offset)

    for other in others:
        add_offset(other["offset"])
        stack.append(other)
    add_offset(2**62)
    return sort_entities(result), hidden
