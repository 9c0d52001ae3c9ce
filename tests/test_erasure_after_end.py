"""Erasure after a period's end moves none of its figures. /borrar_mis_datos removes every text
and name of a person but keeps, on her anonymous row, what the indicators count (region, sex,
registration, invitations and answers, attendances, ratings, cases, questions:
`storage.repositories.erasure`): her past participation stays an anonymous count. Were any of
it dropped, her period read before and after her erasure would differ by her region and sex,
and the two readings, subtracted, would tell what she did (as tests/two_readings's attacks).

Puno's one woman and five men, Cusco's and Tacna's four and four (`first_meeting`: a March
meeting of Puno's men and Cusco's and Tacna's people); Puno's woman is at the meeting, at a
workshop she rates with two of Puno's men, has a case and a question the specialists
answered, all in March. Q1's national report built whole on 1 July (every indicator); she is
erased on 2 July; built again: every headline and table the same."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.services.indicators import Report, build_report
from bot.services.privacy import erase
from storage.db import Database
from storage.models import Case, Escalation, Person
from tests.two_readings import LIMA, Q1, T, first_meeting, meeting
from tests.workshop_rows import add_workshop

MARCH = datetime(2026, 3, 10, 10, tzinfo=LIMA)
READ, ERASED = datetime(2026, 7, 1, 12, tzinfo=LIMA), datetime(2026, 7, 2, 9, tzinfo=LIMA)


def _printed(report: Report) -> list[object]:
    """Every headline and table row of every indicator of `report`."""
    return [
        (i.number, [h.value for h in i.headlines], [t.rows for t in i.tables])
        for i in report.indicators
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_erasure_after_the_period_moves_none_of_its_figures(db: Database) -> None:
    puno = (await first_meeting(db, MARCH))["puno"]
    her = puno[0]
    await meeting(db, "M2", MARCH, [her, *puno[1:3]])
    async with db.session() as session:
        await add_workshop(
            session, "PUNO-T1", "puno", MARCH, dict.fromkeys([p.id for p in puno[:3]], 4)
        )
        session.add(
            Case(
                person_id=her.id, region_code="puno", sex="female", kind="technical_query",
                stratum="in_formalization", supported=True, description="Caso de ella",
                status="resolved", created_at=MARCH, updated_at=MARCH,
            )
        )  # fmt: skip
        session.add(
            Escalation(
                person_id=her.id, text="Pregunta de ella", created_at=MARCH,
                status="answered", answer="Respuesta", answered_at=MARCH,
            )
        )  # fmt: skip
        await session.commit()
        before = await build_report(session, Q1, None, T, READ)
    async with db.session() as session:
        assert her.telegram_id is not None
        assert await erase(session, her.telegram_id, key=b"k" * 32, now=ERASED)
        await session.commit()
    async with db.session() as session:
        gone = await session.get(Person, her.id)
        assert gone is not None and gone.erased_at is not None and gone.full_name is None
        after = await build_report(session, Q1, None, T, ERASED)
    assert _printed(after) == _printed(before)
