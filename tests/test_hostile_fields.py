"""Hostile and odd text in the free-text fields tests/test_hostile_text.py does not reach, on
SQLite and on PostgreSQL (which refuses NUL in text, and, unlike SQLite, a text longer than
its column): a meeting's title, place and agenda typed in /nueva_reunion, a broadcast's text
in /difundir, an agreement typed in /reunion, a name and position edited in /perfil, a
workshops CSV, and a publication's arguments on the command line. Each value mixes NUL and
the other controls, a bidi override, a right-to-left mark with Arabic, 4-byte UTF-8
(mathematical letters, an emoji with skin tone and joiner) and SQL-looking text; the long
ones fill their field to the last character with 4-byte letters. Every flow goes through
with no error logged, stores what was meant (controls gone, the rest kept to the letter)
and shows it."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.local_api import BotEvent, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services.agreements import MAX_TEXT
from bot.services.meetings import AGENDA_MAX
from bot.services.profile import NAME_MAX
from bot.services.workshop_import import import_workshops
from storage.db import Database
from storage.models import Meeting, MeetingAgreement, OutboxMessage, Publication, Workshop
from storage.models import Person as PersonRow
from tests.chat import Person
from tests.cli import cli
from tests.conftest import ADMIN_ID
from tests.helpers import CHECKED_AT, register
from tests.test_agreements import _meeting
from tests.test_broadcasts import _broadcast
from tests.test_workshop_csv import HEADER

# Removed where it enters: NUL, C0, DEL, C1, bidi override and isolate. (A lone surrogate
# cannot travel in UTF-8, neither in Telegram's JSON nor in a file: tests/test_hostile_text.)
DROPPED = "\x00\x01\x1b\x7f\x85\u202e\u2066"
SQL = "'); DROP TABLE meetings; --"
KEPT = f"𝕄𝔦𝔫𝔨𝔞 👩🏽‍🌾 \u200fمرحبا {SQL}"  # 4-byte UTF-8, emoji ZWJ, RTL mark, SQL-ish
WIDE = "𝕄"  # one character, 4 bytes in UTF-8, 2 units in UTF-16


def _hostile(text: str) -> str:
    """`text` with the characters Minka removes spread through it."""
    return f"{DROPPED[:3]}{text}{DROPPED[3:]}"


async def _coordinator_and(api: LocalBotApi, other: Person, region: str) -> tuple[Person, Person]:
    """Rosa, the national coordinator, and `other`, registered in `region`."""
    rosa = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    await register(other, region=region)
    return rosa, other


async def _until(person: Person, fragment: str) -> BotEvent:
    """The first of `person`'s next replies that holds `fragment`."""
    while fragment not in ((event := await person.reply()).text or ""):
        pass
    return event


