"""Matching workshop and meeting codes as people type them.

Codes are kept as given (upper case): «PUNO-2026», «PUN-02». Read aloud or from a projector,
O and 0, and I, L and 1 are easily swapped, so two codes match when they are equal once those
are folded together; the generated codes avoid the confusable characters altogether.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import InstrumentedAttribute

_FOLD = str.maketrans({"O": "0", "I": "1", "L": "1"})


def code_key(code: str) -> str:
    """The form two codes are compared in: upper case, O→0, I and L→1."""
    return code.strip().upper().translate(_FOLD)


def same_code(column: InstrumentedAttribute[str], code: str) -> ColumnElement[bool]:
    """SQL: the stored code in `column` matches `code` (SQLite and PostgreSQL alike)."""
    folded = func.upper(column)
    for confusable, canonical in (("O", "0"), ("I", "1"), ("L", "1")):
        folded = func.replace(folded, confusable, canonical)
    return folded == code_key(code)
