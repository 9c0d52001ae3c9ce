"""After /borrar_mis_datos the WHOLE database, every table and column dumped as text (and what
its values carry encoded), holds none of Zoila's name, Telegram id, username, position or
texts; nor do the database's raw files, the CLI's listings and report, the metrics, the log,
the replies still waiting in others' chats or others' forms in progress. On SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.logs import JsonLines
from bot.outbox import tick
from bot.runtime import Runtime
from storage.models import (
    AuditEntry,
    Case,
    Escalation,
    OutboxMessage,
    Person,
    Question,
)
from storage.repositories.erasure import WIPED
from storage.sqlite_in_place import BUSY_TIMEOUT_MS
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.erasure.outside import cli_outputs, metrics
from tests.erasure.story import (
    AGREEMENT,
    FIRST,
    LAST,
    LUIS_QUESTION,
    POSITION,
    QUESTION,
    TEXTS,
    USERNAME,
    ZOILA_ID,
    held_back,
    leaks_in,
    produce_everything,
    registered_zoila,
)
from tests.erasure.sweep import dump_database, postgresql_files, sqlite_files
from tests.helpers import puno_coordination, question_to_answer, register


async def test_erasure_leaves_nothing_in_any_table(
    api: LocalBotApi,
    app: Application,
    runtime: Runtime,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    """Every table and column, reflected from the database (a failure names table.column),
    its raw files, the CLI's listings and report, the metrics and the log."""
    caplog.set_level(logging.INFO)  # as Minka logs in production (LOG_LEVEL's default)
    zoila = await produce_everything(api, app, runtime)
    before = await dump_database(runtime)
    for needle in (FIRST, USERNAME, str(ZOILA_ID), *TEXTS):  # the search can find them
        assert any(needle.lower() in line.lower() for line in before), needle
    (roles,) = await cli_outputs(runtime.settings, tmp_path, 0, only=1)
    assert f"{FIRST} {LAST}" in roles and str(ZOILA_ID) in roles  # the CLI shows her

    (question,) = await zoila.say("/borrar_mis_datos")
    await zoila.press(question, "Sí, borrar")
    assert "fueron borrados" in (await zoila.reply()).text

    leaks = leaks_in(await dump_database(runtime))
    assert leaks == [], "\n".join(leaks)
    year = runtime.clock.now().year
    outside = await cli_outputs(runtime.settings, tmp_path, year) + [metrics()]
    leaks = leaks_in(outside)
    assert leaks == [], "\n".join(leaks)
    # The raw files last: reading SQLite's file in this process drops the bot's locks on it
    # (POSIX), and a CLI process closing after that would take the WAL away from under it.
    if runtime.settings.database_url.startswith("sqlite"):
        # Not even in the file's free space or in old pages of the WAL.
        raw = sqlite_files(runtime.settings.database_url.split("///", 1)[1])
    else:  # nor in the old versions of the rows PostgreSQL keeps until a VACUUM
        raw = await postgresql_files(runtime, request.getfixturevalue("postgres"))
    found = [text for text in (USERNAME, str(ZOILA_ID), *TEXTS) if text.encode() in raw]
    assert found == []
    assert "[eliminado a pedido del titular]" in question.text
    async with runtime.db.session() as session:
        # What the indicators count is still there, with the texts replaced.
        case = await session.scalar(select(Case))
        assert case is not None and case.description == "[eliminado a pedido del titular]"
        erased = await session.scalar(select(Person).where(Person.erased_at.is_not(None)))
        assert erased is not None
        assert (erased.region_code, erased.sex, erased.institution) == ("puno", "female", "gr")
        assert case.person_id == erased.id
        answered = await session.scalar(
            select(Escalation).where(Escalation.answered_by == erased.id)
        )
        assert answered is not None and answered.status == "answered"
        assert await session.scalar(select(Question).where(Question.person_id == erased.id))
        # Her audit entries keep one pseudonym: counts by actor still add up.
        pseudonyms = set(
            await session.scalars(
                select(AuditEntry.actor_pseudonym).where(AuditEntry.actor_pseudonym.is_not(None))
            )
        )
        assert len(pseudonyms) == 1
        (pseudonym,) = pseudonyms
        assert await session.scalar(select(AuditEntry).where(AuditEntry.target == pseudonym))

    (nothing,) = await zoila.say("/mis_datos")
    assert "no guarda ningún dato personal" in nothing.text
    # The log (journald: erasure cannot reach it) never held her names or texts: its lines say
    # who by Telegram id only (bot/logs.py), as LOG_FORMAT=json writes them.
    lines = [JsonLines().format(record) for record in caplog.records]
    assert any(str(ZOILA_ID) in line for line in lines)  # the log was read
    assert [n for n in (FIRST, LAST, USERNAME, *TEXTS) if any(n in line for line in lines)] == []
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    (log,) = await rosa.say("/auditoria")  # the administrators' view shows the pseudonym
    assert pseudonym in log.text and str(ZOILA_ID) not in log.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL has no WAL file
