"""Small cells and bounds (issue #13): a count of people lies between 0 and the people it
counts, so a sum the reader works out that is 0, or all of them, tells each one's answer.
Each test builds reports with the real code on a real database and gives every figure shown,
with its value, to the bounds reader (`tests.derivation.pinned`): the unknowns are each
person's answers (0 or 1); what a figure shown at either end of its own range tells (3 of
3 confirmed) is the documented limit and not reported."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.services.indicators import query_for
from bot.services.indicators.periods import Period
from bot.services.indicators.visits import study_visits
from storage.db import Database
from storage.models import Person, Visit, VisitParticipant
from tests.derivation import pinned
from tests.test_period_disclosure import LIMA, LONG_AGO, Invitee, T, _day, _invite, _report

REGIONS = {"puno": "Puno", "cusco": "Cusco", "lima": "Lima"}
SEXES = {"female": "Mujer", "male": "Hombre", "undisclosed": "Prefiero no decir", None: "Sin dato"}
# Indicator 1's tables by region and by sex: confirmed, and its rate beside the invited.
CONFIRMED, CONFIRMATION_RATE = 2, 5


async def _confirmations(
    db: Database, invitees: list[Invitee], period: Period
) -> list[tuple[set[tuple[int, str]], int]]:
    """Each count of confirmed people indicator 1 shows by region and by sex, in the national
    report and each region's, as the (person, "confirmed") it adds up and its value."""
    known = []
    for scope in [None, *REGIONS]:
        report = await _report(db, period, scope)
        (indicator,) = [i for i in report.indicators if i.number == 1]
        inside = [i for i, who in enumerate(invitees) if scope in (None, who[0])]
        for table, side, names in (
            (indicator.tables[0], 0, REGIONS),
            (indicator.tables[1], 1, SEXES),
        ):
            for row in table.rows:
                who = [i for i in inside if row[0] == "Total" or names[invitees[i][side]] == row[0]]
                if not who:
                    continue
                assert row[1] in (None, len(who)), (scope, table.title, row)  # (as read)
                if row[CONFIRMED] is not None:
                    known.append(({(i, "confirmed") for i in who}, row[CONFIRMED]))
                elif row[CONFIRMATION_RATE] is not None:
                    value = round(row[CONFIRMATION_RATE] * len(who))
                    known.append(({(i, "confirmed") for i in who}, value))
    return known


def _february(region: str, sex: str | None, answer: str) -> Invitee:
    day: datetime = _day(2, 10)
    return (region, sex, day, answer)  # type: ignore[return-value]


async def test_the_sexes_hidden_by_their_rule_are_not_worked_out_from_the_regions(
    db: Database,
) -> None:
    """Puno: two women and one person whose sex is not recorded said no, three men yes; Cusco:
    a woman and two who prefer not to say their sex said yes. The table by sex hides every sex
    but the men (the rule of indicator 7: 2 and 1 people), and shows them 3 of 3 confirmed,
    every one in Puno; Puno shows 3 of 6: its other three confirmed 3 − 3 = 0, so each of
    them said no."""
    invitees = [_february("puno", sex, "no") for sex in ("female", "female", None)]
    invitees += [_february("puno", "male", "yes")] * 3
    invitees += [_february("cusco", sex, "yes") for sex in ("female", "undisclosed", "undisclosed")]
    await _invite(db, invitees)
    known = await _confirmations(db, invitees, Period.quarter(2026, 1))
    assert pinned(known, cells=lambda i: invitees[i][:2]) == {}


