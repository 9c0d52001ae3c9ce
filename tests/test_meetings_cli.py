"""`python -m bot reuniones crear/listar/cancelar` against both databases: the audience invited,
the invitations and reminders owed in the outbox, the listing with its answers, and cancelling
(reminders dropped, notices owed). Refusals: test_meetings_cli_refusals.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.i18n import translator
from bot.services.meetings import DEFAULT_OFFSETS, KINDS, parse_offsets
from storage.db import Database
from storage.models import Meeting, MeetingInvitation, OutboxMessage
from storage.repositories import meetings as repo
from tests.cli import cli
from tests.helpers import registered_official

LIMA = ZoneInfo("America/Lima")
PUNO_1, PUNO_2, PUNO_UNREGISTERED, JUNIN = 2001, 2002, 2003, 2004


def _day(days_ahead: int) -> date:
    return datetime.now(LIMA).date() + timedelta(days=days_ahead)


def _lima(day: date, clock: str) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LIMA)


def _crear(day: date, *extra: str, title: str = "Mesa técnica REINFO") -> tuple[str, ...]:
    return (
        "reuniones",
        "crear",
        "--titulo",
        title,
        "--tipo",
        "coordinacion",
        "--inicio",
        f"{day} 10:00",
        "--fin",
        f"{day} 12:00",
        *extra,
    )


async def _people(db: Database) -> dict[int, int]:
    """Registered people in Puno (two) and Junín (one), plus one in Puno who never finished
    registering; returns person ids by Telegram id."""
    ids = {}
    async with db.session() as session:
        for telegram_id, region, registered in [
            (PUNO_1, "puno", True),
            (PUNO_2, "puno", True),
            (PUNO_UNREGISTERED, "puno", False),
            (JUNIN, "junin", True),
        ]:
            ids[telegram_id] = await registered_official(
                session,
                telegram_id,
                f"P{telegram_id}",
                registered=registered,
                region_code=region,
                sex="female",
                institution="gr",
            )
    return ids


async def _outbox(db: Database, kind: str) -> list[tuple[int, datetime, str]]:
    async with db.session() as session:
        rows = await session.execute(
            select(OutboxMessage.person_id, OutboxMessage.due_at, OutboxMessage.state)
            .where(OutboxMessage.kind == kind)
            .order_by(OutboxMessage.person_id, OutboxMessage.due_at)
        )
        return [tuple(row) for row in rows]


async def _counts(db: Database) -> tuple[int, int, int]:
    async with db.session() as session:
        return (
            await session.scalar(select(func.count(Meeting.id))),
            await session.scalar(select(func.count(MeetingInvitation.id))),
            await session.scalar(select(func.count(OutboxMessage.id))),
        )


async def test_create_invites_the_region_and_owes_future_reminders(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    ids = await _people(db)
    day = _day(3)  # 7 days before has passed already; 1 day and 2 hours before have not
    result = await cli(
        *_crear(day, "--invitar", "region:Puno", "--recordatorios", "7d,1d,2h"),
        "--lugar",
        "Sala 3, DREM Puno",
        "--enlace",
        "https://meet.example.org/reinfo",
        "--agenda",
        "1. Avances\n2. Acuerdos",
        database_url=database_url,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    code, summary = result.stdout.splitlines()
    assert result.stderr == ""
    assert "2 personas invitadas" in summary and "región Puno" in summary
    assert "recordatorios 1 día y 2 horas antes" in summary and "7 días antes ya pasó" in summary
    assert "10:00 a 12:00" in summary and "America/Lima" in summary

    start = _lima(day, "10:00")
    async with db.session() as session:
        meeting = await repo.get_by_code(session, code)
        assert meeting is not None
        invited = await session.scalars(
            select(MeetingInvitation.person_id).where(MeetingInvitation.meeting_id == meeting.id)
        )
        invited_ids = sorted(invited)
    assert (meeting.title, meeting.kind, meeting.status) == (
        "Mesa técnica REINFO",
        "coordinacion",
        "scheduled",
    )
    assert meeting.starts_at == start and meeting.ends_at == _lima(day, "12:00")
    assert (
        meeting.place == "Sala 3, DREM Puno" and meeting.link == "https://meet.example.org/reinfo"
    )
    assert meeting.agenda == "1. Avances\n2. Acuerdos"
    assert meeting.reminder_offsets == (7 * 86400, 86400, 7200)
    assert invited_ids == sorted([ids[PUNO_1], ids[PUNO_2]])

    invitations = await _outbox(db, "meeting_invitation")
    assert sorted(person for person, _due, _state in invitations) == invited_ids
    assert all(state == "pending" for _person, _due, state in invitations)
    reminders = await _outbox(db, "meeting_reminder")
    assert reminders == [
        (person, start - timedelta(seconds=offset), "pending")
        for person in invited_ids
        for offset in (86400, 7200)
    ]


async def test_default_reminders(db: Database, database_url: str, tmp_path: Path) -> None:
    ids = await _people(db)
    day = _day(10)
    result = await cli(
        *_crear(day, "--invitar", f"id:{JUNIN}"), database_url=database_url, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    code = result.stdout.splitlines()[0]
    assert "recordatorios 7 días, 1 día y 2 horas antes" in result.stdout
    async with db.session() as session:
        meeting = await repo.get_by_code(session, code)
    assert meeting is not None
    assert list(meeting.reminder_offsets) == parse_offsets(DEFAULT_OFFSETS)
    start = _lima(day, "10:00")
    assert await _outbox(db, "meeting_reminder") == [
        (ids[JUNIN], start - timedelta(seconds=offset), "pending")
        for offset in parse_offsets(DEFAULT_OFFSETS)
    ]


async def test_running_create_twice_makes_two_meetings(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    await _people(db)
    args = _crear(_day(10), "--invitar", "todos")
    first = await cli(*args, database_url=database_url, cwd=tmp_path)
    second = await cli(*args, database_url=database_url, cwd=tmp_path)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    codes = [first.stdout.splitlines()[0], second.stdout.splitlines()[0]]
    assert codes[0] != codes[1]
    async with db.session() as session:
        stored = sorted(await session.scalars(select(Meeting.code)))
    assert stored == sorted(codes)
    # Everyone registered (three people) per meeting: an invitation and three reminders each.
    assert await _counts(db) == (2, 6, 2 * 3 * (1 + 3))


async def test_control_characters_in_arguments_are_cleaned_where_they_enter(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    """Issue #18: the command line's text is cleaned like everything typed into Minka."""
    await _people(db)
    args = _crear(_day(10), "--invitar", "todos", title="Mesa\x01 técnica\u202e\x85 REINFO")
    result = await cli(
        *args, "--agenda", "1. Avances\x1b\r\n2. Acuerdos", database_url=database_url, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    async with db.session() as session:
        meeting = await repo.get_by_code(session, result.stdout.splitlines()[0])
    assert meeting is not None
    assert (meeting.title, meeting.agenda) == ("Mesa técnica REINFO", "1. Avances\n2. Acuerdos")


async def test_unregistered_ids_and_empty_audiences_are_warned_about(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    await _people(db)
    result = await cli(
        *_crear(_day(5), "--invitar", f"id:{PUNO_UNREGISTERED}"),
        database_url=database_url,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "0 personas invitadas" in result.stdout
    assert f"id:{PUNO_UNREGISTERED} no es una persona registrada" in result.stderr
    assert "sin invitados" in result.stderr


async def test_list_shows_meetings_with_answers(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    empty = await cli("reuniones", "listar", database_url=database_url, cwd=tmp_path)
    assert empty.returncode == 0 and "No hay reuniones" in empty.stdout

    ids = await _people(db)
    day = _day(4)
    created = await cli(
        "reuniones",
        "crear",
        "--titulo",
        "Comité de formalización",
        "--tipo",
        "Comité",  # accents and capitals are forgiven
        "--inicio",
        f"{day} 15:30",
        "--fin",
        f"{day + timedelta(days=1)} 12:00",
        "--invitar",
        "region:Puno",
        "--invitar",
        "region:junin",
        database_url=database_url,
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    code = created.stdout.splitlines()[0]
    async with db.session() as session:
        meeting = await repo.get_by_code(session, code)
        assert meeting is not None
        now = datetime.now(UTC)
        await repo.answer(session, meeting.id, ids[PUNO_1], "yes", now)
        await repo.answer(session, meeting.id, ids[PUNO_2], "delegate", now, delegate_name="Luis")
        await repo.answer(session, meeting.id, ids[JUNIN], "no", now)

    result = await cli("reuniones", "listar", database_url=database_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert header.split() == [
        "código",
        "inicio",
        "fin",
        "tipo",
        "estado",
        "título",
        "invitados",
        "confirmados",
        "rechazados",
    ]
    label = translator("es", LIMA).gettext(KINDS["comite"])
    assert row.startswith(f"{code}  {day} 15:30  {day + timedelta(days=1)} 12:00  {label}")
    assert "programada" in row and "Comité de formalización" in row
    assert row.split()[-3:] == ["3", "2", "1"]


async def test_cancel_drops_reminders_and_owes_notices(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    ids = await _people(db)
    created = await cli(
        *_crear(_day(3), "--invitar", "region:Puno"), database_url=database_url, cwd=tmp_path
    )
    assert created.returncode == 0, created.stderr
    code = created.stdout.splitlines()[0]

    unknown = await cli("reuniones", "cancelar", "ZZZZZZ", database_url=database_url, cwd=tmp_path)
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == (
        "No existe una reunión con el código ZZZZZZ; vea los códigos con "
        "`python -m bot reuniones listar`."
    )

    result = await cli(
        "reuniones", "cancelar", code.lower(), database_url=database_url, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Reunión {code} («Mesa técnica REINFO») cancelada")
    assert "avisará a 2 personas invitadas" in result.stdout
    async with db.session() as session:
        meeting = await repo.get_by_code(session, code)
    assert meeting is not None and meeting.status == "cancelled"
    reminders = await _outbox(db, "meeting_reminder")
    assert len(reminders) == 4 and {state for *_rest, state in reminders} == {"cancelled"}
    invitations = await _outbox(db, "meeting_invitation")
    assert {state for *_rest, state in invitations} == {"cancelled"}  # never sent: dropped
    notices = await _outbox(db, "meeting_cancelled")
    assert sorted(person for person, _due, _state in notices) == sorted([ids[PUNO_1], ids[PUNO_2]])
    assert {state for *_rest, state in notices} == {"pending"}

    again = await cli("reuniones", "cancelar", code, database_url=database_url, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "ya estaba cancelada" in again.stdout
    assert await _outbox(db, "meeting_cancelled") == notices

    listed = await cli("reuniones", "listar", database_url=database_url, cwd=tmp_path)
    assert "cancelada" in listed.stdout.splitlines()[1]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_help_is_spanish_and_names_the_defaults(database_url: str, tmp_path: Path) -> None:
    result = await cli("reuniones", "crear", "-h", database_url=database_url, cwd=tmp_path)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())  # argparse wraps lines to the terminal's width
    assert f"por defecto {DEFAULT_OFFSETS}" in text
    assert all(kind in text for kind in KINDS)
    for option in ("--titulo", "--tipo", "--inicio", "--fin", "--lugar", "--enlace", "--agenda"):
        assert option in text
    assert text.startswith("uso: ") and "opciones:" in text
