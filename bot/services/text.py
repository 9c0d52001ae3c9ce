"""Cleaning what people type, in two layers.

`sanitize` runs once on every piece of text where it enters Minka: each string of a Telegram
update (`sanitize_update`, before any handler sees it), command-line arguments and CSV files.
It removes what no person means to type and what some systems refuse or misdisplay: NUL and the
other C0 controls except tab and newline (PostgreSQL rejects NUL in text: the whole update
failed), DEL and the C1 controls, the bidi embeddings, overrides and isolates (they reorder
what follows, e.g. a name that reads backwards in a staff report), and lone surrogates (not
encodable as UTF-8). A carriage return becomes a newline, as Telegram's own clients send it.

`clean_text` is stricter, for one-line fields stored and shown to others (names, positions,
delegates, comments, case texts): every control and format character (zero-width spaces and
joiners included) is dropped and spaces are collapsed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_UNSAFE = re.compile(
    "\r\n?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def sanitize(text: str) -> str:
    """`text` without the characters no person means to type (see the module's docstring)."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_replacement, text)


def _replacement(match: re.Match[str]) -> str:
    return "\n" if match.group()[0] == "\r" else ""


def _units(text: str) -> int:
    """Length in UTF-16 code units: Telegram's measure for entity offsets."""
    return len(text) + sum(ord(char) > 0xFFFF for char in text)


def _sanitize_with_map(text: str) -> tuple[str, list[tuple[int, int, int]]]:
    """The cleaned text and each change as (start, end, new length) in UTF-16 units."""
    changes, position, units = [], 0, 0
    for match in _UNSAFE.finditer(text):
        units += _units(text[position : match.start()])
        size = _units(match.group())
        changes.append((units, units + size, len(_replacement(match))))
        units += size
        position = match.end()
    return _UNSAFE.sub(_replacement, text), changes


def _moved(offset: int, changes: list[tuple[int, int, int]]) -> int:
    """Where an entity boundary at `offset` of the old text lies in the cleaned text."""
    shift = 0
    for start, end, kept in changes:
        if offset >= end:
            shift += end - start - kept
        elif offset > start:
            return offset - shift - (offset - start) + min(offset - start, kept)
        else:
            break
    return offset - shift


def _entities(entities: list[Any], changes: list[tuple[int, int, int]]) -> list[Any]:
    """Message entities moved to the cleaned text; those left empty are dropped."""
    kept = []
    for entity in entities:
        if not isinstance(entity, dict) or not isinstance(entity.get("offset"), int):
            kept.append(entity)
            continue
        length = entity.get("length")
        if not isinstance(length, int):
            kept.append(entity)
            continue
        start = _moved(entity["offset"], changes)
        end = _moved(entity["offset"] + length, changes)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return kept


def _entities_key(key: str) -> str:
    """Where the Bot API puts the entities of a text field: text → entities, caption →
    caption_entities, question → question_entities..."""
    return "entities" if key == "text" else f"{key}_entities"


def sanitize_update(value: Any) -> Any:
    """A Telegram update (decoded JSON) with every string sanitized and the entities of each
    changed text moved to match it. Returns `value` itself when nothing needed cleaning."""
    if isinstance(value, str):
        return sanitize(value)
    if isinstance(value, list):
        items = [sanitize_update(item) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if not isinstance(value, dict):
        return value
    cleaned: dict[str, Any] | None = None
    moves: dict[str, list[tuple[int, int, int]]] = {}
    for key, item in value.items():
        if isinstance(item, str):
            if _UNSAFE.search(item) is None:
                continue
            new, moves[_entities_key(key)] = _sanitize_with_map(item)
        elif isinstance(item, dict | list):
            new = sanitize_update(item)
            if new is item:
                continue
        else:
            continue
        cleaned = cleaned if cleaned is not None else dict(value)
        cleaned[key] = new
    if cleaned is None:
        return value
    for key, changes in moves.items():
        if isinstance(entities := cleaned.get(key), list):
            cleaned[key] = _entities(entities, changes)
    return cleaned


def clean_text(text: str) -> str:
    """One line for a stored field: no control or format characters (zero-width ones
    included), spaces collapsed."""
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch == " ")
    return " ".join(kept.split())
