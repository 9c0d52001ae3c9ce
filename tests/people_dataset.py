"""A small dataset for indicators 1, 2, 3 and 7 whose every number was worked out by hand (in
the comments of the tests that use it), for the first quarter of 2026: twelve people, eight
meetings, four workshops and their ratings, with the period's edges, a cancelled meeting, an
erased person and unfinished surveys; and helpers to compute an indicator on it and read it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import translator
from bot.services.indicators import query_for
from bot.services.indicators.common import NO_REGION, NO_SEX, Indicator, Table
from bot.services.indicators.periods import Period
from bot.services.profile import SEXES
from storage.db import Database
from storage.models import (
    Meeting,
    MeetingInvitation,
    Person,
    Workshop,
    WorkshopAttendance,
    WorkshopRating,
)

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
PERIOD = Period.quarter(2026, 1)
START = datetime(2026, 1, 1, tzinfo=LIMA)  # the period's first moment
END = datetime(2026, 4, 1, tzinfo=LIMA)  # the first moment after it
MINUTE = timedelta(minutes=1)
REGISTERED = datetime(2025, 6, 1, tzinfo=LIMA)
READ = datetime(2026, 12, 1, tzinfo=LIMA)  # long after the period: its surveys closed
NONE = T.gettext(NO_REGION)  # the row of people without a region
SEX_NAMES = [*(T.gettext(label) for label in SEXES.values()), T.gettext(NO_SEX)]

# name: (sex, region, registered_at). Hilda erases her data (region and sex are kept); Iris
# never finished registering; Juan registered at the period's end (too late), Luis one minute
# before it.
PEOPLE: dict[str, tuple[str | None, str | None, datetime | None]] = {
    "ana": ("female", "puno", REGISTERED),
    "beto": ("male", "puno", REGISTERED),
    "carla": ("female", "puno", REGISTERED),
    "dora": ("female", "cusco", REGISTERED),
    "eloy": ("male", "cusco", REGISTERED),
    "fio": ("undisclosed", "piura", REGISTERED),
    "gino": (None, None, REGISTERED),
    "hilda": ("female", "piura", REGISTERED),
    "iris": ("female", "puno", None),
    "juan": ("male", "ancash", END),
    "kelly": ("female", "tacna", datetime(2025, 1, 1, tzinfo=LIMA)),
    "luis": ("male", "junin", END - MINUTE),
}

# code: (kind, starts_at, status, {person: (rsvp, attended)}).  In the period: M6 (its first
# minute), M1, M2 (its last minute). Out: M3 (at the end), M4 (a minute before), M5
# (cancelled), M7 and M8 (last year: they only matter for "no meeting in 12 months").
MEETINGS: dict[str, tuple[str, datetime, str, dict[str, tuple[str, bool]]]] = {
    "M6": ("coordinacion", START, "scheduled", {
        "ana": ("yes", True), "beto": ("delegate", True), "carla": ("no", False),
        "dora": ("pending", False),
    }),
    "M1": ("coordinacion", datetime(2026, 1, 10, 10, tzinfo=LIMA), "scheduled", {
        "ana": ("yes", True), "beto": ("pending", False), "dora": ("no", False),
        "eloy": ("yes", True), "fio": ("delegate", False), "gino": ("yes", True),
    }),
    "M2": ("comite", END - MINUTE, "scheduled", {
        "ana": ("no", False), "carla": ("yes", True), "hilda": ("yes", True),
    }),
    "M3": ("tecnica", END, "scheduled", {"iris": ("yes", True), "ana": ("yes", True)}),
    "M4": ("coordinacion", START - MINUTE, "scheduled", {
        "juan": ("yes", True), "eloy": ("yes", True),
    }),
    "M5": ("coordinacion", datetime(2026, 2, 15, 10, tzinfo=LIMA), "cancelled", {
        "fio": ("yes", True), "iris": ("yes", False),
    }),
    # One minute before the 12 months that end with the period, and its very first minute.
    "M7": ("coordinacion", datetime(2025, 4, 1, tzinfo=LIMA) - MINUTE, "scheduled", {
        "kelly": ("yes", True),
    }),
    "M8": ("tecnica", datetime(2025, 4, 1, tzinfo=LIMA), "scheduled", {"luis": ("yes", True)}),
}  # fmt: skip

# code: (starts_at, workshop region, attendees). In the period: W1, W2 (its last minute).
WORKSHOPS: dict[str, tuple[datetime, str | None, list[str]]] = {
    "TAL001": (
        datetime(2026, 2, 10, 9, tzinfo=LIMA), "puno",
        ["ana", "beto", "carla", "dora", "eloy", "fio"],
    ),
    "TAL002": (END - MINUTE, "cusco", ["ana", "dora", "gino", "hilda"]),
    "TAL003": (END, "puno", ["iris", "beto"]),
    "TAL004": (START - MINUTE, None, ["juan"]),
}  # fmt: skip
# (workshop, person): overall, content, facilitation, usefulness, organization; None: the
# survey was left unfinished. Luis rated TAL001 without a recorded attendance.
RATINGS: dict[tuple[str, str], tuple[int, int, int, int, int] | None] = {
    ("TAL001", "ana"): (5, 5, 4, 5, 4), ("TAL001", "beto"): (4, 4, 4, 3, 4),
    ("TAL001", "carla"): (3, 2, 3, 3, 3), ("TAL001", "dora"): (5, 4, 5, 5, 5),
    ("TAL001", "eloy"): (1, 2, 1, 2, 1), ("TAL001", "fio"): None,
    ("TAL001", "luis"): (2, 2, 2, 2, 2),
    ("TAL002", "ana"): (4, 3, 4, 4, 4), ("TAL002", "dora"): (2, 2, 3, 2, 2),
    ("TAL002", "hilda"): (5, 5, 5, 5, 5),
    ("TAL003", "iris"): (1, 1, 1, 1, 1), ("TAL003", "beto"): (1, 1, 1, 1, 1),
    ("TAL004", "juan"): (1, 1, 1, 1, 1),
}  # fmt: skip
CRITERIA = ("overall", "content", "facilitation", "usefulness", "organization")
TAL001_AVERAGES = (20 / 6, 19 / 6, 19 / 6, 20 / 6, 19 / 6)
TAL002_AVERAGES = (11 / 3, 10 / 3, 12 / 3, 11 / 3, 11 / 3)


async def dataset(db: Database) -> None:
    """Model objects with chosen ids (people 1-12 in PEOPLE's order), inserted table by table."""
    ids = {name: number for number, name in enumerate(PEOPLE, start=1)}
    meetings = {code: number for number, code in enumerate(MEETINGS, start=1)}
    workshops = {code: number for number, code in enumerate(WORKSHOPS, start=1)}
    async with db.session() as session:
        for name, (sex, region, registered_at) in PEOPLE.items():
            erased = name == "hilda"  # nothing that identifies her; region and sex are kept
            session.add(Person(
                id=ids[name], telegram_id=None if erased else 5000 + ids[name],
                full_name=None if erased else name.title(), region_code=region, sex=sex,
                consent_at=REGISTERED, registered_at=registered_at,
                erased_at=datetime(2026, 3, 1, tzinfo=LIMA) if erased else None,
            ))  # fmt: skip
        await session.flush()
        for code, (kind, starts_at, status, _invitations) in MEETINGS.items():
            session.add(Meeting(
                id=meetings[code], code=code, title=f"Reunión {code}", kind=kind,
                starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), status=status,
            ))  # fmt: skip
        for code, (starts_at, region, _attendees) in WORKSHOPS.items():
            session.add(Workshop(
                id=workshops[code], code=code, title=f"Taller {code}", region_code=region,
                starts_at=starts_at, ends_at=starts_at + timedelta(hours=3),
                survey_closes_at=starts_at + timedelta(days=3),
            ))  # fmt: skip
        await session.flush()
        for code, (_kind, starts_at, _status, invitations) in MEETINGS.items():
            for name, (rsvp, attended) in invitations.items():
                session.add(MeetingInvitation(
                    meeting_id=meetings[code], person_id=ids[name], rsvp=rsvp,
                    attended_at=starts_at if attended else None,
                ))  # fmt: skip
        for code, (starts, _region, attendees) in WORKSHOPS.items():
            for name in attendees:
                session.add(
                    WorkshopAttendance(
                        workshop_id=workshops[code], person_id=ids[name], checked_in_at=starts
                    )
                )
        for (code, name), scores in RATINGS.items():
            values: dict[str, Any] = {"overall": 1, "completed_at": None}  # left unfinished
            if scores is not None:
                done = WORKSHOPS[code][0] + timedelta(hours=4)
                values = dict(zip(CRITERIA, scores, strict=True), completed_at=done)
            session.add(WorkshopRating(workshop_id=workshops[code], person_id=ids[name], **values))


async def compute(db: Database, function: Any, region: str | None = None) -> Indicator:
    async with db.session() as session:
        q = await query_for(session, PERIOD, region, T, READ)
        return await function(q)


def values(table: Table) -> list[tuple[Any, ...]]:
    """The rows without their first (label) column."""
    return [row[1:] for row in table.rows]


def labels(table: Table) -> list[Any]:
    return [row[0] for row in table.rows]


def headlines(indicator: Indicator) -> list[Any]:
    return [headline.value for headline in indicator.headlines]
