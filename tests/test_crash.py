"""Issue #7: kill -9 during a broadcast with meeting reminders due; after a restart every
recipient has exactly one copy of each.

Minka runs as a real process (`python -m bot run`) against the local Bot API server, on a
SQLite file and on PostgreSQL. The database holds registered people, a broadcast to all of
them and a meeting whose reminders are due, their rows interleaved so both kinds are being
sent when the process dies. Once part of the copies have arrived, the server stalls the next
calls until every concurrent send (`bot.outbox.IN_FLIGHT`) is inside a call Telegram has
received but not answered, and the process gets SIGKILL: rows are then sent, in flight,
claimed and pending at once. A second process finishes the work.

What the outbox guarantees: a row caught "sending" is not sent again (Telegram may have it;
it becomes "unknown"), a row caught "claimed" is sent again. Here every row caught sending is
inside a call the server received, so exactly one copy is the expected outcome for all. (A
kill between recording "sending" and the request leaving would lose that copy: the price of
never sending one twice; the broadcaster's final report counts such copies.)

Two smaller tests cover the same promise without a kill: a send that times out after Telegram
got it, and a process that was only slow whose stale claims another one took over.
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import ExtBot

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.local_api.faults import Fault
from bot.outbox import BATCH, IN_FLIGHT, STALE_AFTER, dispatch_due
from bot.ratelimit import PriorityRateLimiter
from bot.runtime import Runtime
from bot.services import meetings
from bot.transport import AiohttpRequest
from handlers import outbox_renderers
from knowledge.base import KnowledgeBase
from storage.db import Database
from storage.models import OutboxMessage, Person
from storage.repositories import broadcasts, outbox_marks
from storage.types import utcnow
from tests.conftest import TOKEN
from tests.service import run_command

PEOPLE = 120
FIRST_ID = 31_000_000
BROADCAST = "Aviso: el taller regional de formalización se traslada al jueves."
TITLE = "Coordinación de prueba tras una caída"
RATE = 150.0  # messages/s Minka allows itself: ~1.5 s of sending, room to kill half way
KILL_AT = 0.4  # share of the owed copies delivered before the stall that precedes the kill
STALL = 3.0  # seconds the server holds the calls in flight at the kill (< PTB's 5 s timeout)
# A process start loads the Tool Kit (~2.7 CPU s): 30 s of wall time at load 12 on two cores.
START = 120.0
WAITING = ("pending", "claimed", "sending")
# The kill must land inside the first claimed batch, with more rows left in it than send
# slots, and rows beyond it still pending.
assert 2 * PEOPLE * KILL_AT + 2 * IN_FLIGHT < BATCH < 2 * PEOPLE, "adjust PEOPLE, KILL_AT"


async def _people(session: AsyncSession, api: LocalBotApi, count: int) -> list[int]:
    """`count` registered people with open chats (ids FIRST_ID...); their person ids."""
    now = utcnow()
    person = {"region_code": "puno", "role": "official", "locale": "es", "active": True}
    person |= {"consent_at": now, "registered_at": now, "created_at": now}
    await session.execute(
        insert(Person),
        [
            {**person, "telegram_id": FIRST_ID + n, "full_name": f"Persona {n}"}
            for n in range(count)
        ],
    )
    for n in range(count):
        api.add_user(FIRST_ID + n, f"Persona {n}")
        api.open_chat(FIRST_ID + n)
    return list(await session.scalars(select(Person.id).order_by(Person.id)))


async def meeting(session: AsyncSession, now: datetime) -> None:
    """A meeting (TITLE) for everyone, its 2 h reminders due in a minute; its invitations
    count as sent (they went out when it was made)."""
    await meetings.create(
        session,
        title=TITLE,
        kind="coordinacion",
        starts_at=now + timedelta(hours=2, minutes=1),
        ends_at=now + timedelta(hours=4),
        audience=meetings.Audience(everyone=True),
        offsets=[7200],
        now=now,
    )
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.kind == "meeting_invitation")
        .values(state="sent", sent_at=now)
    )


async def _seed(db: Database, api: LocalBotApi) -> None:
    """PEOPLE people, a broadcast to all and a meeting reminder each, due now (moved below)."""
    now = utcnow()
    async with db.session() as session:
        ids = await _people(session, api, PEOPLE)
        await meeting(session, now)
        await broadcasts.create(
            session, text=BROADCAST, audience={}, scheduled_at=now, person_ids=ids, created_by=None
        )
    async with db.session() as session:
        # Person by person, reminder then broadcast copy: both kinds are in every state
        # (sent, in flight, claimed, pending) when the process dies.
        rows = (
            await session.execute(
                select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.person_id).where(
                    OutboxMessage.state == "pending"
                )
            )
        ).all()
        assert len(rows) == 2 * PEOPLE, f"seeding owed {len(rows)} messages"
        start = now - timedelta(minutes=1)
        await session.execute(
            update(OutboxMessage),
            [
                {
                    "id": row.id,
                    "due_at": start
                    + timedelta(milliseconds=2 * row.person_id + (row.kind == "broadcast")),
                }
                for row in rows
            ],
        )


async def _start(
    url: str,
    api: LocalBotApi,
    log: Path,
    rate: float = RATE,
    command: tuple[str, ...] | None = None,
    **settings: str,
) -> asyncio.subprocess.Process:
    """`python -OO -m bot run` as the service runs it (tests.service), in an empty directory
    (no stray `.env`), sending `rate` messages a second at most (`command`: python's
    arguments instead; `settings`: more environment variables)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "BOT_", "DATABASE_", "OUTBOX_", "RATE_", "LOG_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        DATABASE_URL=url,
        OUTBOX_INTERVAL_SECONDS="0.3",
        RATE_LIMIT_PER_SECOND=str(rate),
        **settings,
    )
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            *(run_command() if command is None else command),
            env=env,
            cwd=log.parent,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )


