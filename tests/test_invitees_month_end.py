"""Indicator 1's national table by sex beside the people registered as /registrados prints
them: at the latest month's end past, never «now». The check that decides which sexes it
hides besides (`invitee_bounds`) must bound each cell by those figures, the reader's: it
counted them live, so a woman who registered after the month's end widened its Puno and the
table printed what the month's end figures pin.

The second quarter of 2026, read on 20 May (so /registrados and indicator 7 read 30 April).
Registered by then: Puno 2 women and 3 men, Cusco 1 woman and 4 men, Tacna 3 women and 4 men,
Piura 3 and 3 (/registrados hides Puno's and Cusco's splits, shows Tacna's and Piura's, and
national women 9). One meeting on 10 April invites Puno's 2 women and a man, Cusco's woman and
2 men, Tacna's 3 women and 3 men, no one of Piura. A third Puno woman registers on 5 May. Were
the women invited shown (6 of 9: not all of them, nothing told openly), the reader would
subtract Tacna's 3 at most and Piura's none: Puno's and Cusco's women invited 3, all of the 3
registered there on 30 April (national 9 less Tacna's 3 and Piura's 3): Puno's two and
Cusco's one, every one invited. Counted live (Puno 3 women), the check saw room for one of
Puno's women not to be invited, and printed the 6."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.indicators import build_report
from bot.services.indicators.periods import Period
from bot.services.registered import latest
from storage.db import Database
from storage.models import Meeting, MeetingInvitation, Person
from tests.test_period_disclosure import T

LIMA = ZoneInfo("America/Lima")
LONG_AGO = datetime(2025, 1, 1, tzinfo=LIMA)
LATE = datetime(2026, 5, 5, 9, tzinfo=LIMA)  # after the month's end the report reads
NOW = datetime(2026, 5, 20, 12, tzinfo=LIMA)
MEETING = datetime(2026, 4, 10, 10, tzinfo=LIMA)
# (region, sex, registered at, invited)
PEOPLE = [
    *[("puno", "female", LONG_AGO, True)] * 2,
    ("puno", "male", LONG_AGO, True),
    *[("puno", "male", LONG_AGO, False)] * 2,
    ("puno", "female", LATE, False),
    ("cusco", "female", LONG_AGO, True),
    *[("cusco", "male", LONG_AGO, True)] * 2,
    *[("cusco", "male", LONG_AGO, False)] * 2,
    *[("tacna", "female", LONG_AGO, True)] * 3,
    *[("tacna", "male", LONG_AGO, True)] * 3,
    ("tacna", "male", LONG_AGO, False),
    *[("piura", "female", LONG_AGO, False)] * 3,
    *[("piura", "male", LONG_AGO, False)] * 3,
]


async def _seed(db: Database) -> None:
    async with db.session() as session:
        meeting = Meeting(
            code="MEND", title="Reunión", kind="coordinacion", starts_at=MEETING,
            ends_at=MEETING + timedelta(hours=2), status="scheduled",
        )  # fmt: skip
        session.add(meeting)
        await session.flush()
        for n, (region, sex, when, invited) in enumerate(PEOPLE):
            person = Person(
                telegram_id=910_000 + n, full_name=f"P{n}", sex=sex, region_code=region,
                position="Analista", consent_at=when, registered_at=when,
            )  # fmt: skip
            session.add(person)
            await session.flush()
            if invited:
                session.add(MeetingInvitation(meeting_id=meeting.id, person_id=person.id))
        await session.commit()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_invitees_by_sex_are_bounded_by_the_month_end_figures(db: Database) -> None:
    await _seed(db)
    async with db.session() as session:
        printed = await latest(session, NOW, LIMA)
        report = await build_report(session, Period.quarter(2026, 2), None, T, NOW)
    # What /registrados prints on 20 May: 30 April's figures, Tacna's split and the women.
    assert printed is not None and printed.day.isoformat() == "2026-04-30"
    assert {"puno", "cusco"} <= printed.hidden and "tacna" not in printed.hidden
    assert "female" not in printed.sexes
    assert not {"tacna", "piura"} & printed.hidden
    women = sum(by_sex.get("female", 0) for by_sex in printed.splits.values())
    tacna_women, piura_women = printed.splits["tacna"]["female"], printed.splits["piura"]["female"]
    assert (women, tacna_women, piura_women) == (9, 3, 3)
    participation = next(i for i in report.indicators if i.number == 1)
    by_sex = next(t for t in participation.tables if t.columns[0].label == "Sexo")
    invited = {row[0]: row[1] for row in by_sex.rows}
    by_region = {row[0]: row[1] for row in participation.tables[0].rows}
    assert (by_region["Puno"], by_region["Cusco"], by_region["Tacna"]) == (3, 3, 6)
    assert by_region.get("Piura", 0) == 0
    # The reader's derivation: the women invited in Puno and Cusco are at least those shown
    # less Tacna's registered (Piura invited no one); at all of theirs (1 or 2 each), every one.
    women7 = next(i for i in report.indicators if i.number == 7).tables[0]
    row = next(r for r in women7.rows if r[0] == "Personas invitadas a reuniones")
    mujer = [c.label for c in women7.columns].index("Mujer")
    for shown in (invited["Mujer"], row[mujer]):
        assert shown is None or shown - tacna_women < women - tacna_women - piura_women, (
            f"women invited {shown}: Puno's 2 and Cusco's 1 registered women all invited"
        )
