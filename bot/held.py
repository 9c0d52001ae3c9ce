"""Replies held back by Telegram's flood control: none is lost, none is sent twice.

At a reply's first 429 (not waited out in memory: bot/ratelimit.py `holding`), the reply
and whatever else the update had to say are written to the outbox as rendered (kind
"reply", due when Telegram allows) and one warning is logged. The outbox sends them
like any owed message (one chat's messages one after the other, never twice, never one
while an earlier one is being sent or tried again: storage/repositories/outbox.py), woken
here when they are due. While a chat has replies waiting (held, or on their way from the
outbox), its new replies queue behind them, so the person reads everything in order: the
check and the hold happen in the chat's turn (`Held.turn`), so no reply of the chat can be
held between them, and a chat leaves the in-memory set only when the outbox has none of its
replies left unsent and nothing was held while it looked.

Here: the store (hold, keep, look up, wake the outbox). A reply's shape and its row's JSON:
bot/reply_data.py; replies made outside an update sent or held: bot/held_send.py; a held row
rendered for the outbox: bot/held_render.py."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application, ContextTypes

from bot import cut_short
from bot import outbox as sender
from bot.reply_data import Reply, fitted_to_telegram, payload_of
from bot.runtime import Runtime
from storage.repositories import outbox, owed_replies, people, updates

KIND = outbox.HELD
ZERO = timedelta(0)
RETRY_WAKE = timedelta(seconds=5)  # after a failed round (the database away...)
log = logging.getLogger(__name__)


async def hold(
    application: Application,
    *,
    chat_id: int,
    person_id: int | None,
    replies: list[Reply],
    key: str,
    wait: timedelta,
    done: str | None = None,
    owed: int | None = None,
) -> None:
    """Keep `replies` (of the handling named `key`) in the outbox, due after `wait` and not
    before the chat's replies already waiting; the outbox is woken when they are due. `done`:
    work whose cut-short notice they replace (bot/cut_short.py), withdrawn with them; `owed`:
    the update whose owed replies they are (bot/owed_replies.py), forgotten with them."""
    runtime: Runtime = application.bot_data["runtime"]
    due = await keep(
        runtime,
        chat_id=chat_id,
        person_id=person_id,
        replies=replies,
        key=key,
        wait=wait,
        done=done,
        owed=owed,
    )
    if due is not None:
        wake(application, due)


async def keep(
    runtime: Runtime,
    *,
    chat_id: int,
    person_id: int | None,
    replies: list[Reply],
    key: str,
    wait: timedelta,
    done: str | None = None,
    owed: int | None = None,
) -> datetime | None:
    """`hold` without waking the outbox (for the outbox's own hooks, which have no
    `Application`: its next round sends them). When they are due, or None if none."""
    if not replies:
        if done is not None:
            await cut_short.ended(runtime, done)
        return None
    async with runtime.db.session() as session:
        if owed is not None:  # the replies are either owed or held, never both
            await owed_replies.forget(session, owed)
        if person_id is not None and await _erased_since(session, chat_id, person_id):
            if done is not None:
                await cut_short.withdraw(session, done)
            log.info("%d replies not held: their person erased their data meanwhile", len(replies))
            return None
        due = await keep_in(
            session,
            runtime.clock.now(),
            chat_id=chat_id,
            person_id=person_id,
            replies=replies,
            key=key,
            wait=wait,
            done=done,
        )
    kept(runtime, chat_id)
    return due


async def _erased_since(session: AsyncSession, chat_id: int, person_id: int) -> bool:
    """Whether the person the replies were made for erased their data after they were made:
    another replica handled their /borrar_mis_datos between their update's commit and its
    send, which Telegram refused. Nothing of theirs may be kept after it (the replies show
    their profile, their cases...). In their turn (their chat is their Telegram id): an
    erasure under way on another replica has committed before this looks, or begins after
    these rows are in, and cancels them. The erasing update's own replies name no person."""
    await updates.person_turn(session, chat_id)
    return await people.erased(session, person_id)