def _no_errors(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


async def test_a_meeting_typed_with_hostile_title_place_and_agenda(
    api: LocalBotApi, app: Application, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    rosa, ana = await _coordinator_and(api, Person(api, 7101, "Ana", last_name="Quispe"), "Pasco")
    title = f"Comité {KEPT}"
    place = WIDE * 300  # the place's limit, every character 4 bytes
    agenda = f"Plan {KEPT} " + WIDE * (AGENDA_MAX - len(KEPT) - 6)
    assert len(agenda) == AGENDA_MAX

    await rosa.say("/nueva_reunion", 2)
    await rosa.send(_hostile(title))
    await rosa.choose(await rosa.reply(), "Comité de Alto Nivel")
    await rosa.reply()
    await rosa.send("15/1/2099 10:00")
    await rosa.reply()
    await rosa.send("3h")
    await rosa.reply()
    await rosa.send(_hostile(place))
    await rosa.reply()
    await rosa.send("https://meet.example.org/comite")
    await rosa.send(_hostile(agenda))
    _agenda, audience = await rosa.replies(2)
    await rosa.choose(audience, "Una región")
    await rosa.reply()
    await rosa.send("pasco")
    summary = await rosa.reply()
    assert title in summary.text and "Invitados: Una región: Pasco (1)" in summary.text
    await rosa.press(summary, "Crear e invitar")
    assert "Reunión creada" in (await rosa.reply()).text
    assert await tick(app) == 1
    invitation, _ics = await ana.replies(2)
    assert title in invitation.text and WIDE * 300 in invitation.text

    async with runtime.db.session() as session:
        meeting = await session.scalar(select(Meeting))
    assert meeting is not None
    assert (meeting.title, meeting.place, meeting.agenda) == (title, place, agenda)
    _no_errors(caplog)


async def test_a_broadcast_with_hostile_text_reaches_everyone_as_meant(
    api: LocalBotApi, app: Application, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    rosa, luis = await _coordinator_and(api, Person(api, 7102, "Luis", last_name="Mamani"), "Puno")
    text = f"Aviso {KEPT}\n" + WIDE * 1000
    await _broadcast(rosa, _hostile(text))
    preview, summary = await rosa.replies(2)
    assert text in preview.text
    await rosa.press(summary, "Enviar")
    await rosa.reply()
    assert await tick(app) == 1
    (copy,) = await luis.replies(1)
    assert copy.text == text
    async with runtime.db.session() as session:
        stored = list(await session.scalars(select(OutboxMessage.payload)))
    assert stored and not any(c in str(stored) for c in "\x00\u202e")
    _no_errors(caplog)


async def test_a_workshops_csv_with_hostile_cells_is_imported_as_meant(db: Database) -> None:
    title = f"Taller {KEPT}"[:200]
    long_title = WIDE * 200  # the title's limit, every character 4 bytes
    rows = (
        f"ABCD,{_hostile(title)},{_hostile(SQL)},2026-03-15 09:00,2026-03-15 13:00,Puno,"
        f"{WIDE * 300},{_hostile('Zoë Ñahui 👩🏽‍🌾')}\n"
        f"BCDF,{long_title},,2026-03-16 09:00,2026-03-16 13:00,Puno,,\n"
    )
    async with db.session() as session:
        result = await import_workshops(session, (HEADER + rows).encode(), CHECKED_AT)
    assert result.problems == ()
    async with db.session() as session:
        stored = {
            w.code: (w.title, w.topic, w.place, w.facilitator)
            for w in await session.scalars(select(Workshop))
        }
    assert stored == {
        "ABCD": (title, SQL, WIDE * 300, "Zoë Ñahui 👩🏽‍🌾"),
        "BCDF": (long_title, None, None, None),
    }


async def test_a_csv_past_a_limit_or_not_in_utf8_is_refused_in_spanish(db: Database) -> None:
    """A title one character past its 200 (4-byte letters) is a problem of its line, not
    a database error on PostgreSQL; bytes that are not UTF-8 say how to save the file."""
    row = f"BCDF,{WIDE * 201},,2026-03-16 09:00,2026-03-16 13:00,Puno,,\n"
    async with db.session() as session:
        result = await import_workshops(session, (HEADER + row).encode(), CHECKED_AT)
    assert [(p.line, "200" in p.reason) for p in result.problems] == [(2, True)]
    async with db.session() as session:
        result = await import_workshops(
            session, HEADER.encode() + b"ABCD,T\xff\xfe,,,,,,\n", CHECKED_AT
        )
    assert [p.line for p in result.problems] == [2]
    assert "UTF-8" in result.problems[0].reason
    async with db.session() as session:
        assert list(await session.scalars(select(Workshop))) == []


async def test_an_agreement_with_hostile_text_at_its_limit(
    api: LocalBotApi, app: Application, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """An agreement typed in /reunion: its text of `agreements.MAX_TEXT` characters,
    4-byte letters after the odd ones; one more is refused in Spanish."""
    other = Person(api, 7103, "Ana", last_name="Quispe")
    rosa, ana = await _coordinator_and(api, other, "Puno")
    meeting = await _meeting(runtime, days=0.05, reminders=False)
    assert await tick(app) == 1
    await ana.replies(2)
    text = f"Acuerdo {KEPT} " + WIDE * (MAX_TEXT - len(KEPT) - 9)
    assert len(text) == MAX_TEXT
    (report,) = await rosa.say(f"/reunion {meeting.code}")
    await rosa.press(report, "Seguimiento de acuerdos")
    await rosa.press(await rosa.reply(), "Nuevo acuerdo")
    await rosa.replies(2)
    (refused,) = await rosa.say(text + WIDE)
    assert str(MAX_TEXT) in refused.text
    await rosa.say(_hostile(text))
    await rosa.say("quispe")  # typed: the one invitee whose name contains it
    today = runtime.clock.now().astimezone(runtime.settings.timezone).date()
    (summary,) = await rosa.say((today + timedelta(days=5)).isoformat())
    assert text in summary.text
    await rosa.press(summary, "Registrar el acuerdo")
    done, _listing = await rosa.replies(2)
    assert "Acuerdo registrado" in done.text
    async with runtime.db.session() as session:
        assert list(await session.scalars(select(MeetingAgreement.text))) == [text]
    _no_errors(caplog)


async def test_a_profile_edited_with_hostile_text_at_its_limits(
    api: LocalBotApi, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """/perfil: a name of `NAME_MAX` characters (4-byte letters) and a SQL-looking position
    with odd characters are stored as meant; a name one character longer is refused."""
    eva = Person(api, 7104, "Eva")
    await register(eva)
    name = "Ñusta " + WIDE * (NAME_MAX - 6)
    position = f"Analista {SQL} 𝔇𝔯𝔢𝔪"
    (profile,) = await eva.say("/perfil")
    await eva.press(profile, "Nombre")
    await eva.reply()
    (refused,) = await eva.say(name + WIDE)
    assert str(NAME_MAX) in refused.text
    await eva.send(_hostile(name))
    updated = await _until(eva, "Mi perfil")
    assert f"Nombre: {name}" in updated.text
    await eva.press(updated, "Cargo")
    await eva.reply()
    await eva.send(_hostile(position))
    updated = await _until(eva, "Mi perfil")
    assert f"Cargo: {position}" in updated.text
    async with runtime.db.session() as session:
        person = await session.scalar(select(PersonRow).where(PersonRow.telegram_id == eva.id))
    assert person is not None and (person.full_name, person.position) == (name, position)
    _no_errors(caplog)


async def test_a_publication_added_with_hostile_arguments(
    database_url: str, tmp_path: Path
) -> None:
    """`python -m bot publicaciones agregar`: a title of 200 characters (its limit, 4-byte
    letters and an escape character, which the CLI removes where it enters), a summary with
    odd characters and SQL-looking text, a file whose name is 4-byte UTF-8 (NUL cannot be
    passed on a command line at all). One character more is refused in Spanish."""
    pdf = tmp_path / f"Informe {WIDE} «final».pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    title, summary = WIDE * 200, f"Resumen {KEPT}"
    over = await cli(
        "publicaciones", "agregar", str(pdf), "--titulo", title + WIDE, "--resumen", summary,
        database_url=database_url, cwd=tmp_path,
    )  # fmt: skip
    assert over.returncode == 2 and "el máximo es 200" in over.stderr
    added = await cli(
        "publicaciones", "agregar", str(pdf), "--titulo", f"\x1b{title}\u202e",
        "--resumen", f"\x85{summary}\x7f", database_url=database_url, cwd=tmp_path,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    database = Database(database_url)
    try:
        async with database.session() as session:
            stored = [
                (p.title, p.summary, p.filename) for p in await session.scalars(select(Publication))
            ]
    finally:
        await database.dispose()
    assert stored == [(title, summary, pdf.name)]
