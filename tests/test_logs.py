"""Structured logs: one JSON object per line with update id, user id, handler and duration,
never a person's name or what they wrote."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys

import pytest
from sqlalchemy import text

from bot.logs import JsonLines
from bot.runtime import Runtime
from tests.chat import Person
from tests.helpers import register


async def test_each_update_is_logged_as_json_without_personal_text(
    ana: Person, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="handlers.dispatch")
    await ana.say("/start", 2)
    await ana.say("mi DNI es 12345678 y me llamo Ana Quispe")
    records: list[logging.LogRecord] = []
    for _ in range(100):  # the line is written just after the reply is sent
        records = [r for r in caplog.records if r.getMessage() == "update handled"]
        if len(records) == 2:
            break
        await asyncio.sleep(0.02)
    lines = [JsonLines().format(record) for record in records]
    assert len(lines) == 2
    entries = [json.loads(line) for line in lines]
    assert [entry["handler"] for entry in entries] == ["/start", "text"]
    for entry in entries:
        assert entry["user_id"] == ana.id and entry["level"] == "INFO"
        assert isinstance(entry["update_id"], int) and entry["duration_ms"] >= 0
    assert entries[0]["update_id"] < entries[1]["update_id"]
    for line in lines:
        assert "Ana" not in line and "12345678" not in line and "\n" not in line


async def test_a_slow_update_logs_what_it_waited_for(
    ana: Person, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """#17: an update held back 300 ms by another transaction (on SQLite writing, so holding
    the write turn; on PostgreSQL holding her lock) logs its time by cause: inside its
    transaction (on SQLite waiting for the turn), not in commits nor in the send."""
    await register(ana)
    caplog.set_level(logging.INFO, logger="handlers.dispatch")
    sqlite = runtime.db.engine.dialect.name == "sqlite"
    holding = asyncio.Event()

    async def hold() -> None:
        async with runtime.db.session() as session:
            if sqlite:
                statement = "UPDATE people SET active = active WHERE telegram_id = :id"
            else:
                statement = "SELECT pg_advisory_xact_lock(:id)"
            await session.execute(text(statement), {"id": ana.id})
            holding.set()
            await asyncio.sleep(0.3)

    holder = asyncio.create_task(hold())
    await holding.wait()
    await ana.say("¿Qué es el REINFO?")
    await holder
    entry: dict[str, object] = {}
    for _ in range(100):  # the line is written just after the reply is sent
        lines = [r for r in caplog.records if r.getMessage() == "update handled"]
        entry = json.loads(JsonLines().format(lines[-1])) if lines else {}
        if entry.get("handler") == "text":
            break
        await asyncio.sleep(0.02)
    assert entry["handler"] == "text" and float(entry["duration_ms"]) >= 250, entry
    assert float(entry["transaction_ms"]) >= 250 > float(entry["send_ms"]), entry
    assert float(entry["commit_ms"]) < 250 and float(entry["sync_ms"]) <= float(entry["commit_ms"])
    assert (float(entry["turn_ms"]) >= 250) if sqlite else (entry["turn_ms"] == 0), entry


def test_exceptions_stay_on_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, True)
        record.exc_info = sys.exc_info()
    line = JsonLines().format(record)
    assert "\n" not in line and "ValueError: boom" in json.loads(line)["exception"]


async def test_a_failing_insert_never_logs_what_the_person_wrote(
    ana: Person, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """The database refuses to store a question (a forced failure): the error is logged with
    its statement, but never with the values, which carry what the person typed."""
    await register(ana)
    await _refuse_questions(runtime)
    caplog.set_level(logging.INFO)
    secret = "Mi DNI es 44556677 y denuncio a Juan Pérez Condori"
    (apology,) = await ana.say(secret)
    assert "Lo siento" in apology.text
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures, "the failure is logged"
    assert "INSERT INTO questions" in caplog.text  # the statement, for whoever investigates
    for fragment in ("44556677", "Juan Pérez", "Condori"):
        assert fragment not in caplog.text


async def _refuse_questions(runtime: Runtime) -> None:
    """From now on the database refuses to store a question (a forced failure)."""
    async with runtime.db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            await connection.execute(
                text(
                    "CREATE TRIGGER refuse_questions BEFORE INSERT ON questions "
                    "BEGIN SELECT RAISE(ABORT, 'forced failure'); END"
                )
            )
        else:
            await connection.execute(
                text("ALTER TABLE questions ADD CONSTRAINT forced_failure CHECK (false) NOT VALID")
            )


async def test_an_error_line_names_the_update_the_handler_and_the_cause(
    ana: Person, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue #18: whoever reads the log sees in one line which update failed, in which
    handler and why (with where it was raised); JSON lines carry the same fields."""
    await register(ana)
    await _refuse_questions(runtime)
    (apology,) = await ana.say("¿Qué es el REINFO?")
    assert "Lo siento" in apology.text
    [failure] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    line = failure.getMessage()
    assert re.fullmatch(
        rf"update \d+ \(text\) from user {ana.id} failed: \w+Error: .*forced.* \(\S+:\d+\)", line
    ), line
    entry = json.loads(JsonLines().format(failure))
    assert entry["handler"] == "text" and entry["user_id"] == ana.id
    assert isinstance(entry["update_id"], int)