# (region, regional leader, accepted, travelled): a study visit's participants, all women.
Visitor = tuple[str, bool, bool, bool]
NO, YES = (False, False), (True, True)
VISIT_CASES = {
    # Puno 1 accepted of 10 (its leader who travelled); the total hidden (Pasco's two and
    # Lima's one add up to 0); but the leaders' 1 of 3 and the officials' 0 of 10 add up to
    # it: Lima's leader neither accepted nor travelled.
    "the leaders and officials add up to a total hidden": [
        *[("puno", False, *NO)] * 8, ("puno", True, *NO), ("puno", True, *YES),
        *[("pasco", False, *NO)] * 2, ("lima", True, *NO),
    ],
    # Puno 0 of 9 travelled tells its 2 leaders' (hidden); Lima's one leader is then the
    # total's 1 leader who travelled.
    "a region shown at 0 tells its leaders hidden": [
        *[("puno", False, *NO)] * 7, *[("puno", True, *NO)] * 2,
        *[("lima", False, *NO)] * 2, ("lima", True, *YES),
    ],
    # The leaders' 0 of 5 travelled beside Cusco's 1 of 4: its one official travelled.
    "the leaders at 0 beside a region shown": [
        *[("puno", False, *NO)] * 8, *[("puno", True, *NO)] * 2,
        ("cusco", False, *YES), *[("cusco", True, *NO)] * 3,
    ],
    # The leaders' total of travellers hidden (Puno's 1 of 6 tells its two leaders', and
    # Cusco's one leader would be the rest); but the women, everyone, showed their leaders'
    # 0: so Cusco's leader did not travel, and its two officials did.
    "the women add up to the leaders' total hidden": [
        *[("puno", False, *NO)] * 3, ("puno", False, *YES), *[("puno", True, *NO)] * 2,
        *[("cusco", False, *YES)] * 2, ("cusco", True, *NO),
    ],
    # The leaders' 0 of 3 travelled (told) beside Cusco's 2 of 3: Cusco's two officials,
    # whose figures its own report hides, travelled 2 of 2 (the officials' 5 of 5, hidden,
    # worked out from the total's 5). Found by test_bounded_reports' reader with 3000
    # examples.
    "the leaders at 0 leave a region's officials all its travellers": [
        *[("puno", False, *YES)] * 3, ("puno", True, *NO), ("puno", True, True, False),
        *[("cusco", False, *YES)] * 2, ("cusco", True, *NO),
    ],
}  # fmt: skip
Q4 = Period.quarter(2026, 4)
NOV = datetime(2026, 11, 10, tzinfo=LIMA)


async def _visit(db: Database, visitors: list[Visitor]) -> None:
    async with db.session() as session:
        visit = Visit(
            code="V1", title="Visita", destination="Canadá", starts_at=NOV,
            ends_at=NOV + timedelta(days=7), audience={}, reminder_offsets={"seconds": []},
            status="scheduled",
        )  # fmt: skip
        session.add(visit)
        await session.flush()
        for number, (region, leader, accepted, travelled) in enumerate(visitors):
            person = Person(
                telegram_id=8900 + number, full_name="Persona", sex="female",
                region_code=region, position="Especialista", consent_at=LONG_AGO,
                registered_at=LONG_AGO,
            )  # fmt: skip
            session.add(person)
            await session.flush()
            session.add(
                VisitParticipant(
                    visit_id=visit.id, person_id=person.id,
                    answer="accepted" if accepted else "declined",
                    travelled_at=NOV if travelled else None, leader=leader,
                )
            )  # fmt: skip


async def _visit_figures(
    db: Database, visitors: list[Visitor]
) -> list[tuple[set[tuple[int, str]], int]]:
    """Indicator 9's counts of accepted and travelled (national and each region's report):
    the tables of leaders and officials, by region, by sex and of pilot regions, and the
    headline (its leaders' row); «covered» is the indicator itself and is not read."""
    known: list[tuple[set[tuple[int, str]], int]] = []

    def add(value: object, who: list[int], variable: str) -> None:
        if value is not None and who:
            known.append(({(i, variable) for i in who}, int(value)))  # type: ignore[call-overload]

    regions = sorted({v[0] for v in visitors})
    for scope in [None, *regions]:
        async with db.session() as session:
            q = await query_for(session, Q4, scope, T, Q4.end(T))
            indicator = await study_visits(q)
        split, by_region, by_sex, pilots = indicator.tables
        inside = [i for i, v in enumerate(visitors) if scope in (None, v[0])]
        names = {row[0]: row[1:] for row in by_region.rows}
        for region in [*regions, None]:
            row = names.get("Total" if region is None else q.region_name(region))
            if row is None:
                continue
            who = [i for i in inside if region in (None, visitors[i][0])]
            add(row[1], who, "accepted")
            add(row[2], who, "travelled")
            add(row[4], [i for i in who if visitors[i][1]], "travelled")
            if row[5] is not None and row[2] is not None:
                add(round(row[5] * row[2]), [i for i in who if visitors[i][1]], "travelled")
        total = next(row for row in by_sex.rows if row[0] == "Mujer")
        add(total[2], inside, "accepted")
        add(total[3], inside, "travelled")
        add(total[5], [i for i in inside if visitors[i][1]], "travelled")  # (all women)
        for row in pilots.rows:
            who = [i for i in inside if visitors[i][1] and row[0] == q.region_name(visitors[i][0])]
            add(row[2], who, "accepted")
            add(row[3], who, "travelled")
        for (_label, *row), leader in zip(split.rows, (True, False), strict=True):
            who = [i for i in inside if visitors[i][1] == leader]
            add(row[1], who, "accepted")
            add(row[2], who, "travelled")
    return known


@pytest.mark.parametrize("case", list(VISIT_CASES))
async def test_study_visits_give_no_one_away_by_bounds(db: Database, case: str) -> None:
    visitors = VISIT_CASES[case]
    await _visit(db, visitors)
    known = await _visit_figures(db, visitors)
    assert pinned(known, cells=lambda i: visitors[i][:2]) == {}
