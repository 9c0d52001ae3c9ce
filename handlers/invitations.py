"""What the meeting and study-visit handlers share: checking that an invitee may still answer
(a pressed button is told why not in an alert, a typed answer in a message that ends its form),
the layout of an invitee's message, the coordinator's /reunion and /visita (the list, or one
by its code, within their coverage), and the coordinator's page of names to tick (a meeting's
attendance, who travelled on a visit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton

from bot.i18n import Translator
from bot.services.coverage import Coverage
from bot.services.invitations import Rsvp
from handlers.base import Ctx, Keyboard, cut_html, esc
from handlers.keyboards import button, main_menu_row, page_bounds
from handlers.questions import pager
from handlers.refusals import refuse_scope
from storage.repositories.conversations import clear_state

Event = TypeVar("Event")
Check = Callable[[AsyncSession, int, int | None, datetime], Awaitable[tuple[Rsvp, Event | None]]]


class Scheduled(Protocol):
    """What /reunion and /visita list: a meeting or a study visit (read-only records)."""

    @property
    def code(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...


def code_list(t: Translator, heading: str, items: Sequence[Scheduled], hint: str) -> str:
    """The last 30 items, one line each: code, title, start (Lima time), 🚫 if cancelled."""
    lines = [heading]
    lines += [
        f"<code>{item.code}</code> {esc(item.title)} — {t.datetime(item.starts_at)}"
        + (" 🚫" if item.status == "cancelled" else "")
        for item in items[-30:]
    ]
    lines.append(hint)
    return cut_html("\n".join(lines))


class Listed(Scheduled, Protocol):
    """A meeting or a study visit as its coordinator's command finds it."""

    @property
    def id(self) -> int: ...


Item = TypeVar("Item", bound=Listed)


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


def invitee_message(icon: str, heading: str, details: str, *more: str) -> str:
    """An invitee's message: the icon and heading, the meeting's or visit's details, then the
    rest (their answer, what to bring), a blank line between each."""
    return "\n\n".join((f"{icon} {heading}", details, *more))


@dataclass(frozen=True, slots=True)
class StaffItems(Generic[Item]):
    """How /reunion and /visita find their items: `target` names one in the audit log
    ("meeting", "visit"); `visible` (bot.services.coverage) keeps those a coordinator covers."""

    target: str
    list_all: Callable[[AsyncSession], Awaitable[list[Item]]]
    get_by_code: Callable[[AsyncSession, str], Awaitable[Item | None]]
    visible: Callable[[AsyncSession, Coverage, list[Item]], Awaitable[list[Item]]]

    async def out_of_scope(self, ctx: Ctx, item: Item) -> bool:
        """Refuse (and audit) an item that belongs to a region the person does not cover."""
        if await self.visible(ctx.session, ctx.coverage, [item]):
            return False
        await refuse_scope(ctx, f"{self.target}:{item.id}")
        return True

    async def chosen(
        self,
        ctx: Ctx,
        *,
        heading: str,
        empty: str,
        create: InlineKeyboardButton,
        hint: str,
        unknown: str,
    ) -> Item | None:
        """Without arguments, the list of those the person covers (`empty` if none, with
        `create` and the main menu as the ways on); with a code, that item if they cover it.
        None once the person was answered otherwise."""
        if not ctx.args:
            items = await self.visible(ctx.session, ctx.coverage, await self.list_all(ctx.session))
            if items:
                ctx.reply(code_list(ctx.t, heading, items, hint))
            else:
                ctx.reply(empty, [[create], main_menu_row(ctx._)])
            return None
        item = await self.get_by_code(ctx.session, ctx.args[0].strip().upper())
        if item is None:
            ctx.reply(unknown.format(code=esc(ctx.args[0][:20])))
            return None
        return None if await self.out_of_scope(ctx, item) else item


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
