"""Issue #13 across periods: the chat offers whole quarters and years, and a year's report
beside its four quarters' reports (national and every region's) must not give anybody away.
Every figure of indicator 1 shown in those 20 reports goes to the brute-force reader of
`tests.derivation`, read as the set of people's answers it adds up."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from itertools import count as numbers
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.services.indicators import Report, build_report
from bot.services.indicators.common import (
    Cells,
    Indicator,
    Query,
    by_region,
    count,
    share,
    total_headline,
)
from bot.services.indicators.joint import jointly
from bot.services.indicators.periods import Period
from bot.services.indicators.sex_rule import by_sex
from storage.db import Database
from storage.models import Meeting, MeetingInvitation, Person
from storage.repositories import people
from tests.chat import Person as Chatter
from tests.derivation import singled_out
from tests.helpers import CHECKED_AT, CHECKED_ON, register

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
REGIONS = {"puno": "Puno", "cusco": "Cusco", "lima": "Lima"}
SEXES = {"female": "Mujer", "male": "Hombre"}
LONG_AGO = datetime(2025, 1, 1, tzinfo=LIMA)
TELEGRAM_IDS = numbers(8600)
YEAR = 2026  # the tests' clock runs in 2026 (the chat offers this year and its quarters)
pytestmark = pytest.mark.now(CHECKED_ON)
# Per-meeting columns: confirmed, delegated, answered no, attended, attendance rate.
MEETING_COLUMNS = {4: "confirmed", 5: "delegated", 6: "no", 7: "attended", 8: "attended"}
# By region and by sex: confirmed, delegated, attended, confirmation and attendance rates.
GROUP_COLUMNS = {2: "confirmed", 3: "delegated", 4: "attended", 5: "confirmed", 6: "attended"}

# (region, sex, day of the meeting they were invited to, answer)
Invitee = tuple[str, str, datetime, str]


async def _invite(db: Database, invitees: list[Invitee]) -> None:
    """One meeting per day, each person invited to one."""
    async with db.session() as session:
        meetings: dict[datetime, int] = {}
        for region, sex, day, answer in invitees:
            if day not in meetings:
                meeting = Meeting(
                    code=f"M{len(meetings)}", title=f"Reunión {len(meetings)}",
                    kind="coordinacion", starts_at=day, ends_at=day + timedelta(hours=2),
                    status="scheduled",
                )  # fmt: skip
                session.add(meeting)
                await session.flush()
                meetings[day] = meeting.id
            person = Person(
                telegram_id=next(TELEGRAM_IDS), full_name="Persona", sex=sex,
                region_code=region, position="Especialista", consent_at=LONG_AGO,
                registered_at=LONG_AGO,
            )  # fmt: skip
            session.add(person)
            await session.flush()
            session.add(
                MeetingInvitation(meeting_id=meetings[day], person_id=person.id, rsvp=answer)
            )


async def _report(db: Database, period: Period, region: str | None) -> Report:
    async with db.session() as session:
        return await build_report(session, period, region, T, CHECKED_AT)


def _known(
    indicator: Indicator, period: Period, region: str | None, invitees: list[Invitee]
) -> list[set[tuple[int, str]]]:
    """Each figure of indicator 1 shown, as the set of (person, answer) it adds up."""
    inside = [
        i
        for i, (r, _s, day, _a) in enumerate(invitees)
        if (region is None or r == region) and period.first <= day.date() <= period.last
    ]
    regions, sexes, meetings = indicator.tables
    known: list[set[tuple[int, str]]] = []
    for table, side, names in ((regions, 0, REGIONS), (sexes, 1, SEXES)):
        for row in table.rows:
            code = next((c for c, name in names.items() if name == row[0]), None)
            who = [i for i in inside if row[0] == "Total" or invitees[i][side] == code]
            for column, variable in GROUP_COLUMNS.items():
                if row[column] is not None:
                    known.append({(i, variable) for i in who})
    for row in meetings.rows:
        who = [i for i in inside if f"Reunión {_meeting(invitees, i)}" == row[1]]
        for column, variable in MEETING_COLUMNS.items():
            if row[column] is not None:
                known.append({(i, variable) for i in who})
    return [sums for sums in known if sums]


def _meeting(invitees: list[Invitee], i: int) -> int:
    return list(dict.fromkeys(day for _r, _s, day, _a in invitees)).index(invitees[i][2])


async def _everything_shown(db: Database, invitees: list[Invitee]) -> list[set[tuple[int, str]]]:
    """The year 2026 and its four quarters, national and each region's: 20 reports."""
    year = Period.year(2026)
    known = []
    for period in [year, *year.quarters()]:
        for region in [None, *REGIONS]:
            report = await _report(db, period, region)
            (indicator,) = [i for i in report.indicators if i.number == 1]
            known += _known(indicator, period, region, invitees)
    return known


