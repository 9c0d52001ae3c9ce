"""A year's indicator 2 beside its quarters', all ended: the year's agreements must be the sum
of its quarters' (`joint`'s premise: each figure a year shows is a sum of figures its quarters
show), or the two, subtracted, tell what a quarter's report hid.

tests/test_agreement_changed_after_end's dataset (Puno's man's agreement due 20 March, the
only one of Puno, not fulfilled; three each of Cusco and Tacna fulfilled on 18 March), with
three more each of Cusco and Tacna due 20 May, fulfilled on 18 May (so that Q2's national
row shows too); on 10 April Puno's agreement is given 30 April as its due date, or the
meeting of 15 April it is of is cancelled before it starts. Each quarter reads it as it stood
at its own end (6f52ba1, ad75a00), the year as it stood at the year's: re-dated, Q1 and Q2
both counted it and the year once; its meeting cancelled, Q1 counted it and the year not.
Read on 5 January 2027: the quarters' sum less the year is Puno's one agreement, in the
national «No cumplidos» alone (`told_apart`): his agreement, which every Puno report hid, was
not fulfilled by Q1's end. On main bfd619c this test failed in both cases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pytest

from bot.services.indicators.joint import jointly
from bot.services.indicators.periods import Period
from storage.db import Database
from storage.models import MeetingAgreement
from tests.test_agreement_changed_after_end import (
    SCOPES,
    _agreements,
    _change,
    _read,
    _totals,
    told_apart,
)
from tests.two_readings import LIMA

READ = datetime(2027, 1, 5, 10, tzinfo=LIMA)  # every period read has ended
MAY_DUE, MAY_DONE = date(2026, 5, 20), datetime(2026, 5, 18, 10, tzinfo=LIMA)


def _summed(totals: Sequence[tuple[object, ...]]) -> tuple[object, ...]:
    """The quarters' totals added column by column (None where any quarter hides it)."""
    return tuple(
        None if any(v is None for v in column) else sum(column)  # type: ignore[arg-type]
        for column in zip(*totals, strict=True)
    )


@pytest.mark.parametrize("case", ["redated", "cancelled"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_year_is_its_quarters_sum(db: Database, case: str) -> None:
    people = await _agreements(db, case)
    async with db.session() as session:
        session.add_all(
            MeetingAgreement(
                meeting_id=1, text="Acuerdo", responsible_id=people[region][i].id,
                due_on=MAY_DUE, status="done", done_at=MAY_DONE,
            )
            for region in ("cusco", "tacna") for i in (2, 3, 5)
        )  # fmt: skip
        await session.commit()
    await _change(db, case, people["cusco"][5])
    quarters, years = [], []
    for scope in SCOPES:
        parts = [await _read(db, scope, READ, Period.quarter(2026, k)) for k in range(1, 5)]
        year = jointly(await _read(db, scope, READ, Period.year(2026)), parts)  # as reported
        quarters.append(_summed([_totals(part) for part in parts]))
        years.append(_totals(year))
    assert not told_apart(quarters, years, SCOPES.index("puno"))
    for summed, year in zip(quarters, years, strict=True):
        assert year[0] == summed[0]  # every agreement of the year due in one of its quarters
