"""A meeting as an iCalendar (.ics) file, so invitees add it to their phone's calendar.

The file is built with `icalendar` rather than by hand: it escapes text (commas, semicolons,
backslashes, newlines), quotes parameters and folds long lines at 75 octets without cutting a
multi-byte character such as "Á" or "ñ" in two, which hand-written files commonly get wrong.

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


def meeting_ics(meeting: MeetingRecord, *, organizer_name: str = "Minka", now: datetime) -> bytes:
    """One VEVENT in a METHOD:PUBLISH calendar, UTF-8 with CRLF line endings.

    A cancelled meeting keeps its UID, gets STATUS:CANCELLED and no alarm, so importing it
    crosses out the event and silences the reminder the earlier version had set.
    """
    # Imported here: a meeting's file is rare, and icalendar (80 modules, about 2.8 MB of
    # RSS) would otherwise sit in every bot process from its start (#17's memory goal).
    from icalendar import Alarm, Calendar, Event, vCalAddress, vText

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
