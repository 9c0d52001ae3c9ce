"""A reply Telegram refuses with a 429 was retried by the rate limiter in memory (up to 30 s,
bot/ratelimit.py) before it was held in the outbox (bot/held.py). Meanwhile it was one
process's secret: another replica, handling the person's next update, found nothing of the
chat in the outbox and answered at once, before the reply refused a moment earlier; and a
process killed during those waits took the reply with it (its update was already recorded
as handled, so no process answered it again). The same held for a held reply the outbox was
retrying in memory: marked «sending», then «unknown» after the kill, never sent.

Now a chat's reply refused by flood control goes to the outbox at the first 429 (`ratelimit.
holding`): durable, due when Telegram allows, and seen by every replica's `held.waiting`."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.local_api import Fault, LocalBotApi
from bot.runtime import Runtime
from storage.db import Database
from storage.models import OutboxMessage
from storage.repositories import outbox
from tests.chat import Person
from tests.test_crash import START, _sends, _start, _stop, _tail
from tests.test_flood_replicas_order import _held, two

__all__ = ["two"]  # the fixture: two webhook replicas on one database
RETRY = 5  # seconds of retry_after: the limiter would wait them out in memory (< 30 s)


async def _refused(api: LocalBotApi, before: int, calls: int = 1) -> None:
    """Until `calls` more sendMessage calls reached the server (the injected 429s)."""
    for _ in range(600):
        if _sends(api) >= before + calls:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the reply was never tried: nothing was tested")


async def _held_soon(count: Callable[[], Awaitable[int]]) -> None:
    """Until held rows appear, or a second (on main the reply waited in memory)."""
    for _ in range(20):
        if await count():
            return
        await asyncio.sleep(0.05)


async def _held_in(db: Database) -> int:
    async with db.session() as session:
        count = select(func.count()).select_from(OutboxMessage)
        return await session.scalar(count.where(OutboxMessage.kind == outbox.HELD)) or 0


async def test_a_reply_retried_after_a_429_is_not_overtaken_by_the_other_replica(
    api: LocalBotApi, two: list[Runtime]
) -> None:
    """Ana's /ayuda, on one replica, meets one 429 (retry after 5 s); her /privacidad goes to
    the other replica a moment later. She reads /ayuda's reply first. Failed on main: the
    first replica was still waiting in memory, the other answered /privacidad at once."""
    ana = Person(api, 8830, "Ana", last_name="Quispe")
    await asyncio.sleep(1)  # a few heartbeats: each replica knows the other is alive
    (help_text,) = await ana.say("/ayuda")
    (privacy_text,) = await ana.say("/privacidad")
    before = _sends(api)
    api.inject("sendMessage", Fault.too_many_requests(RETRY), times=1)
    await ana.send("/ayuda")  # to the first replica (the updates alternate)
    await _refused(api, before)
    await _held_soon(lambda: _held(two[0]))
    await ana.send("/privacidad")  # to the other one, well within the 5 s
    first, then = await ana.replies(2, timeout=30)
    assert (first.text, then.text) == (help_text.text, privacy_text.text), [first, then]
    await asyncio.sleep(0.5)
    assert ana.no_more() == []  # each once


@pytest.mark.parametrize("refusals", [1, 2], ids=["reply", "reply_and_outbox"])
async def test_a_reply_retried_after_a_429_survives_a_kill_9(
    api: LocalBotApi, db: Database, tmp_path: Path, refusals: int
) -> None:
    """Ana's /ayuda meets a 429 (retry after 5 s; with `refusals` 2, its next try too) and
    Minka is killed during the wait. The next process sends her the reply, once. Failed on
    main: the reply waited in the killed process's memory (refusals 1) or in a row marked
    «sending», taken for half-sent after the kill (2), and never came."""
    ana = Person(api, 8831, "Ana", last_name="Quispe")
    log = tmp_path / "minka.log"
    first = await _start(db.url, api, log)
    try:
        (help_text,) = await ana.say("/ayuda", timeout=START)
        before = _sends(api)
        api.inject("sendMessage", Fault.too_many_requests(RETRY), times=refusals)
        await ana.send("/ayuda")
        await _refused(api, before, refusals)
        await _held_soon(lambda: _held_in(db))
        await asyncio.sleep(0.5)  # the refusal recorded, if it is (the outbox's, 2)
    finally:
        await _stop(first, signal.SIGKILL)
    assert ana.no_more() == [], "the reply came before the kill: nothing was tested"
    second = await _start(db.url, api, log)
    try:
        reply = await ana.reply(timeout=START)
        assert reply.text == help_text.text, reply
        await asyncio.sleep(1)
        assert ana.no_more() == []
    finally:
        code = await _stop(second, signal.SIGTERM)
    assert code == 0, f"exit code {code}" + _tail(log)
