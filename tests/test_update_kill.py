"""No reply dropped by a kill: an update Telegram was told it may forget (polling confirms a
batch by asking getUpdates for the next offset as soon as it is queued, before its handlers
run) is in the database first (bot/inbox.py), so a `kill -9` before its handler's
transaction commits no longer loses the official's question: the next process handles it.
A kill after that commit, before the replies are sent: they were written with the commit
(bot/owed_replies.py), and the next process sends them once it sees the killed one dead
(silent for three heartbeats), never while it lives.

Minka runs as a real process (`python -m bot run`) against the local Bot API server, on a
SQLite file and on PostgreSQL. In the first process every update's handler waits forever
(the hook below: before its transaction, or before its replies' send): the question is
confirmed to Telegram, never answered, and the process gets SIGKILL. The second process
answers it once. Webhook mode (in process): the update is in the database when Telegram gets
its 200."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.local_api import LocalBotApi
from bot.webhook import SECRET_HEADER, serving
from storage.db import Database
from storage.models import InboxReply, InboxUpdate, Question, Replica
from storage.repositories import updates
from tests.chat import Person
from tests.helpers import registered_official
from tests.postgres import _free_port
from tests.test_crash import START, _polls, _start, _stop, _tail, _wait
from tests.test_webhook import SECRET, message_update, webhook_settings

QUESTION = "¿qué deben declarar los inscritos en el reinfo? ley 32537"
# A heartbeat a second: a killed process is seen dead after three (bot/replicas.py).
FAST_BEATS = {"HEARTBEAT_SECONDS": "1"}


def _hanging(module: str, name: str) -> tuple[str, ...]:
    """`python -m bot run` whose updates wait forever at `module.name` (their handler's
    transaction, or the send of their replies)."""
    return (
        "-c",
        "import asyncio, sys\n"
        f"import {module} as target\n"
        "async def hang(*args, **kwargs):\n"
        "    await asyncio.Event().wait()\n"
        f"target.{name} = hang\n"
        "from bot.cli import main\n"
        "sys.exit(main(['run']))\n",
    )


async def _count(db: Database, table: type) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(table)) or 0


async def _rows(
    db: Database, table: type, count: int, timeout: float, what: str, log: Path
) -> None:
    """Wait until `table` holds `count` rows (fail after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while (found := await _count(db, table)) != count:
        assert time.monotonic() < deadline, f"{what}: {found} rows in {timeout:.0f} s{_tail(log)}"
        await asyncio.sleep(0.1)


async def test_a_question_confirmed_to_telegram_is_answered_after_a_kill_9(
    api: LocalBotApi, db: Database, tmp_path: Path
) -> None:
    """Ana asks; Telegram is told the update is taken; the process dies before its handler's
    transaction. After the restart Ana gets her answer, once, and no copy of her update is
    kept. Failed before bot/inbox.py: the confirmed update was gone, no reply ever came."""
    await _killed_and_answered(
        api, db, tmp_path, _hanging("storage.repositories.updates", "begin"), handled=0
    )


async def test_a_question_killed_after_its_commit_is_still_answered(
    api: LocalBotApi, db: Database, tmp_path: Path
) -> None:
    """The same kill after the handler's commit, before the reply's send: the reply was
    written with the commit; after the restart Ana gets it, once, and neither her update nor
    the reply is kept. Failed before bot/owed_replies.py (a strict xfail): the restart saw
    a repeat and sent nothing."""
    await _killed_and_answered(
        api, db, tmp_path, _hanging("handlers.delivery", "deliver"), handled=1
    )


async def test_a_living_process_s_replies_are_not_sent_by_another(
    api: LocalBotApi, db: Database, tmp_path: Path
) -> None:
    """Two processes (replicas): the first commits Ana's question and hangs before its reply.
    While it lives (its heartbeats go on), the second does not send that reply for it (it
    would be sent twice); once the first is killed and falls silent, the second sends it."""
    ana = Person(api, 7961, "Ana", last_name="Quispe")
    async with db.session() as session:
        await registered_official(session, ana.id, ana.full_name, region_code="puno")
    log = tmp_path / "minka.log"
    hanging = _hanging("handlers.delivery", "deliver")
    first = await _start(db.url, api, log, command=hanging, **FAST_BEATS)
    second = None
    try:
        await _wait(lambda: _polls(api) > 0, START, "the first process's polling", log)
        await ana.send(QUESTION)
        await _wait(lambda: api.pending_updates == 0, 30, "Telegram's confirmation", log)
        await _rows(db, InboxReply, 1, 30, "the reply owed", log)
        second = await _start(db.url, api, log, **FAST_BEATS)
        # Its heartbeat, not a poll (the first polls too): the second's start-up, and the
        # look for a dead process's replies that precedes that beat, are over.
        await _rows(db, Replica, 2, START, "the second process's heartbeat", log)
        await asyncio.sleep(5)  # five heartbeats of each: the first alive, its reply its own
        assert ana.no_more() == [], "a living process's reply sent by another"
        assert await _count(db, InboxReply) == 1
        await _stop(first, signal.SIGKILL)
        answer = await ana.reply(timeout=30)
        assert answer.text.startswith("¿Qué deben declarar los inscritos en el REINFO"), answer
        await asyncio.sleep(1)
        assert await _count(db, InboxReply) == 0
    finally:
        await _stop(first, signal.SIGKILL)
        code = await _stop(second, signal.SIGTERM) if second is not None else 0
    assert code == 0, f"exit code {code}" + _tail(log)
    assert ana.no_more() == [], "the question was answered twice"


async def test_a_reply_sent_is_not_sent_again_after_a_restart(
    api: LocalBotApi, db: Database, tmp_path: Path
) -> None:
    """The common path: Ana is answered; her owed reply goes with her update's row (within
    `FLUSH_AFTER`); a kill after that and a start send nothing more."""
    ana = Person(api, 7962, "Ana", last_name="Quispe")
    async with db.session() as session:
        await registered_official(session, ana.id, ana.full_name, region_code="puno")
    log = tmp_path / "minka.log"
    for n in range(2):
        polled = _polls(api)
        process = await _start(db.url, api, log, **FAST_BEATS)
        try:
            await _wait(lambda: _polls(api) > polled, START, "polling", log)  # noqa: B023
            if n == 0:
                await ana.send(QUESTION)
                answer = await ana.reply(timeout=30)
                assert answer.text.startswith("¿Qué deben declarar"), answer
                # Deleted with the update's row, batched (`inbox.FLUSH_AFTER`).
                await _rows(db, InboxReply, 0, 30, "the sent reply forgotten", log)
            else:
                await asyncio.sleep(5)  # the killed one seen dead, and heartbeats' more
        finally:
            await _stop(process, signal.SIGKILL)
    assert ana.no_more() == [], "the question was answered twice"


async def _killed_and_answered(
    api: LocalBotApi, db: Database, tmp_path: Path, command: tuple[str, ...], handled: int
) -> None:
    """The first process (`command`) takes Ana's question and is killed once Telegram was
    told (`handled`: questions recorded by then); the second must answer it, once."""
    ana = Person(api, 7960, "Ana", last_name="Quispe")
    async with db.session() as session:
        await registered_official(session, ana.id, ana.full_name, region_code="puno")
    log = tmp_path / "minka.log"
    first = await _start(db.url, api, log, command=command, **FAST_BEATS)
    try:
        await _wait(lambda: _polls(api) > 0, START, "the first process's polling", log)
        await ana.send(QUESTION)
        await _wait(lambda: api.pending_updates == 0, 30, "Telegram's confirmation", log)
        if handled:  # until the handler is where it waits: after its commit
            await _rows(db, Question, handled, 30, "the question recorded", log)
    finally:
        await _stop(first, signal.SIGKILL)
    assert ana.no_more() == [], "answered before the kill: nothing was tested"
    assert await _count(db, Question) == handled, "the kill came elsewhere than intended"

    polled = _polls(api)
    second = await _start(db.url, api, log, **FAST_BEATS)
    try:
        await _wait(lambda: _polls(api) > polled, START, "the second process's polling", log)
        answer = await ana.reply(timeout=30)
        assert answer.method == "sendMessage", answer
        assert answer.text.startswith("¿Qué deben declarar los inscritos en el REINFO"), answer
        await asyncio.sleep(1)  # a moment for a second copy to show
        assert await _count(db, Question) == 1
    finally:
        code = await _stop(second, signal.SIGTERM)
    assert code == 0, f"exit code {code}" + _tail(log)
    assert ana.no_more() == [], "the question was answered twice"
    assert await _count(db, InboxUpdate) == 0, "the update's text kept after it was done"
    assert await _count(db, InboxReply) == 0, "the reply's text kept after it was sent"


async def test_a_webhook_update_is_kept_before_its_200(
    api: LocalBotApi, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Webhook mode: by the time Telegram gets its 200 the update is in the database (a kill
    then leaves it for the next start), and once handled it is gone."""
    ana = Person(api, 7965, "Ana", last_name="Quispe")
    api.open_chat(ana.id)
    gate, original = asyncio.Event(), updates.begin

    async def held(*args: object, **kwargs: object) -> bool:
        await gate.wait()  # the handler waits: the update is in hand
        return await original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(updates, "begin", held)
    port = _free_port()
    update = message_update(7100, ana.id, "/ayuda")
    update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 6}]
    async with (
        serving(webhook_settings(api, database_url, port)) as application,
        aiohttp.ClientSession() as http,
    ):
        db: Database = application.bot_data["runtime"].db
        headers = {SECRET_HEADER: SECRET}
        async with http.post(
            f"http://127.0.0.1:{port}/telegram", json=update, headers=headers
        ) as response:
            assert response.status == 200
        async with db.session() as session:
            kept = (
                await session.execute(select(InboxUpdate.update_id, InboxUpdate.telegram_id))
            ).all()
        assert kept == [(7100, ana.id)]
        gate.set()
        reply = await ana.reply()
        assert "/temas" in (reply.text or ""), reply
        for _ in range(50):  # deleted with the next write, or within FLUSH_AFTER
            if await _count(db, InboxUpdate) == 0:
                break
            await asyncio.sleep(0.1)
        assert await _count(db, InboxUpdate) == 0