async def test_erasure_empties_the_wal_even_when_a_reader_holds_it_for_a_while(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """The full suite once left Zoila's texts in the WAL: the one TRUNCATE checkpoint after
    the erasure met a reader (or another checkpoint) and gave up. A reader that holds an old
    snapshot longer than the busy timeout must delay the wipe, not cancel it."""
    path = runtime.settings.database_url.split("///", 1)[1]
    zoila = await registered_zoila(api)
    (not_sure,) = await zoila.say(QUESTION)
    assert not_sure.text.startswith("No encontré una respuesta segura")
    await zoila.press(not_sure, "Enviar mi pregunta a un especialista")
    await zoila.reply()
    assert await runtime.db.wipe_erased(WIPED)  # everything so far is in the database file

    reader = sqlite3.connect(path, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM people").fetchone()  # a snapshot before the erasure
    released = threading.Timer(BUSY_TIMEOUT_MS / 1000 + 1, reader.rollback)
    released.start()
    try:
        (question,) = await zoila.say("/borrar_mis_datos")
        await zoila.press(question, "Sí, borrar")
        assert "fueron borrados" in (await zoila.reply(timeout=60)).text
    finally:
        released.join()
        reader.close()
    raw = sqlite_files(path)
    assert [text for text in (USERNAME, QUESTION, POSITION) if text.encode() in raw] == []


LATER_ANSWER = "Respuesta de la especialista sobre el padrón de Ananea"


async def _pending_texts(runtime: Runtime) -> list[str]:
    """The payloads of messages still waiting in the outbox, as text."""
    async with runtime.db.session() as session:
        rows = await session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.state == "pending")
        )
        return [json.dumps(payload, ensure_ascii=False) for payload in rows]


async def test_erasure_reaches_replies_still_waiting_in_others_chats(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """Flood control held Luis's and Rosa's replies in the outbox (bot/held.py); Zoila's answer
    to Luis waits behind Luis's, and Rosa's /auditoria, held too, names Zoila's id. After
    Zoila's erasure no waiting row holds her answer or her id: the replies still arrive,
    with «[eliminado a pedido del titular]» in their place."""
    zoila = Chatter(api, ZOILA_ID, FIRST, last_name=LAST, username=USERNAME)
    await register(zoila, region="Puno")
    luis = Chatter(api, 7002, "Luis", last_name="Mamani")
    await register(luis, region="Puno", sex="Hombre")
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await rosa.say(f"/coordinador {ZOILA_ID} Puno")  # an audit entry naming Zoila's id
    await zoila.reply()
    await question_to_answer(luis, zoila, LUIS_QUESTION)
    await held_back(api, runtime, luis, "/ayuda")
    await held_back(api, runtime, rosa, "/auditoria")
    sent, _teach = await zoila.say(LATER_ANSWER, 2)
    assert "Respuesta enviada" in sent.text
    waiting = await _pending_texts(runtime)  # the answer waits behind Luis's held reply
    assert any(LATER_ANSWER in text for text in waiting), waiting
    assert any(str(ZOILA_ID) in text for text in waiting), waiting

    (question,) = await zoila.say("/borrar_mis_datos")
    await zoila.press(question, "Sí, borrar")
    assert "fueron borrados" in (await zoila.reply()).text
    dump = await dump_database(runtime)
    leaks = leaks_in(dump) + [
        f"{LATER_ANSWER!r} in {line}" for line in dump if LATER_ANSWER in line
    ]
    assert leaks == [], "\n".join(leaks)

    runtime.clock.advance(timedelta(hours=1, seconds=1))  # Telegram allows again
    await tick(app)
    _help, answer = await luis.replies(2)
    assert "especialista respondió" in answer.text and LATER_ANSWER not in answer.text
    assert "[eliminado a pedido del titular]" in answer.text
    (log,) = await rosa.replies(1)
    assert str(ZOILA_ID) not in log.text and "[eliminado a pedido del titular]" in log.text


async def test_erasure_reaches_forms_in_progress_that_name_her(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """Rosa is recording an agreement of a meeting Zoila was invited to: her form in progress
    keeps the invitees' names for its buttons. After Zoila's erasure it holds no trace of her
    name; Rosa's form goes on, with «[eliminado a pedido del titular]» in its place."""
    zoila = Chatter(api, ZOILA_ID, FIRST, last_name=LAST, username=USERNAME)
    await register(zoila, region="Puno")
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    meeting = await puno_coordination(runtime, days=3, hours=2, reminders=False)
    await tick(app)
    await zoila.replies(2)
    (report,) = await rosa.say(f"/reunion {meeting.code}")
    await rosa.press(report, "Seguimiento de acuerdos")
    await rosa.press(await rosa.reply(), "Nuevo acuerdo")
    await rosa.replies(2)  # step 1: the text; the form keeps the invitees' names meanwhile
    assert any(f"{FIRST} {LAST}" in line for line in await dump_database(runtime))

    (question,) = await zoila.say("/borrar_mis_datos")
    await zoila.press(question, "Sí, borrar")
    assert "fueron borrados" in (await zoila.reply()).text
    leaks = leaks_in(await dump_database(runtime))
    assert leaks == [], "\n".join(leaks)
    (who,) = await rosa.say(AGREEMENT)
    assert who.button_texts()[0] == "[eliminado a pedido del titular]"
