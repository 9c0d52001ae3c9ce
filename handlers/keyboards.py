"""Inline keyboard helpers that keep within the Bot API's limits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from telegram import InlineKeyboardButton

from bot.telegram_entities import is_blank

MAX_CALLBACK_BYTES = 64  # Bot API: callback_data is 1-64 bytes
MAX_LABEL_CHARS = 48  # longer labels are cut by phones anyway
MAX_NUMBER = 2**31 - 1  # ids are 32-bit integers in PostgreSQL
# Telegram refuses a keyboard of about 8 KB or more («reply markup is too long»), counted as
# each button's label and data in UTF-8 plus some 20 bytes (as bot/local_api/validation.py
# models it). A list of choices whose labels people wrote (names: 𝐉𝐮𝐚𝐧 takes 4 bytes a
# letter) is kept within this much, leaving room for the keyboard's other rows.
CHOICES_BUDGET = 6 * 1024
_BUTTON_OVERHEAD = 20


@lru_cache(maxsize=1024)
def button(label: str, data: str) -> InlineKeyboardButton:
    """A callback button; refuses data that Telegram would reject with BUTTON_DATA_INVALID.
    Kept for reuse (PTB's buttons are immutable): building one costs 40 µs of CPU, and a
    Tool Kit answer has seven, most of them the same from one answer to the next."""
    if not 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data must be 1-64 bytes: {data!r}")
    if len(label) > MAX_LABEL_CHARS:
        label = label[: MAX_LABEL_CHARS - 1] + "…"
    # Telegram refuses an empty label (BUTTON_TEXT_INVALID): a name of blanks or zero-width
    # characters, which Telegram finds nothing in.
    if is_blank(label):
        label = "—"
    return InlineKeyboardButton(label, callback_data=data)


def within_budget(
    buttons: Sequence[InlineKeyboardButton], budget: int = CHOICES_BUDGET
) -> list[InlineKeyboardButton]:
    """The first buttons whose labels and data fit in `budget` bytes (the others are reached
    another way: typed)."""
    kept: list[InlineKeyboardButton] = []
    used = 0
    for item in buttons:
        used += len(item.text.encode()) + len(str(item.callback_data).encode()) + _BUTTON_OVERHEAD
        if used > budget:
            break
        kept.append(item)
    return kept


def main_menu_row(_: Callable[[str], str]) -> list[InlineKeyboardButton]:
    """«« Main menu»: the way on from a message that would otherwise end the conversation
    (an empty list); `_` is the person's gettext."""
    return [button(_("« Main menu"), "menu:main")]


def as_number(text: str) -> int | None:
    """An id or page number read from callback data (or typed), or None. Forged data can hold
    anything: only ASCII digits count ("²".isdigit() is true but int() refuses it), and only
    numbers a database id column holds (a larger one makes the query fail)."""
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    value = int(text)
    return value if value <= MAX_NUMBER else None


def rows(buttons: Sequence[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def page_bounds(total: int, page: int, per_page: int) -> tuple[int, int, int]:
    """Clamp `page` into range; return (page, first index, page count)."""
    pages = max(1, -(-total // per_page))
    page = min(max(page, 0), pages - 1)
    return page, page * per_page, pages
