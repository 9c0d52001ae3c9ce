"""Replies prepared apart from their update (bot/follow_ups.py `start_prepared`: the indicator
report, seconds of work in a worker), and a reply's file too large for an outbox row, which
waits in memory (`Ctx.document`, bot/follow_ups.py `start`), are owed from the update's own
transaction: with it, a notice that the work was cut short is written to the outbox (`KIND`),
due only when the work's lease runs out. The work keeps its lease fresh while it runs and,
once its replies are sent or held in the outbox (bot/held.py), withdraws the notice (in the
transaction that holds them). A process that stops meanwhile leaves the notice owed: a
graceful stop makes it due at once (`follow_ups.stopped`), a crash when the lease runs out;
the next start, or another replica, sends it, and its button asks for the work again. Without
it, a stop during the work lost the request: no reply, no word (the work lived only in the
stopped process's memory). The notice replaces the message that said the work was under way
(«⏳ Preparando…», `edit`: Minka's own text, which Telegram lets it edit), so that message
does not go on saying so after the restart; one that can no longer be edited is sent anew
(bot/outgoing.py)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.runtime import Runtime
from storage.repositories import leases, outbox

KIND = "interrupted"
# How long a notice waits for a live process to renew it. A crash is told this late after the
# restart; a work whose process cannot reach the database for longer is told early (and its
# replies still come).
LEASE = timedelta(seconds=60)
KEEP_EVERY = 20.0  # seconds between renewals of a lease (tests shorten it)
log = logging.getLogger(__name__)


def _key(name: str) -> str:
    return f"{KIND}:{name}"


async def record(
    session: AsyncSession,
    *,
    name: str,
    chat_id: int,
    person_id: int | None,
    text: str,
    markup: InlineKeyboardMarkup | None,
    now: datetime,
    edit: int | None = None,
) -> None:
    """In the update's transaction: the notice (HTML, rendered in the person's language now,
    sent as a held reply is: `held_render.render`) owed for work `name` unless it ends first; the
    new text of message `edit` when given (the work's progress message)."""
    markup_data = markup.to_dict() if markup else None
    payload = {"text": text, "markup": markup_data, "edit": edit, "buttons_only": False}
    await _owe(session, KIND, name, chat_id, person_id, payload, now)


async def record_call(
    session: AsyncSession, *, name: str, kind: str, chat_id: int, now: datetime
) -> None:
    """In the update's transaction: a Bot API call of the chat made later from memory (a
    command menu taken away: handlers/command_menu.py `forget_later`), owed under the same
    lease as a notice, as an outbox row of `kind` whose renderer makes the call itself. Made,
    it is withdrawn (`ended`); a stop first leaves it due, and the next process makes it."""
    await _owe(session, kind, name, chat_id, None, {}, now)


async def _owe(
    session: AsyncSession,
    kind: str,
    name: str,
    chat_id: int,
    person_id: int | None,
    payload: dict[str, object],
    now: datetime,
) -> None:
    """The outbox row owed for work `name`, due when its lease runs out."""
    await outbox.enqueue(
        session,
        kind=kind,
        dedupe_key=_key(name),
        person_id=person_id,
        chat_id=chat_id,
        payload=payload,
        due_at=now + LEASE,
    )


async def keep_fresh(runtime: Runtime, names: str | list[str | None]) -> None:
    """While the work runs (a task cancelled when it ends): its lease renewed every
    `KEEP_EVERY` seconds. `names`: one work, or those still owed (a list the caller updates:
    read at each renewal; None for a call that owes no notice)."""
    while True:
        await asyncio.sleep(KEEP_EVERY)
        keys = [_key(name) for name in ([names] if isinstance(names, str) else names) if name]
        try:
            async with runtime.db.session() as session:
                await leases.due_again(session, keys, runtime.clock.now() + LEASE)
        except Exception as error:  # the database away: the work goes on regardless
            log.warning("work %s: its lease not renewed (%r)", names, error)


async def withdraw(session: AsyncSession, name: str) -> None:
    """The work's replies are sent or held (in this transaction): no notice is owed."""
    await leases.withdraw(session, _key(name))


async def ended(runtime: Runtime, name: str) -> None:
    """`withdraw` in a transaction of its own (the replies were all sent)."""
    try:
        async with runtime.db.session() as session:
            await withdraw(session, name)
    except Exception as error:  # the notice will go: a word too many, never a silence
        log.warning("work %s: replies sent, its notice not withdrawn (%r)", name, error)


async def due_now(runtime: Runtime, names: list[str]) -> None:
    """The process stops with this work unfinished: the notices are due at once (the next
    start, or another replica, sends them) instead of when the leases run out."""
    async with runtime.db.session() as session:
        await leases.due_again(session, [_key(name) for name in names], runtime.clock.now())
