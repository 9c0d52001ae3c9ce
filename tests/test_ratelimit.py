"""The bot's rate limiter: a reply to a person never waits for a slot a broadcast just took."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from bot import ratelimit
from bot.ratelimit import PriorityRateLimiter


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every pause the limiter makes (it still pauses, for real)."""
    recorded: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        recorded.append(seconds)
        await real_sleep(seconds)

    monkeypatch.setattr(ratelimit, "asyncio", SimpleNamespace(sleep=sleep))
    return recorded


async def test_a_reply_finds_a_slot_while_a_broadcast_sends_flat_out(waits: list[float]) -> None:
    limiter = PriorityRateLimiter(per_second=5.0, burst=3.0)
    for _ in range(6):  # a broadcast taking every slot it may, as the outbox does
        await limiter.reserve()
    waits.clear()
    await limiter._take(urgent=True)  # a reply to someone's question
    assert waits == []  # sent at once: the broadcast left it a slot


async def test_a_reply_of_two_messages_waits_for_neither_while_a_broadcast_sends(
    waits: list[float],
) -> None:
    """A long answer is split in two messages (or two people ask at once): both go at once,
    the broadcast had left room for them (bench.broadcast: the second message of a reply
    waited 30-70 ms for a slot while the copies were sent)."""
    limiter = PriorityRateLimiter()  # the bot's own: Telegram's 29.5 a second
    for _ in range(8):
        await limiter.reserve()
    waits.clear()
    await limiter._take(urgent=True)
    await limiter._take(urgent=True)
    assert waits == []


async def test_the_moment_a_broadcast_is_sent_its_burst_of_replies_goes_at_once(
    waits: list[float],
) -> None:
    """«Enviar» of a broadcast (bench.broadcast, issue #17's phase (a)): the coordinator's
    steps and progress, another coordinator's /indicadores and the replies to the people
    asking meanwhile asked for 23 slots in half a second. A bucket of 4, then 8, sent them one
    every 34 ms once empty, and the replies of that second waited up to 249 ms; 16 go at once,
    and a broadcast sending flat out still leaves 14 to a burst of replies."""
    limiter = PriorityRateLimiter()  # the bot's own: Telegram's 29.5 a second
    for _ in range(16):
        await limiter._take(urgent=True)
    assert waits == []
    limiter = PriorityRateLimiter()
    for _ in range(12):  # a broadcast taking every slot it may, as the outbox does
        await limiter.reserve()
    waits.clear()
    for _ in range(14):
        await limiter._take(urgent=True)
    assert waits == []


async def test_the_broadcast_keeps_the_rate_while_leaving_room(waits: list[float]) -> None:
    """What the broadcast leaves for replies costs it no rate: alone, it still sends at the
    limiter's rate (a full bucket's worth at once, then one slot per 1/rate seconds)."""
    limiter = PriorityRateLimiter(per_second=20.0)
    started = asyncio.get_running_loop().time()
    for _ in range(22):  # 2 at once (the bucket keeps 14 for replies), then 20 at 20 a second
        await limiter.reserve()
    assert asyncio.get_running_loop().time() - started < 1.0 + 0.2


async def test_with_one_slot_per_replica_the_broadcast_still_goes(waits: list[float]) -> None:
    limiter = PriorityRateLimiter(per_second=30.0, burst=3.0)
    limiter.share(4)  # 4 replicas: a burst of one slot each
    for _ in range(3):
        await asyncio.wait_for(limiter.reserve(), 2)


async def test_a_reports_files_leave_the_slots_to_replies(waits: list[float]) -> None:
    """A coordinator's report arrives as a dozen calls (summary, charts, workbook) after
    seconds of work: sent as replies, they took every slot and the people asking meanwhile
    waited behind them (bench.broadcast: 11 ms of a slow reply's time, while a workbook was
    delivered). They now take only the slots replies leave, as owed messages do."""
    limiter = PriorityRateLimiter(per_second=5.0, burst=4.0)
    await limiter._take(urgent=True)
    await limiter._take(urgent=True)  # two replies went: two slots left, kept for replies
    waits.clear()
    sent = asyncio.get_running_loop().create_future()

    async def call() -> bool:
        sent.set_result(True)
        return True

    report = asyncio.create_task(
        limiter.process_request(call, (), {}, "sendPhoto", {}, ratelimit.AFTER_REPLIES)
    )
    await asyncio.sleep(0.05)
    assert not sent.done() and waits  # waiting for a slot no reply needs
    await limiter._take(urgent=True)  # a person's reply still goes at once
    await asyncio.wait_for(report, 2)


async def test_a_reports_files_go_before_a_broadcasts_copies(waits: list[float]) -> None:
    """Among the slots replies leave, the report's come first: competing as equals with a
    broadcast's twelve concurrent sends, its dozen calls took 12 s instead of 3.5-6."""
    limiter = PriorityRateLimiter(per_second=10.0, burst=4.0)
    for _ in range(2):
        await limiter.reserve()  # the broadcast took what it may: two slots left
    order: list[str] = []

    async def photo() -> bool:
        order.append("report")
        return True

    async def copy() -> None:
        await limiter.reserve()
        order.append("copy")

    copies = [asyncio.create_task(copy()) for _ in range(3)]
    await asyncio.sleep(0)  # the copies wait first
    report = limiter.process_request(photo, (), {}, "sendPhoto", {}, ratelimit.AFTER_REPLIES)
    await asyncio.wait_for(asyncio.gather(report, *copies), 5)
    assert order[0] == "report"