def kept(runtime: Runtime, chat_id: int) -> None:
    """Replies of the chat were kept (committed): its new replies go behind them."""
    runtime.held.chats.add(chat_id)
    runtime.held.holds += 1


async def keep_in(
    session: AsyncSession,
    now: datetime,
    *,
    chat_id: int,
    person_id: int | None,
    replies: list[Reply],
    key: str,
    wait: timedelta,
    done: str | None = None,
) -> datetime:
    """`keep` in the caller's transaction (an update's: what it tells another chat is then
    owed with its effects, never lost between its commit and a later write); `kept` once
    committed. When they are due."""
    fitted = [piece for reply in replies for piece in fitted_to_telegram(reply)]
    # The chat's held rows locked first, as the outbox's `postpone` takes its rows (then
    # the cut-short notice, one of the chat's later rows): neither waits for the other.
    last = await outbox.last_due_for_chat(session, KIND, chat_id, lock=True)
    due = max(now + wait, last or now)
    if done is not None:
        await cut_short.withdraw(session, done)
    for number, reply in enumerate(fitted):
        await outbox.enqueue(
            session,
            kind=KIND,
            dedupe_key=f"{KIND}:{key}:{number}",
            person_id=person_id,
            chat_id=chat_id,
            payload=payload_of(reply),
            due_at=due,
        )
    return due


async def waiting(runtime: Runtime, chat_id: int) -> bool:
    """Whether replies to the chat wait in the outbox, held or being sent (ask in the chat's
    turn): then new ones go behind them. Only chats held back since start-up are looked up,
    unless another replica is alive (it may have held some meanwhile: every chat is then
    looked up, one query per update with replies); one with nothing left unsent leaves the
    set. A later call of the chat waiting in memory counts too: new replies are held behind
    it (bot/chat_order.py; another replica's is not seen)."""
    if runtime.held.later.get(chat_id):
        return True
    if chat_id not in runtime.held.chats and not runtime.held.others:
        return False
    holds = runtime.held.holds
    try:
        async with runtime.db.session() as session:
            if await outbox.last_due_for_chat(session, KIND, chat_id) is not None:
                return True
    except Exception as error:  # the database away: send (a reply late beats none), look again
        log.warning("held replies: could not look up chat %s (%r)", chat_id, error)
        return False
    if runtime.held.holds == holds:  # else one (`tell`) may have come after the look-up
        runtime.held.chats.discard(chat_id)
    return False


async def tell(
    application: Application, *, chat_id: int, text: str, key: str, done: str | None = None
) -> None:
    """A message (HTML) to someone else's chat, such as a specialist's answer to the asker,
    sent by the outbox as a reply of that chat (named `key`): behind its replies still
    waiting, kept if flood control refuses it. Not sent here in that chat's turn: this runs
    in the sender's own chat's turn, and two turns taken crosswise could wait for each other."""
    await hold(
        application,
        chat_id=chat_id,
        person_id=None,
        replies=[Reply(text)],
        key=key,
        wait=ZERO,
        done=done,
    )


def wake(application: Application, at: datetime) -> None:
    """Run the outbox when `at` comes (unless a wake-up no later than that is set)."""
    runtime: Runtime = application.bot_data["runtime"]
    if runtime.held.wake_at is not None and runtime.held.wake_at <= at:
        return
    runtime.held.wake_at = at
    delay = max((at - runtime.clock.now()).total_seconds(), 0.0) + 0.05
    assert application.job_queue is not None
    application.job_queue.run_once(_woken, delay, name="held replies")


async def _woken(context: ContextTypes.DEFAULT_TYPE) -> None:
    runtime: Runtime = context.bot_data["runtime"]
    runtime.held.wake_at = None
    try:
        await sender.tick(context.application)
        async with runtime.db.session() as session:
            due = await outbox.next_due(session, KIND)
    except Exception as error:  # the database away: try again soon, the replies are kept
        log.warning("held replies: outbox round failed (%r); trying again", error)
        due = runtime.clock.now() + RETRY_WAKE
    if due is not None:
        wake(context.application, due)