def _kind(text: str | None) -> str | None:
    if text == BROADCAST:
        return "broadcast"
    if text and TITLE in text:
        return "meeting_reminder"
    return None


def _copies(api: LocalBotApi) -> Counter[tuple[int, str]]:
    """(chat, kind) → copies the server delivered."""
    return Counter(
        (event.chat_id, kind)
        for event in api.events
        if event.method == "sendMessage" and (kind := _kind(event.text))
    )


def _sends(api: LocalBotApi) -> int:
    """sendMessage calls the server has received (answered or not)."""
    return sum(1 for method, _params in api.calls if method == "sendMessage")


def _polls(api: LocalBotApi) -> int:
    """getUpdates calls the server has received: a process polls once its start-up is over."""
    return sum(1 for method, _params in api.calls if method == "getUpdates")


def _in_flight(api: LocalBotApi) -> int:
    """sendMessage calls the server has received but not yet answered (stalled)."""
    return _sends(api) - sum(1 for event in api.events if event.method == "sendMessage")


async def _states(db: Database) -> Counter[tuple[str, str]]:
    """(kind, state) → rows, for the owed messages this test is about."""
    async with db.session() as session:
        rows = await session.execute(
            select(OutboxMessage.kind, OutboxMessage.state, func.count())
            .where(OutboxMessage.kind != "meeting_invitation")
            .group_by(OutboxMessage.kind, OutboxMessage.state)
        )
        return Counter({(kind, state): count for kind, state, count in rows})


def _waiting(states: Counter[tuple[str, str]]) -> int:
    return sum(count for (_kind_name, state), count in states.items() if state in WAITING)