def _day(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=LIMA)


async def test_a_year_beside_its_quarters(db: Database) -> None:
    """One woman from Puno is invited in February and says yes; in May three more from Puno
    and three men from Lima, in August three from Cusco. The first quarter's reports hide
    Puno (one person). Before the joint rule the year's report showed Puno's 4 people
    (confirmed 3), the second quarter's its 3 (confirmed 2): the February woman's «yes» was
    the difference. Now the year hides what the first quarter hides."""
    invitees: list[Invitee] = [("puno", "female", _day(2, 10), "yes")]
    invitees += [("puno", "female", _day(5, 12), answer) for answer in ("yes", "yes", "no")]
    invitees += [("lima", "male", _day(5, 12), "no")] * 3
    invitees += [("cusco", "female", _day(8, 20), "yes")] * 3
    invitees += [("lima", "male", _day(8, 20), "yes"), ("lima", "female", _day(8, 20), "no")]
    await _invite(db, invitees)
    year = await _report(db, Period.year(2026), None)
    (participation,) = [i for i in year.indicators if i.number == 1]
    by_region = {row[0]: row[1:] for row in participation.tables[0].rows}
    assert by_region["Puno"][0] == 4  # invited people are always shown
    assert by_region["Puno"][1] is None  # confirmed: hidden, as in the first quarter
    assert singled_out(await _everything_shown(db, invitees)) is None


# (region, sex, quarter of 2026, confirmed)
Answer = tuple[str, str, int, bool]
answers = st.lists(
    st.tuples(
        st.sampled_from(list(REGIONS)),
        st.sampled_from(list(SEXES)),
        st.integers(1, 4),
        st.booleans(),
    ),
    max_size=12,
)


def _indicator(period: Period, region: str | None, people: list[Answer]) -> Indicator:
    """Confirmed of invited, by region and by sex, as `by_region` and `by_sex` build them."""
    cells: Cells = {}
    for r, s, quarter, confirmed in people:
        if period.first <= Period.quarter(2026, quarter).first <= period.last:
            cells.setdefault((r, s), Counter()).update(invited=1, confirmed=int(confirmed))
    q = Query(None, period, region, REGIONS, T, period.end(T))  # type: ignore[arg-type]
    measures = (
        count("Invitados", "invited"),
        count("Confirmaron", "confirmed", "invited"),
        share("Proporción", "confirmed", "invited"),
    )
    regions = by_region(q, "Por región", cells, measures)
    sexes = by_sex(q, "Por sexo", cells, measures, groups=("invited", "confirmed"))
    headlines = (total_headline(regions, 2, "Confirmaron"),)
    return Indicator(1, "", "", headlines, (regions, sexes))


def _shown(people: list[Answer], joint: bool) -> list[set[tuple[int, str]]]:
    year = Period.year(2026)
    known: list[set[tuple[int, str]]] = []
    for region in [None, *REGIONS]:
        quarters = [_indicator(quarter, region, people) for quarter in year.quarters()]
        whole = _indicator(year, region, people)
        if joint:
            whole = jointly(whole, quarters)
        for number, indicator in enumerate([whole, *quarters]):
            inside = [
                i
                for i, (r, _s, quarter, _c) in enumerate(people)
                if (region is None or r == region) and number in (0, quarter)
            ]
            for table, side, names in zip(indicator.tables, (0, 1), (REGIONS, SEXES), strict=True):
                for row in table.rows:
                    who = [i for i in inside if row[0] in ("Total", names[people[i][side]])]
                    if row[2] is not None or row[3] is not None:
                        known.append({(i, "confirmed") for i in who})
    return [sums for sums in known if sums]


