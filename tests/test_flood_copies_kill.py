"""A broadcast's copy or a meeting's reminder that Telegram refuses with a 429 was waited out
in memory (bot/ratelimit.py: up to 3 retries, 30 s) with its outbox row marked «sending». A
kill -9 during that wait left the row «sending», which the next start takes for half-sent
(«unknown»: Telegram may have it) and never sends: the copy was lost, and the coordinator's
final report counted it among those that «got no answer». No other replica could take it
meanwhile either: the row was one process's until its claim went stale.

Now every owed message goes back to pending at its first 429, due when Telegram allows
(bot/outbox.py, `holding`): whoever is up then sends it, once."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.local_api import Fault, LocalBotApi
from storage.db import Database
from storage.models import OutboxMessage
from storage.repositories import broadcasts
from storage.types import utcnow
from tests.test_crash import (
    BROADCAST,
    FIRST_ID,
    START,
    _age_claims,
    _copies,
    _people,
    _sends,
    _start,
    _stop,
    _tail,
    _wait,
    meeting,
)

PEOPLE = 3
COORDINATOR = 32_100_000  # the broadcast's author, who reads its final report
RETRY = 6  # seconds of retry_after: on main the limiter waits them out in memory (< 30 s)
FINAL = "Difusión terminada. Entregados: 3 de 3 · Fallidos: 0"


async def _seed(db: Database, api: LocalBotApi, kind: str) -> None:
    """PEOPLE people owed a broadcast's copy (its progress shown to COORDINATOR) or a
    meeting's reminder, due now."""
    now = utcnow()
    async with db.session() as session:
        ids = await _people(session, api, PEOPLE)
        if kind == "broadcast":
            copies = {"audience": {}, "scheduled_at": now, "person_ids": ids, "created_by": None}
            record = await broadcasts.create(session, text=BROADCAST, **copies)
            # A progress message that no longer exists: the final report comes anew.
            await broadcasts.set_progress_message(session, record.id, COORDINATOR, 999_999)
        else:
            await meeting(session, now)
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.kind == "meeting_reminder")
                .values(due_at=now - timedelta(seconds=1))
            )
    api.add_user(COORDINATOR, "Rosa")
    api.open_chat(COORDINATOR)


async def _put_back(db: Database) -> bool:
    """Whether the refused message is back in the outbox, pending, for when Telegram allows."""
    async with db.session() as session:
        refused = select(OutboxMessage.id).where(
            OutboxMessage.last_error == "429", OutboxMessage.state == "pending"
        )
        return await session.scalar(refused.limit(1)) is not None


def _first_send(api: LocalBotApi) -> int:
    """The chat of the first sendMessage the server received (the one refused)."""
    return next(int(params["chat_id"]) for method, params in api.calls if method == "sendMessage")


def _reports(api: LocalBotApi) -> list[str]:
    return [
        event.text or ""
        for event in api.events
        if event.chat_id == COORDINATOR and event.method == "sendMessage"
    ]


@pytest.mark.parametrize("kind", ["broadcast", "meeting_reminder"])
async def test_a_copy_refused_by_flood_control_survives_a_kill_9(
    api: LocalBotApi, db: Database, tmp_path: Path, kind: str
) -> None:
    """Three people are owed a copy (or a reminder); the first one sent meets a 429 (retry
    after 6 s) and Minka is killed during the wait. After the restart each person has it
    once, and the broadcast's author reads that all 3 were delivered. Failed on main: the
    refused one waited in memory, its row «sending», «unknown» after the kill: never sent,
    and the final report said 2 of 3, one with no answer."""
    await _seed(db, api, kind)
    api.inject("sendMessage", Fault.too_many_requests(RETRY), times=1)
    log = tmp_path / "minka.log"
    first = await _start(db.url, api, log)
    try:
        await _wait(lambda: _sends(api) >= 1, START, "the first copy to be tried", log)
        refused = _first_send(api)
        for _ in range(20):  # until it is put back (on main it waits in memory)
            if await _put_back(db):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
    finally:
        await _stop(first, signal.SIGKILL)
    assert _copies(api)[refused, kind] == 0, "it came before the kill: nothing was tested"

    await _age_claims(db)  # the restart comes as if STALE_AFTER later (see tests/test_crash)
    second = await _start(db.url, api, log)
    try:
        deadline = time.monotonic() + START
        owed = [(FIRST_ID + n, kind) for n in range(PEOPLE)]
        while any(_copies(api)[chat] == 0 for chat in owed) or (
            kind == "broadcast" and not _reports(api)
        ):
            assert time.monotonic() < deadline, (
                f"not all delivered: {dict(_copies(api))}, reports {_reports(api)}" + _tail(log)
            )
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)  # a copy twice would come now
    finally:
        code = await _stop(second, signal.SIGTERM)
    assert code == 0, f"exit code {code}" + _tail(log)
    copies = _copies(api)
    assert {chat: copies[chat] for chat in owed} == dict.fromkeys(owed, 1), copies
    if kind == "broadcast":
        (report,) = _reports(api)
        assert FINAL in report and "sin respuesta" not in report, report


def _delivered(api: LocalBotApi) -> int:
    """The broadcast's copies the chats have, each counted."""
    copies = _copies(api)
    return sum(copies[FIRST_ID + n, "broadcast"] for n in range(PEOPLE))


async def test_a_copy_caught_in_flight_by_a_kill_still_ends_the_broadcast(
    api: LocalBotApi, db: Database, tmp_path: Path
) -> None:
    """The first copy's call is slow (Telegram takes 4 s to answer) and Minka is killed
    meanwhile: the copy may have arrived, so it is not sent again («unknown»). After the
    restart the author reads the final report, that copy counted among those without an
    answer. Failed on main: nothing was left to send, so no round reported the end, and the
    author's progress stopped at «Enviados 2 de 3» for good."""
    await _seed(db, api, "broadcast")
    api.inject("sendMessage", Fault.stall(4), times=1)
    log = tmp_path / "minka.log"
    first = await _start(db.url, api, log)
    try:
        await _wait(lambda: _sends(api) >= PEOPLE, START, "every copy to be tried", log)
        await asyncio.sleep(0.5)  # the others answered and recorded
    finally:
        await _stop(first, signal.SIGKILL)
    await _age_claims(db)
    second = await _start(db.url, api, log)
    try:
        await _wait(lambda: bool(_reports(api)), START, "the final report", log)
        await asyncio.sleep(1)
    finally:
        code = await _stop(second, signal.SIGTERM)
    assert code == 0, f"exit code {code}" + _tail(log)
    (report,) = _reports(api)
    assert "Entregados: 2 de 3" in report and "Copias sin respuesta de Telegram: 1" in report, (
        report
    )
    # The stalled call reaches the chat when its 4 s are up, however soon the second start
    # reported the end (a quick restart on a quiet box read the copies before).
    await _wait(lambda: _delivered(api) >= PEOPLE, 10, "the stalled copy to arrive", log)
    assert _delivered(api) == PEOPLE  # once each
