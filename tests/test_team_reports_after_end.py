"""A quarter that moves after it ends: indicator 4's Regional Team reports counted every report
for the period's months as it is now, so a report of the quarter's last month sent, or sent
again, after the quarter's end moved the quarter's «Sent on time» (Q1 read on 1 April, then on
11 April; both dates offered by the chat, Q1 having ended).

Puno's team has one member, Cusco's and Tacna's three each; every member sends the reports of
January, February and March, all on time but one January report of Cusco and one of Tacna (so
that the hidden regions' on time is at no end, `row_rule.at_an_end`). Puno's row shows its
reports sent and hides its on time (one person). Between the two readings:

- «resent»: Puno's member, who sent March's report on 25 March, sends it again on 10 April
  (`team_reports.save` replaced its time): no region's reports sent moved, the total's on
  time fell by 1, every other region's row stayed: Puno's hidden on time fell by 1, her
  report is now late. On main 29a7e7f this case failed; fixed: sending a report again
  replaces what it says, not when (nor for which region) it was first sent.
- «late»: she sends March's report for the first time on 10 April (late): Puno's sent +1, the
  total's on time +0: her report was late. On main 4512f9a this case failed (a strict xfail);
  fixed: until no report of the period's months can be sent (1 May for Q1: March's may be
  sent in April), a hidden region's reports sent and the total's figures are «—»
  (`indicators.team_reports.settled_from`). From 1 May every figure is shown again, and no
  report of Q1's months can move it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.services import team_reports as rules
from bot.services.indicators import query_for
from bot.services.indicators.cases import cases_attended
from bot.services.indicators.common import Table
from storage.db import Database
from storage.models import Person, TeamMember, TeamReport
from tests.two_readings import CHANGED, FIRST, LIMA, LONG_AGO, Q1, SECOND, T

_ = T.gettext
TEAMS = {"puno": 1, "cusco": 3, "tacna": 3}
MONTHS = {
    "2026-01": datetime(2026, 1, 30, tzinfo=LIMA),
    "2026-02": datetime(2026, 2, 27, tzinfo=LIMA),
}
MARCH = datetime(2026, 3, 25, tzinfo=LIMA)
LATE = datetime(2026, 2, 10, tzinfo=LIMA)  # January's report, sent late
SETTLED = datetime(2026, 5, 1, 9, tzinfo=LIMA)  # no report of Q1's months can be sent now


async def _teams(db: Database, case: str) -> rules.Member:
    """The dataset (module docstring); Puno's member."""
    async with db.session() as session:
        members = []
        for region, n in TEAMS.items():
            for k in range(n):
                person = Person(
                    telegram_id=7000 + len(members), full_name="Miembro", sex="female",
                    region_code=region, institution="regional_team", consent_at=LONG_AGO,
                    registered_at=LONG_AGO,
                )  # fmt: skip
                session.add(person)
                await session.flush()
                session.add(
                    TeamMember(person_id=person.id, region_code=region, granted_at=LONG_AGO)
                )
                members.append(rules.Member(person.id, None, None, region))
                sent = dict(MONTHS, **({"2026-01": LATE} if k == 0 and region != "puno" else {}))
                if region != "puno" or case == "resent":
                    sent["2026-03"] = MARCH
                session.add_all(
                    TeamReport(
                        person_id=person.id, region_code=region, month=month, cases=1,
                        activities="Actividades", submitted_at=at,
                    )
                    for month, at in sent.items()
                )  # fmt: skip
        await session.commit()
    return members[0]


async def _table(db: Database, now: datetime) -> Table:
    async with db.session() as session:
        indicator = await cases_attended(await query_for(session, Q1, None, T, now))
    return next(t for t in indicator.tables if t.title == _("Regional Team reports by region"))


def told(before: Table, after: Table) -> bool:
    """Whether two readings tell what became of Puno's hidden «Sent on time»: hidden on both,
    the total's shown on both, every other region's row the same, and Puno's reports sent
    or the total's on time moved (by Puno's alone, then)."""
    old, new = ({str(row[0]): row for row in t.rows} for t in (before, after))
    if old["Puno"][2] is not None or new["Puno"][2] is not None:
        return False
    if old["Total"][2] is None or new["Total"][2] is None:
        return False
    others = [k for k in old if k not in ("Puno", "Total")]
    if any(old[k] != new.get(k) for k in others):
        return False
    return (old["Puno"][1], old["Total"][2]) != (new["Puno"][1], new["Total"][2])


@pytest.mark.parametrize(
    "case",
    ["resent", "late"],
)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_report_sent_after_its_quarter_gives_no_one_away(db: Database, case: str) -> None:
    puno = await _teams(db, case)
    before = await _table(db, FIRST)
    async with db.session() as session:  # on 10 April, March's report (again, or at last)
        texts = {"activities": "Actividades corregidas"}
        await rules.save(session, puno, "2026-03", cases=1, texts=texts, now=CHANGED)
        await session.commit()
    after = await _table(db, SECOND)
    assert not told(before, after)
    rows = {str(row[0]): row for row in after.rows}
    assert rows["Puno"][1:] == (None, None, None) and rows["Total"][1:] == (None, None, None)
    assert rows["Cusco"][1:] == (None, None, None)  # hidden beside Puno: nothing while open
    assert rows["Tacna"][1:3] == (9, 8)  # a region shown whole stays whole
    settled = {str(row[0]): row for row in (await _table(db, SETTLED)).rows}
    assert settled["Puno"][1:3] == (3, None)  # its reports sent, its on time hidden (one person)
    assert settled["Total"][1:3] == (21, 18 + (case == "resent"))
    async with db.session() as session:
        report = await session.scalar(
            select(TeamReport).where(
                TeamReport.month == "2026-03", TeamReport.person_id == puno.person_id
            )
        )
    assert report is not None and report.activities == "Actividades corregidas"
    sent = datetime(2026, 4, 10, 12, tzinfo=LIMA) if case == "late" else MARCH
    assert report.submitted_at == sent.astimezone(UTC).replace(tzinfo=None) or (
        report.submitted_at == sent
    )