@settings(max_examples=300, deadline=None)
@given(answers)
@example(  # Puno's woman alone in the first quarter; three more in the second
    [("puno", "female", 1, True), *[("puno", "female", 2, c) for c in (True, True, False)]]
    + [("lima", "male", 2, False)] * 3
    + [("cusco", "female", 3, True)] * 3
)
def test_a_year_and_its_quarters(people: list[Answer]) -> None:
    assert singled_out(_shown(people, joint=True)) is None, people


def test_without_the_joint_rule_the_year_gives_her_away() -> None:
    """The example above, the year's report not restricted: Puno's woman of the first
    quarter is the difference between the year and the second quarter."""
    people: list[Answer] = [("puno", "female", 1, True)]
    people += [("puno", "female", 2, c) for c in (True, True, False)]
    people += [("lima", "male", 2, False)] * 3 + [("cusco", "female", 3, True)] * 3
    assert singled_out(_shown(people, joint=False)) == (0,)
    assert singled_out(_shown(people, joint=True)) is None


def test_whole_quarters_and_years() -> None:
    """What `build_report` splits: a whole year into its four quarters; a half-year (whole
    quarters, but not offered in the chat) is no whole period, and other dates have none."""
    year = Period.year(2026)
    assert year.whole and [q.first.month for q in year.quarters()] == [1, 4, 7, 10]
    assert Period.quarter(2026, 3).whole and Period.quarter(2026, 3).quarters() == [
        Period.quarter(2026, 3)
    ]
    half = Period(year.first, Period.quarter(2026, 2).last)
    assert len(half.quarters()) == 2 and not half.whole
    assert Period(year.first, Period.quarter(2026, 2).last.replace(day=29)).quarters() == []
    across = Period(Period.quarter(2025, 4).first, Period.quarter(2026, 3).last)
    assert len(across.quarters()) == 4 and not across.whole


async def _summary(coordinator: Chatter, period: str) -> str:
    """The chat summary of the report for `period` (a button's label)."""
    (periods,) = await coordinator.say("/indicadores")
    await coordinator.press(periods, period)
    while True:
        event = await coordinator.reply(timeout=60)
        if event.method == "sendMessage" and "Indicadores del programa" in (event.text or ""):
            summary = event.text or ""
        if event.method == "editMessageText" and "listo" in (event.text or ""):
            return summary


async def test_a_puno_coordinator_subtracts_two_offered_periods(
    api: LocalBotApi, runtime: Runtime, ana: Chatter
) -> None:
    """The attack with periods the chat offers: one woman of Puno is invited in February and
    says yes; three more in May, two of whom say yes. Puno's coordinator asks for the year,
    then for the second quarter: before the joint rule the year read «Invitados: 4,
    Confirmaron: 3» and the quarter «3, 2», so the February woman's answer was 3 − 2 = 1."""
    await register(ana, region="Puno")
    async with runtime.db.session() as session:
        await people.set_role(session, ana.id, "coordinator", "puno")
    invitees: list[Invitee] = [("puno", "female", _day(2, 10), "yes")]
    invitees += [("puno", "female", _day(5, 12), answer) for answer in ("yes", "yes", "no")]
    invitees += [("lima", "male", _day(5, 12), "no")] * 3
    await _invite(runtime.db, invitees)
    year = await _summary(ana, f"Año {YEAR}")
    quarter = await _summary(ana, f"Trimestre 2 de {YEAR}")
    assert "Ámbito: Puno" in year and "Ámbito: Puno" in quarter
    assert "• Invitados: 3\n• Confirmaron (en persona o con representante): 2" in quarter
    assert "• Invitados: 4\n• Confirmaron (en persona o con representante): —" in year
