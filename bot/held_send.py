"""Replies made outside an update (bot/follow_ups.py `start_prepared`: the indicator report)
sent in the chat's turn as an update's are, or kept in the outbox behind the chat's held
replies (bot/held.py) when earlier ones wait there or Telegram refuses one; a file too large
for a row (`reply_data.FILE_LIMIT`), and what follows it, left to the caller to make from memory."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import Application

from bot import chat_order, cut_short, held, metrics
from bot.ratelimit import holding, retry_after
from bot.reply_data import Reply, keepable
from bot.runtime import Runtime

log = logging.getLogger(__name__)


# A reply made outside an update (bot/follow_ups.py `start_prepared`): the call that sends it
# now, and the reply as data to keep if it cannot go now.
Part = tuple[Callable[[], Awaitable[Any]], Reply]


@dataclass(frozen=True, slots=True)
class Unkept:
    """What `send_or_hold` could not keep in the outbox: from the first part whose file is
    over `FILE_LIMIT` on, to be made later from memory (bot/follow_ups.py), behind the rest;
    `refused` the refusal that first part met, if it was tried."""

    parts: list[Part]
    refused: RetryAfter | None = None
    place: chat_order.Later | None = None  # in the chat's line, behind what is held now


async def send_or_hold(
    application: Application,
    *,
    chat_id: int,
    person_id: int | None,
    parts: list[Part],
    key: str,
    what: str,
    done: str | None = None,
) -> Unkept | None:
    """Send `parts` in the chat's turn, as an update's replies are sent: one by one; or, when
    earlier replies of the chat wait in the outbox or Telegram refuses one, keep the rest
    there (named `key`), in order behind the chat's other replies and over a restart. A part
    is sent once. A file too large for a row (`FILE_LIMIT`) and the parts after it (all, if
    the database cannot keep them) are returned, for the caller to make from memory. `what`
    names the update in the log; `done` the work whose cut-short notice is withdrawn once
    all are sent or kept (bot/cut_short.py); not while any is returned."""
    runtime: Runtime = application.bot_data["runtime"]
    async with runtime.held.turn(chat_id):
        left: list[Part] = parts if await held.waiting(runtime, chat_id) else []
        wait, error = held.ZERO, None
        for number, (send, _reply) in enumerate(parts):
            if left:
                break
            try:
                with holding():  # kept at the first 429 (bot/ratelimit.py)
                    await send()
            except RetryAfter as refused:
                metrics.flood_round("reply")
                left, wait, error = parts[number:], retry_after(refused), refused
        big = next((n for n, (_send, reply) in enumerate(left) if not keepable(reply)), None)
        unkept = None
        if big is not None:
            unkept = Unkept(left[big:], error if big == 0 else None)
            left, done = left[:big], None
        if not left:
            if done is not None:
                await cut_short.ended(runtime, done)
            return unkept and replace(unkept, place=await chat_order.queue(runtime, chat_id))
        try:
            await held.hold(
                application,
                chat_id=chat_id,
                person_id=person_id,
                replies=[reply for _send, reply in left],
                key=key,
                wait=wait,
                done=done,
            )
        except Exception as failure:  # the database away: from memory (handlers/delivery.py)
            log.warning("%s: %d replies not held (%r): kept in memory", what, len(left), failure)
            unkept = Unkept(left + (unkept.parts if unkept else []), error)
        else:
            log.warning(
                "%s: %d of %d replies held for the outbox (%s)%s",
                what,
                len(left),
                len(parts),
                f"flood control, retry in {wait.total_seconds():g} s"
                if wait
                else "earlier replies to this chat are waiting",
                f"; {len(unkept.parts)} behind them in memory (a file too large to keep)"
                if unkept
                else "",
            )
        return unkept and replace(unkept, place=await chat_order.queue(runtime, chat_id))
