"""The .ics file of a meeting, read back with `icalendar` as a phone would read it: fields,
escaping of awkward text, UTC times, the alarm, and how a change or cancellation updates the
event instead of adding a second one."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from bot.services.ics import meeting_ics
from storage.db import Database
from storage.repositories import meetings
from storage.repositories.meetings import MeetingRecord

LIMA = ZoneInfo("America/Lima")
STARTS = datetime(2026, 11, 26, 9, 0, tzinfo=LIMA)
NOW = datetime(2026, 11, 20, 15, 30, tzinfo=LIMA)
TITLE = "Comité de alto nivel; Áncash, Puno y Cajamarca"
PLACE = "Sala Ñawpa, 2.º piso; DREM Áncash"
LINK = "https://meet.example.org/abc?x=1,2;y=3"
AGENDA = "1. Avance del REINFO, por región;\r\n2. Fiscalización\\sanciones\n3. Año 2027: señales"

MEETING = MeetingRecord(
    id=42,
    code="REU234",
    title=TITLE,
    kind="comite",
    starts_at=STARTS,
    ends_at=STARTS + timedelta(hours=2, minutes=30),
    place=PLACE,
    link=LINK,
    agenda=AGENDA,
    audience={},
    reminder_offsets=(86400, 7200),
    status="scheduled",
    version=1,
    agreements=None,
)


def _event(data: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_fields_times_and_alarm() -> None:
    data = meeting_ics(MEETING, now=NOW)
    calendar, event = _event(data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["PRODID"])
    assert str(event["UID"]) == "meeting-42@minka"
    assert event.decoded("SEQUENCE") == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    stamp, start, end = (event.decoded(name) for name in ("DTSTAMP", "DTSTART", "DTEND"))
    assert (stamp, start, end) == (NOW, MEETING.starts_at, MEETING.ends_at)
    assert all(moment.utcoffset() == timedelta(0) for moment in (stamp, start, end))
    # 09:00 in Lima (UTC−5) is 14:00 UTC, written with "Z" and no time zone parameter.
    assert b"\r\nDTSTART:20261126T140000Z\r\n" in data
    assert b"\r\nDTEND:20261126T163000Z\r\n" in data
    assert b"\r\nDTSTAMP:20261120T203000Z\r\n" in data
    assert b"TZID" not in data and b"VTIMEZONE" not in data
    assert str(event["URL"]) == LINK
    assert str(event["ORGANIZER"].params["CN"]) == "Minka"

    (alarm,) = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == -timedelta(hours=1)
    assert str(alarm["DESCRIPTION"]) == TITLE


def test_text_is_escaped_and_folded() -> None:
    data = meeting_ics(MEETING, organizer_name='GR Áncash, "DREM"', now=NOW)
    _, event = _event(data)
    # Read back exactly, line endings normalised to "\n".
    assert str(event["SUMMARY"]) == TITLE
    assert str(event["LOCATION"]) == f"{PLACE} · {LINK}"
    agenda = AGENDA.replace("\r\n", "\n")
    assert str(event["DESCRIPTION"]) == f"{agenda}\n\n{LINK}"
    assert str(event["ORGANIZER"].params["CN"]) == 'GR Áncash, "DREM"'
    # On the wire: RFC 5545 escapes, UTF-8, CRLF lines of at most 75 octets.
    assert "SUMMARY:Comité de alto nivel\\; Áncash\\, Puno y Cajamarca".encode() in data
    unfolded = data.replace(b"\r\n ", b"")
    assert "Fiscalización\\\\sanciones\\n3. Año 2027".encode() in unfolded
    assert b"\\r" not in unfolded
    data.decode("utf-8")
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long description was folded


def test_place_link_or_neither() -> None:
    _, event = _event(meeting_ics(replace(MEETING, link=None), now=NOW))
    assert str(event["LOCATION"]) == PLACE
    assert "URL" not in event
    assert str(event["DESCRIPTION"]) == AGENDA.replace("\r\n", "\n")

    _, event = _event(meeting_ics(replace(MEETING, place=None, agenda="  "), now=NOW))
    assert str(event["LOCATION"]) == LINK
    assert str(event["DESCRIPTION"]) == LINK

    _, event = _event(meeting_ics(replace(MEETING, place=None, link=None, agenda=None), now=NOW))
    assert "LOCATION" not in event and "DESCRIPTION" not in event and "URL" not in event


def test_rescheduled_and_cancelled_replace_the_same_event() -> None:
    moved = replace(MEETING, starts_at=STARTS + timedelta(days=1), version=2)
    cancelled = replace(moved, status="cancelled", version=3)
    _, first = _event(meeting_ics(MEETING, now=NOW))
    _, second = _event(meeting_ics(moved, now=NOW + timedelta(hours=1)))
    _, third = _event(meeting_ics(cancelled, now=NOW + timedelta(hours=2)))
    assert str(first["UID"]) == str(second["UID"]) == str(third["UID"])
    assert [e.decoded("SEQUENCE") for e in (first, second, third)] == [0, 1, 2]
    assert second.decoded("DTSTART") == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    assert str(second["STATUS"]) == "CONFIRMED"
    assert str(third["STATUS"]) == "CANCELLED"
    # A cancelled meeting must not ring an hour before the time nobody is meeting at.
    assert third.walk("VALARM") == []


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        meeting_ics(MEETING, now=datetime(2026, 11, 20, 15, 30))


async def test_from_the_database(db: Database) -> None:
    """Times read back from either database are UTC; each change raises SEQUENCE."""
    async with db.session() as session:
        created = await meetings.create(
            session,
            offsets=[7200],
            code="ICS234",
            title="Reunión técnica: Áncash",
            kind="tecnica",
            starts_at=STARTS,
            ends_at=STARTS + timedelta(hours=1),
            audience={},
        )
        await meetings.change(
            session,
            created.id,
            starts_at=STARTS + timedelta(hours=3),
            ends_at=STARTS + timedelta(hours=4),
        )
    async with db.session() as session:
        stored = await meetings.get(session, created.id)
    assert stored is not None
    data = meeting_ics(stored, now=NOW)
    _, event = _event(data)
    assert str(event["UID"]) == f"meeting-{created.id}@minka"
    assert event.decoded("SEQUENCE") == 1
    assert b"\r\nDTSTART:20261126T170000Z\r\n" in data
    assert str(event["SUMMARY"]) == "Reunión técnica: Áncash"


def test_the_bot_imports_icalendar_only_when_it_builds_a_file() -> None:
    """#17's memory goal: icalendar (80 modules, about 2.8 MB of RSS) stayed in every bot
    process from its start, for a file only a meeting's invitation or change needs. Checked in
    a new interpreter (this module imports icalendar itself): the bot's modules, as `python -m
    bot run` loads them, leave it out, as they leave out the workers' openpyxl and matplotlib."""
    heavy = ("icalendar", "openpyxl", "matplotlib")
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, bot.cli, bot.cli.commands, bot.app\n"
            f"print(' '.join(m for m in {heavy!r} if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert loaded == []
