"""Small cells and bounds (issue #13): a count of people lies between 0 and the people it
counts, so a sum the reader works out that is 0, or all of them, tells each one's answer.
Each test builds reports with the real code on a real database and gives every figure shown,
with its value, to the bounds reader (`tests.derivation.pinned`): the unknowns are each
person's answers (0 or 1); what a figure shown at either end of its own range tells (3 of
3 confirmed) is the documented limit and not reported."""

from __future__ import annotations

from datetime import datetime

from bot.services.indicators.periods import Period
from storage.db import Database
from tests.derivation import pinned
from tests.test_period_disclosure import Invitee, _day, _invite, _report

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
    assert await _confirmations(db, invitees, Period.quarter(2026, 1))  # the reader read
    assert pinned(await _confirmations(db, invitees, Period.quarter(2026, 1))) == {}
