"""Indicator 1's table per meeting cannot be worked out from its bounds, on SQLite and
PostgreSQL. The hidden meetings' answers are known only as one sum (the people who
confirmed, less those of the meetings shown, when each person was invited once: the
meetings' invitees add up to the people invited), but a meeting's count of those who
confirmed lies between 0 and its invitees: a sum of 0, or of all of them, tells each.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import translator
from bot.services.indicators import query_for
from bot.services.indicators.common import Indicator
from bot.services.indicators.participation import participation
from bot.services.indicators.periods import Period
from storage.db import Database
from storage.models import MeetingInvitation, Person
from tests.helpers import coordination_meeting

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
YEAR = Period.year(2026)
JUNE = datetime(2026, 6, 10, 9, tzinfo=LIMA)

# Meeting: its invitees' (answer, attended), each a woman from Puno invited once. M2, M3 and
# M4 (one invitee each) are hidden; M1 shows 3 confirmed, 1 «no» and 2 attended beside the
# totals 6 confirmed and 2 attended: each of the three hidden confirmed, none said no, none
# attended.
MEETINGS: dict[str, list[tuple[str, bool]]] = {
    "M1": [("yes", True), ("yes", True), ("yes", False), ("no", False)],
    "M2": [("yes", False)],
    "M3": [("yes", False)],
    "M4": [("yes", False)],
}
# The table per meeting: invited, confirmed, delegated, answered no, attended (columns);
# the table by region: the people's invited, confirmed, delegated, attended.
INVITED, PER_MEETING = 3, {"confirmed": 4, "delegated": 5, "attended": 7}
BY_REGION = {"confirmed": 2, "delegated": 3, "attended": 4}


async def _seed(db: Database) -> None:
    async with db.session() as session:
        number = 0
        for day, (code, invitees) in enumerate(MEETINGS.items()):
            starts = JUNE + timedelta(days=7 * day)
            meeting = await coordination_meeting(session, code, starts)
            for answer, attended in invitees:
                number += 1
                person = Person(
                    telegram_id=8900 + number, full_name=f"P{number}", sex="female",
                    region_code="puno", position="Especialista",
                    consent_at=JUNE - timedelta(days=90), registered_at=JUNE - timedelta(days=90),
                )  # fmt: skip
                session.add(person)
                await session.flush()
                session.add(
                    MeetingInvitation(
                        meeting_id=meeting, person_id=person.id, rsvp=answer,
                        attended_at=starts if attended else None,
                    )
                )  # fmt: skip


def _worked_out(indicator: Indicator) -> list[str]:
    """Hidden meetings whose count of a kind of answer follows from the people's total (the
    table by region's total row) less the meetings shown: 0, or all of their invitees."""
    by_region, _by_sex, meetings = indicator.tables
    total = by_region.rows[-1]
    if sum(row[INVITED] for row in meetings.rows) != total[1]:
        return []  # someone was invited twice: the meetings do not add up to the people
    found = []
    for name, column in PER_MEETING.items():
        everyone = total[BY_REGION[name]]
        if everyone is None or everyone in (0, total[1]):
            continue  # unknown, or 0 or all of everyone: it tells every meeting anyway
        hidden = [row for row in meetings.rows if row[column] is None]
        rest = everyone - sum(row[column] for row in meetings.rows if row[column] is not None)
        invitees = sum(row[INVITED] for row in hidden)
        if hidden and rest in (0, invitees):
            found.append(f"{name}: {[row[1] for row in hidden]} {rest} of {invitees}")
    return found


async def test_hidden_meetings_are_not_worked_out_from_their_bounds(db: Database) -> None:
    await _seed(db)
    for region in (None, "puno"):
        async with db.session() as session:
            indicator = await participation(await query_for(session, YEAR, region, T, YEAR.end(T)))
        meetings = indicator.tables[2]
        assert [row[INVITED] for row in meetings.rows] == [4, 1, 1, 1]
        assert indicator.tables[0].rows[-1][1:5] == (7, 6, 0, 2)  # the totals stay
        assert _worked_out(indicator) == [], region