async def _age_claims(db: Database) -> None:
    """The restart comes STALE_AFTER later, as far as the claims are concerned: a new process
    cannot tell a dead one's claims from a live replica's until then. Moving the claim times
    back stands for the wait (the test would otherwise sleep 30 s per database)."""
    async with db.session() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state.in_(["claimed", "sending"]))
            .values(claimed_at=utcnow() - STALE_AFTER - timedelta(seconds=1))
        )


async def _wait(
    check: Callable[[], bool], timeout: float, what: str, log: Path | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{_tail(log)}")
        await asyncio.sleep(0.02)


def _tail(log: Path | None) -> str:
    if log is None:
        return ""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return "\nMinka's log (last lines):\n" + "\n".join(lines[-25:])


async def _stop(process: asyncio.subprocess.Process, sig: signal.Signals) -> int:
    """Signal and wait, within systemd's TimeoutStopSec (deploy/minka.service): a SIGTERM
    while a report builds took over 15 s on a quiet box (CI run 25c)."""
    if process.returncode is None:
        process.send_signal(sig)
    return await asyncio.wait_for(process.wait(), timeout=30)


async def test_kill_9_mid_broadcast_with_reminders_due_leaves_exactly_one_copy_each(
    api: LocalBotApi, db: Database, tmp_path: Path
) -> None:
    await _seed(db, api)
    owed = 2 * PEOPLE
    log = tmp_path / "minka.log"

    first = await _start(db.url, api, log)
    try:
        await _wait(
            lambda: sum(_copies(api).values()) >= owed * KILL_AT,
            START,
            f"{KILL_AT:.0%} of {owed} copies from the first process",
            log,
        )
        # The next IN_FLIGHT calls to arrive are held; once all have arrived, every send slot
        # of the outbox is inside one of them: nothing sits between "sending" and the call.
        mark = _sends(api)
        api.inject("sendMessage", Fault.stall(STALL), times=IN_FLIGHT)
        await _wait(
            lambda: _sends(api) - mark >= IN_FLIGHT, STALL, f"{IN_FLIGHT} stalled sends", log
        )
    finally:
        await _stop(first, signal.SIGKILL)
    assert _in_flight(api) == IN_FLIGHT, "the kill came after the stalled calls ended"
    delivered_before = sum(_copies(api).values())

    at_kill = await _states(db)
    by_state = Counter[str]()
    for (_kind_name, state), count in at_kill.items():
        by_state[state] += count
    assert by_state["sending"] == IN_FLIGHT, f"rows in flight at the kill: {at_kill}"
    assert sum(by_state.values()) - by_state["pending"] <= BATCH, (
        f"one claim took more than BATCH={BATCH} rows: {at_kill}"
    )
    assert by_state["sent"] and by_state["claimed"] and by_state["pending"], (
        f"the kill should find rows sent, claimed and pending: {at_kill}"
    )
    for kind in ("broadcast", "meeting_reminder"):
        assert at_kill[kind, "sent"] and sum(at_kill[kind, s] for s in WAITING), (
            f"{kind} should be half sent at the kill: {at_kill}"
        )

    await _age_claims(db)
    second = await _start(db.url, api, log)
    try:
        deadline = time.monotonic() + START
        while _waiting(states := await _states(db)):
            assert time.monotonic() < deadline, (
                f"outbox not drained after the restart: {states}" + _tail(log)
            )
            await asyncio.sleep(0.2)
        # The calls stalled at the kill complete on the server side (Telegram has them).
        await _wait(lambda: _in_flight(api) == 0, STALL + 5, "the stalled calls to end", log)
    finally:
        code = await _stop(second, signal.SIGTERM)
    assert code == 0, f"Minka exited with {code} on SIGTERM" + _tail(log)

    final = await _states(db)
    assert {state for _kind_name, state in final} <= {"sent", "unknown"}, (
        f"rows not in a final state after the restart: {final}"
    )
    assert sum(n for (_k, s), n in final.items() if s == "unknown") == IN_FLIGHT, (
        f"only the rows in flight at the kill may end 'unknown' (not resent): {final}"
    )
    copies = _copies(api)
    problems = [
        f"chat {FIRST_ID + n} got {copies[FIRST_ID + n, kind]} × {kind}"
        for n in range(PEOPLE)
        for kind in ("broadcast", "meeting_reminder")
        if copies[FIRST_ID + n, kind] != 1
    ]
    assert not problems, (
        f"{len(problems)} of {owed} owed copies wrong ({delivered_before} arrived before the "
        f"kill; rows at the kill {dict(at_kill)}; final {dict(final)}):\n"
        + "\n".join(problems[:20])
    )
    assert sum(copies.values()) == owed


@functools.cache
def _knowledge() -> KnowledgeBase:
    return KnowledgeBase.load()


def _bot(api: LocalBotApi, limiter: PriorityRateLimiter, **request: float) -> ExtBot[None]:
    return ExtBot(
        TOKEN,
        base_url=api.base_url,
        rate_limiter=limiter,
        request=AiohttpRequest(connection_pool_size=16, **request),
    )


async def _broadcast_to(db: Database, api: LocalBotApi, count: int) -> None:
    async with db.session() as session:
        ids = await _people(session, api, count)
        await broadcasts.create(
            session,
            text=BROADCAST,
            audience={},
            scheduled_at=utcnow(),
            person_ids=ids,
            created_by=None,
        )


async def test_a_send_that_times_out_after_telegram_got_it_is_not_repeated(
    api: LocalBotApi, db: Database, settings: Settings
) -> None:
    """Telegram answers after our read timeout: the copy arrived, we heard nothing. Like a
    call cut by a kill, it is left 'unknown'; retrying it later gave a second copy."""
    await _broadcast_to(db, api, 1)
    runtime = Runtime(settings, db, _knowledge())
    api.inject("sendMessage", Fault.stall(1.0))
    async with _bot(api, PriorityRateLimiter(), read_timeout=0.3) as bot:
        assert await dispatch_due(bot, runtime, outbox_renderers()) == 0
        await _wait(lambda: _in_flight(api) == 0, 5, "the stalled call to end")
        runtime.clock.advance(timedelta(hours=1))  # past any retry time
        assert await dispatch_due(bot, runtime, outbox_renderers()) == 0
    assert _copies(api) == Counter({(FIRST_ID, "broadcast"): 1})
    assert await _states(db) == Counter({("broadcast", "unknown"): 1})


async def test_a_slow_process_does_not_send_what_another_took_over(
    api: LocalBotApi, db: Database, settings: Settings
) -> None:
    """A live process whose claims outlast STALE_AFTER (waiting for send slots, e.g. one of
    several replicas at 29.5/N messages/s) looks dead to another, which queues them again and
    sends them: the slow one must then skip them, not send them too."""
    await _broadcast_to(db, api, 3)
    slow, other = Runtime(settings, db, _knowledge()), Runtime(settings, db, _knowledge())
    other.clock.advance(STALE_AFTER + timedelta(seconds=1))  # the slow one's claims look stale
    renderers = outbox_renderers()
    async with (
        _bot(api, PriorityRateLimiter(1.0, burst=1.0)) as slow_bot,  # one copy a second
        _bot(api, PriorityRateLimiter()) as other_bot,
    ):
        slow_run = asyncio.create_task(dispatch_due(slow_bot, slow, renderers))
        await _wait(lambda: sum(_copies(api).values()) == 1, 5, "the slow process's first copy")
        async with db.session() as session:
            await outbox_marks.recover_stale(session, other.clock.now() - STALE_AFTER)
        taken_over = await dispatch_due(other_bot, other, renderers)
        sent_by_slow = await slow_run
    copies = _copies(api)
    assert copies == Counter({(FIRST_ID + n, "broadcast"): 1 for n in range(3)}), copies
    assert (sent_by_slow, taken_over) == (1, 2), "the slow process should still have 2 claims"
