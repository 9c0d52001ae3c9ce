"""The .ics file of a meeting, read back with `icalendar` as a phone would read it: fields,
escaping of awkward text, UTC times, the alarm, and how a change or cancellation updates the
event instead of adding a second one. Minka writes the file itself (#17's memory: icalendar
stayed loaded); here it is also compared byte for byte with the file icalendar builds."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from bot.services.ics import (
    ALARM_BEFORE,
    ORGANIZER_ADDRESS,
    PRODID,
    _clean,
    _description,
    _location,
    _utc,
    meeting_ics,
    meeting_uid,
)
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


def _icalendars(meeting: MeetingRecord, organizer_name: str, now: datetime) -> bytes:
    """The file as Minka built it with icalendar until #17 (bot/services/ics.py then)."""
    title = _clean(meeting.title) or meeting.code
    place, link, agenda = _clean(meeting.place), _clean(meeting.link), _clean(meeting.agenda)
    cancelled = meeting.status == "cancelled"
    event = Event()
    event.add("uid", meeting_uid(meeting.id))
    event.add("sequence", max(0, meeting.version - 1))
    event.add("dtstamp", _utc(now))
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("summary", title)
    if location := _location(place, link):
        event.add("location", location)
    if link:
        event.add("url", link)
    if description := _description(agenda, link):
        event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(ORGANIZER_ADDRESS)
    organizer.params["cn"] = vText(organizer_name)
    event.add("organizer", organizer)
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", title)
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical()


# What people type, and what trips a writer up: escapes, RFC 6868's «^», quotes, line breaks,
# characters of 2 to 4 bytes where a line folds, a backslash where a line folds.
PIECES = [*"abcxyz ÁáÑñéº·—€😀;,:\\\"'^\n\r\t<>&?=/.-_\u2019", "xxxxxxxxxx"]
AWKWARD = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
URL = st.text(alphabet=st.sampled_from(list("abcxyz:/?=&;,.-_%ñ")), max_size=90)


@settings(max_examples=300, deadline=None)
@given(
    title=AWKWARD,
    place=st.none() | AWKWARD,
    link=st.none() | URL.map(lambda rest: f"https://meet.example.org/{rest}"),
    agenda=st.none() | st.text(max_size=600) | AWKWARD,
    organizer=st.just("Minka") | AWKWARD,
    cancelled=st.booleans(),
    version=st.integers(1, 5),
    minutes=st.integers(0, 10**6),
)
def test_the_file_is_the_one_icalendar_wrote(
    title: str,
    place: str | None,
    link: str | None,
    agenda: str | None,
    organizer: str,
    cancelled: bool,
    version: int,
    minutes: int,
) -> None:
    """Byte for byte what icalendar wrote for the same meeting: escapes, quoting, folding
    (under 75 octets, never inside a character or an escape) are icalendar's."""
    meeting = replace(
        MEETING,
        title=title,
        place=place,
        link=link,
        agenda=agenda,
        status="cancelled" if cancelled else "scheduled",
        version=version,
        starts_at=STARTS + timedelta(minutes=minutes),
    )
    ours = meeting_ics(meeting, organizer_name=organizer, now=NOW)
    assert ours == _icalendars(meeting, organizer, NOW)
    assert max(len(line) for line in ours.split(b"\r\n")) <= 75


def test_a_link_with_a_line_break_is_refused() -> None:
    """A URL is written as it is: a line break in it would start a property of its own."""
    with pytest.raises(ValueError, match="line break"):
        meeting_ics(replace(MEETING, link="https://a.org/x\nATTACH:https://evil.org"), now=NOW)


def test_the_bot_never_imports_icalendar() -> None:
    """#17's memory goal: icalendar (80 modules, 3.3 MB of RSS) stayed in every bot process
    from the first invitation on. Checked in a new interpreter (this module imports icalendar
    itself): the bot's modules, as `python -m bot run` loads them, and a meeting's file built,
    leave it out, as they leave out the workers' openpyxl and matplotlib."""
    heavy = ("icalendar", "openpyxl", "matplotlib")
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, bot.cli, bot.cli.commands, bot.app\n"
            "import datetime, zoneinfo\n"
            "from storage.repositories.meetings import MeetingRecord\n"
            "from bot.services.ics import meeting_ics\n"
            f"meeting = {MEETING!r}\n"
            f"assert meeting_ics(meeting, now={NOW!r}) == {meeting_ics(MEETING, now=NOW)!r}\n"
            f"print(' '.join(m for m in {heavy!r} if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert loaded == []
