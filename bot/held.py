"""Replies held back by Telegram's flood control: none is lost, none is sent twice.

The rate limiter waits out a 429 and retries (bot/ratelimit.py); if Telegram still refuses,
the reply and whatever else the update had to say are written to the outbox as rendered
(kind "reply", due when Telegram allows) and one warning is logged. The outbox sends them
like any owed message (one chat's messages one after the other, never twice), woken here
when they are due. While a chat has replies waiting, its new replies queue behind them, so
the person reads everything in order."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup
from telegram.ext import Application, ContextTypes

from bot import outbox as sender
from bot.i18n import Translator
from bot.outbox import Outgoing
from bot.runtime import Runtime
from storage.repositories import outbox
from storage.repositories.outbox import OwedMessage

KIND = "reply"
RETRY_WAKE = timedelta(seconds=5)  # after a failed round (the database away...)
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply as data: a new message, or the new text of message `edit`."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    edit: int | None = None


async def hold(
    application: Application,
    *,
    chat_id: int,
    person_id: int | None,
    replies: list[Reply],
    key: str,
    wait: timedelta,
) -> None:
    """Keep `replies` (of the handling named `key`) in the outbox, due after `wait` and not
    before the chat's replies already waiting."""
    if not replies:
        return
    runtime: Runtime = application.bot_data["runtime"]
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        due = max(now + wait, await outbox.last_due_for_chat(session, KIND, chat_id) or now)
        for number, reply in enumerate(replies):
            payload = {
                "text": reply.text,
                "markup": reply.markup.to_dict() if reply.markup else None,
                "edit": reply.edit,
            }
            await outbox.enqueue(
                session,
                kind=KIND,
                dedupe_key=f"{KIND}:{key}:{number}",
                person_id=person_id,
                chat_id=chat_id,
                payload=payload,
                due_at=due,
            )
    runtime.held.chats.add(chat_id)
    wake(application, due)


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
        before = set(runtime.held.chats)
        async with runtime.db.session() as session:
            waiting = await outbox.chats_waiting(session, KIND)
            # A chat held while the query ran is not in its answer yet: keep it, or that
            # person's next reply would overtake the held one.
            runtime.held.chats = waiting | (runtime.held.chats - before)
            due = await outbox.next_due(session, KIND) if runtime.held.chats else None
    except Exception as error:  # the database away: try again soon, the replies are kept
        log.warning("held replies: outbox round failed (%r); trying again", error)
        due = runtime.clock.now() + RETRY_WAKE
    if due is not None:
        wake(context.application, due)


async def render(
    _session: AsyncSession, message: OwedMessage, _t: Translator, _now: datetime
) -> Outgoing:
    """The reply as it was rendered for the person when it was held back."""
    payload = message.payload
    markup = InlineKeyboardMarkup.de_json(payload["markup"], None) if payload["markup"] else None
    return Outgoing(payload["text"], markup, edit=payload["edit"], copy=True, no_previews=True)
