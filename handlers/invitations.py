"""What the meeting and study-visit handlers share: checking that an invitee may still answer
(a pressed button is told why not in an alert, a typed answer in a message that ends its form),
and the coordinator's page of names to tick (a meeting's attendance, who travelled on a visit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton

from bot.services.invitations import Rsvp
from handlers.base import Ctx, Keyboard
from handlers.keyboards import button, page_bounds
from handlers.questions import pager
from storage.repositories.conversations import clear_state

Event = TypeVar("Event")
Check = Callable[[AsyncSession, int, int | None, datetime], Awaitable[tuple[Rsvp, Event | None]]]


async def answerable(
    ctx: Ctx,
    check: Check[Event],
    event_id: int,
    refusal: Callable[[Ctx, Rsvp], str],
    *,
    typed: bool,
) -> Event | None:
    """The meeting or visit if the person may still answer it (`check`: the feature's
    `can_answer`); otherwise None, once they were told why (`refusal`)."""
    person_id = ctx.person.id if ctx.person else None
    status, event = await check(ctx.session, event_id, person_id, ctx.runtime.clock.now())
    if status is Rsvp.SAVED and event is not None and person_id is not None:
        return event
    if typed:
        await clear_state(ctx.session, ctx.user.id)
        ctx.reply(refusal(ctx, status))
    else:
        ctx.toast(refusal(ctx, status), alert=True)
    return None


def tick_keyboard(
    ctx: Ctx,
    people: Sequence[tuple[int, str | None, bool]],
    page: int,
    per_page: int,
    *,
    tick: str,
    turn: str,
    back: InlineKeyboardButton,
) -> Keyboard:
    """One page of (person id, name, ticked): each name a button that ticks or unticks it
    (`{tick}:<person>:<page>`), ◀ ▶ to the other pages (`{turn}:<page>`), then `back`."""
    page, first, pages = page_bounds(len(people), page, per_page)
    keyboard: Keyboard = [
        [button(("✅ " if ticked else "⬜ ") + (name or "—"), f"{tick}:{person_id}:{page}")]
        for person_id, name, ticked in people[first : first + per_page]
    ]
    keyboard.append(pager(ctx, page, pages, lambda n: f"{turn}:{n}"))
    keyboard.append([back])
    return [row for row in keyboard if row]
