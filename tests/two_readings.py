"""What the attacks across dates share (tests/test_period_in_progress, test_period_after_end,
test_survey_after_end): people by region and sex, a column of a report's tables, and the
attacker's subtraction of two readings of one period."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import translator
from bot.services.indicators import query_for
from bot.services.indicators.common import Indicator
from bot.services.indicators.participation import participation
from bot.services.indicators.periods import Period
from storage.db import Database
from storage.models import MeetingInvitation, Person
from tests.helpers import coordination_meeting
from tests.test_registered_quarters import _person

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
LONG_AGO = datetime(2025, 1, 1, tzinfo=LIMA)  # everyone registered then
Q1 = Period.quarter(2026, 1)
# Q1 read the day after its end, something of it changed on 10 April, read again on 11 April
FIRST, CHANGED = datetime(2026, 4, 1, 12, tzinfo=LIMA), datetime(2026, 4, 10, 12, tzinfo=LIMA)
SECOND = datetime(2026, 4, 11, 12, tzinfo=LIMA)


async def add_people(
    session: AsyncSession, counts: Mapping[str, tuple[int, int]], at: datetime
) -> dict[str, list[Person]]:
    """Per region, its women then its men (`counts`: region: (women, men)), registered `at`."""
    people = {
        region: [_person(region, "female", at) for _ in range(w)]
        + [_person(region, "male", at) for _ in range(m)]
        for region, (w, m) in counts.items()
    }
    session.add_all([p for group in people.values() for p in group])
    await session.flush()
    return people


async def participation_at(
    db: Database, period: Period, region: str | None, now: datetime
) -> Indicator:
    """Indicator 1 of `period` as read at `now` (national when `region` is None)."""
    async with db.session() as session:
        return await participation(await query_for(session, period, region, T, now))


def column(indicator: Indicator, first: str, label: str) -> dict[str, object]:
    """Column `label` of the first table whose first column is headed `first`, by row."""
    table = next(t for t in indicator.tables if t.columns[0].label == first)
    at = [c.label for c in table.columns].index(label)
    return {str(row[0]): row[at] for row in table.rows}


def grew_by_her(
    regions: Sequence[Mapping[str, object]], sexes: Sequence[Mapping[str, object]], region: str
) -> bool:
    """Whether two readings (`regions`, `sexes`: a column by region and by sex, before and
    after), subtracted, tell that the people added are women of `region`: it grew by as many
    as the women did, every other region by 0. A figure hidden («—») on either date tells
    nothing."""
    names = [k for k in regions[0] if k != "Total"]
    shown = all(isinstance(d.get(k), int) for d in regions for k in names)
    if not (shown and all(isinstance(d.get("Mujer"), int) for d in sexes)):
        return False
    grew = {k: int(regions[1][k]) - int(regions[0][k]) for k in names}  # type: ignore[call-overload]
    women = int(sexes[1]["Mujer"]) - int(sexes[0]["Mujer"])  # type: ignore[call-overload]
    return women > 0 and grew == {k: women if k == region else 0 for k in names}


def told(
    before: Indicator,
    after: Indicator,
    read: Callable[[Indicator, str], dict[str, object]],
    region: str,
) -> bool:
    """`grew_by_her` of the column `read` gives of the tables by region and by sex."""
    sides = [[read(r, first) for r in (before, after)] for first in ("Región", "Sexo")]
    return grew_by_her(*sides, region)


Column = Callable[[Indicator, str], dict[str, object]]


async def unmoved(
    readings: tuple[Indicator, Indicator],
    puno: Callable[[datetime], Awaitable[Indicator]],
    dates: tuple[datetime, datetime],
    read: Column,
    shown: int,
) -> None:
    """An ended period read on two dates (`readings`, national) printed the same: Puno's own
    report (`puno`) hides its woman on both, Puno's figure is `shown` on both, the readings
    tell nothing of her (`told`) and every table is the same."""
    before, after = readings
    for now in dates:
        assert read(await puno(now), "Sexo")["Mujer"] is None
    assert [read(r, "Región")["Puno"] for r in readings] == [shown, shown]
    assert not told(before, after, read, "Puno")
    assert [t.rows for t in before.tables] == [t.rows for t in after.tables]


# Puno's one woman and five men, Cusco's and Tacna's four and four: the meetings' attacks
MEETING_PEOPLE = {"puno": (1, 5), "cusco": (4, 4), "tacna": (4, 4)}


async def meeting(db: Database, code: str, day: datetime, people: Sequence[Person]) -> int:
    """A coordination meeting on `day` inviting `people`, who confirm and attend: its id."""
    async with db.session() as session:
        found = await coordination_meeting(session, code, day)
        session.add_all(
            MeetingInvitation(meeting_id=found, person_id=p.id, rsvp="yes", attended_at=day)
            for p in people
        )
        await session.commit()
    return found


async def first_meeting(db: Database, day: datetime) -> dict[str, list[Person]]:
    """MEETING_PEOPLE, and a meeting on `day` inviting three of Puno's men and two women and
    two men of Cusco and of Tacna: the people by region."""
    async with db.session() as session:
        people = await add_people(session, MEETING_PEOPLE, LONG_AGO)
        await session.commit()
    puno, cusco, tacna = people["puno"], people["cusco"], people["tacna"]
    await meeting(db, "M1", day, [*puno[1:4], *cusco[:2], *cusco[4:6], *tacna[:2], *tacna[4:6]])
    return people
