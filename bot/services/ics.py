"""A meeting as an iCalendar (.ics) file, so invitees add it to their phone's calendar.

Written here, line by line, not with `icalendar`: that library (80 modules) stayed in the
bot's memory from the first invitation on, 3.3 MB of RSS for one small file (#17's memory
goal). What hand-written files commonly get wrong is done as RFC 5545 says and tested by
reading the file back with `icalendar` (tests/test_ics.py, which also compares it byte for
byte with what `icalendar` writes): text escaped (backslashes, semicolons, commas, newlines),
a parameter with a comma or colon quoted (a double quote in it written as «^'», RFC 6868),
and lines folded at 75 octets without cutting a multi-byte character such as «Á» or «ñ».

Calendar apps recognise a later file for the same meeting by its UID and keep the one with
the highest SEQUENCE, so a rescheduled or cancelled meeting replaces the old event instead of
appearing twice. Times are written in UTC ("Z"), which every client understands without a
VTIMEZONE block.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.repositories.meetings import MeetingRecord

PRODID = "-//Minka//Reuniones//ES"
ALARM_BEFORE = timedelta(hours=1)
# PUBLISH files need an ORGANIZER (RFC 5546); ".invalid" is reserved (RFC 2606), so no
# calendar app can ever mail it.
ORGANIZER_ADDRESS = "mailto:noreply@minka.invalid"


def meeting_uid(meeting_id: int) -> str:
    """The same for every version of a meeting: what lets phones update the event."""
    return f"meeting-{meeting_id}@minka"


def _utc(moment: datetime) -> datetime:
    """Stored times are aware; a naive one would be guessed wrongly by some client."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: a calendar time needs its time zone")
    return moment.astimezone(UTC)


def _clean(text: str | None) -> str | None:
    """Strip, unify line endings; None for empty so the property is left out."""
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def _location(place: str | None, link: str | None) -> str | None:
    return " · ".join(part for part in (place, link) if part) or None


def _description(agenda: str | None, link: str | None) -> str | None:
    return "\n\n".join(part for part in (agenda, link) if part) or None


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _common_name(value: str) -> str:
    """A CN parameter's value (3.2): a double quote, which cannot appear in one, and line
    breaks written as RFC 6868 says («^'», «^n», and «^^» for «^»); quoted when it holds a
    comma, semicolon or colon, or, as icalendar quotes a CN, a space or an apostrophe."""
    quoted = any(mark in value for mark in " '")
    value = value.replace("^", "^^").replace('"', "^'")
    value = value.replace("\r\n", "^n").replace("\r", "^n").replace("\n", "^n")
    return f'"{value}"' if quoted or any(mark in value for mark in ",;:\u2019") else value


def _uri(value: str) -> str:
    """A URI value, written as it is (not escaped as text); a line break in it would end
    the line and start a property of the sender's choosing."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"a URI may not hold a line break: {value!r}")
    return value


def _stamp(moment: datetime) -> str:
    return _utc(moment).strftime("%Y%m%dT%H%M%SZ")


def _trigger(before: timedelta) -> str:
    """A DURATION before the start (3.3.6): -PT1H, -PT1H30M."""
    hours, minutes = divmod(int(before.total_seconds()) // 60, 60)
    return "-PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes or not hours else "")


FOLD_AT = 75  # octets a line may take, CRLF left out (3.1)


def _fold(line: str) -> bytes:
    """The line as UTF-8, in pieces of fewer than 75 octets (a continuation line starts with a
    space), never cut inside a character nor between an escape's «\\» or «^» and what it
    escapes (some clients misread that, icalendar's issue #1501): as icalendar folds."""
    folded: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        if current and size + width >= FOLD_AT:
            carried = current.pop() if len(current) > 1 and current[-1] in "\\^" else ""
            folded.append("".join(current))
            current, size = ([carried], 1) if carried else ([], 0)
        current.append(char)
        size += width
    folded.append("".join(current))
    return "\r\n ".join(folded).encode() + b"\r\n"


def meeting_ics(meeting: MeetingRecord, *, organizer_name: str = "Minka", now: datetime) -> bytes:
    """One VEVENT in a METHOD:PUBLISH calendar, UTF-8 with CRLF line endings.

    A cancelled meeting keeps its UID, gets STATUS:CANCELLED and no alarm, so importing it
    crosses out the event and silences the reminder the earlier version had set.
    """
    title = _clean(meeting.title) or meeting.code
    place, link, agenda = _clean(meeting.place), _clean(meeting.link), _clean(meeting.agenda)
    cancelled = meeting.status == "cancelled"

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{_text(PRODID)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"SUMMARY:{_text(title)}",
        f"DTSTART:{_stamp(meeting.starts_at)}",
        f"DTEND:{_stamp(meeting.ends_at)}",
        f"DTSTAMP:{_stamp(now)}",
        f"UID:{_text(meeting_uid(meeting.id))}",
        f"SEQUENCE:{max(0, meeting.version - 1)}",
    ]
    if description := _description(agenda, link):
        lines.append(f"DESCRIPTION:{_text(description)}")
    if location := _location(place, link):
        lines.append(f"LOCATION:{_text(location)}")
    lines.append(f"ORGANIZER;CN={_common_name(organizer_name)}:{ORGANIZER_ADDRESS}")
    lines.append(f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}")
    if link:
        lines.append(f"URL:{_uri(link)}")
    if not cancelled:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{_text(title)}",
            f"TRIGGER:{_trigger(ALARM_BEFORE)}",
            "END:VALARM",
        ]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return b"".join(_fold(line) for line in lines)
