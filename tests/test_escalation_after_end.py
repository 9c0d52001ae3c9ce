"""A quarter that moves after it ends: indicator 6 counted a question sent to the specialists
in the quarter as answered by its answer now, so an answer given after the quarter's end
entered the quarter's «answered by specialists» then.

Puno has one woman and five men; Cusco and Tacna four of each. In February Puno's woman and
four of its men send a question to the specialists (three answered in February), three women
and three men of Cusco and of Tacna too (two of each answered). Q1's national report read on
1 April; her question is answered on 10 April; read again on 11 April: Puno's answered grew
by 1, every other region's by 0, women's by 1. So the one question answered in between was a
woman's of Puno, its only woman: she asked the specialists, a cell of one person that Puno's
own report hides (on main 98b13ea this test failed: Puno 3 then 4, women 4 then 5). Fixed: a
question counts as answered, and its answer time in the median, when answered by the
period's end (`toolkit_cells`, `toolkit._answer_times`), so the answer of 10 April enters no
figure of Q1."""

from __future__ import annotations

from datetime import datetime
from functools import partial

import pytest
from sqlalchemy import select

from bot.services.indicators import query_for
from bot.services.indicators.common import Indicator
from bot.services.indicators.toolkit import dissemination
from storage.db import Database
from storage.models import Escalation, Person
from tests.two_readings import (
    CHANGED,
    FIRST,
    LIMA,
    LONG_AGO,
    MEETING_PEOPLE,
    Q1,
    SECOND,
    T,
    add_people,
    column,
    unmoved,
)

_ = T.gettext
FEB = datetime(2026, 2, 10, 10, tzinfo=LIMA)


async def _read(db: Database, region: str | None, now: datetime) -> Indicator:
    async with db.session() as session:
        return await dissemination(await query_for(session, Q1, region, T, now))


def _answered(indicator: Indicator, first: str) -> dict[str, object]:
    """The questions the specialists answered, per row of the table headed `first`."""
    return column(indicator, first, _("Answered by specialists"))


def _escalation(person: Person, answered: bool) -> Escalation:
    return Escalation(
        person_id=person.id, text="Pregunta de prueba", created_at=FEB,
        status="answered" if answered else "pending", answer="Respuesta" if answered else None,
        answered_at=FEB if answered else None,
    )  # fmt: skip


async def february_questions(db: Database) -> None:
    """The dataset (module docstring): the questions of February, some answered then."""
    async with db.session() as session:
        people = await add_people(session, MEETING_PEOPLE, LONG_AGO)
        puno, cusco, tacna = people["puno"], people["cusco"], people["tacna"]
        session.add_all(_escalation(p, p in puno[1:4]) for p in puno[:5])
        for region in (cusco, tacna):
            asked = [*region[:3], *region[4:7]]
            session.add_all(_escalation(p, p in (*region[:2], *region[4:6])) for p in asked)
        await session.commit()


async def answer_hers(db: Database) -> None:
    """On 10 April the specialists answer Puno's woman."""
    async with db.session() as session:
        (puno,) = await session.scalars(
            select(Person.id).where(Person.region_code == "puno", Person.sex == "female")
        )
        (hers,) = await session.scalars(select(Escalation).where(Escalation.person_id == puno))
        hers.status, hers.answer, hers.answered_at = "answered", "Respuesta", CHANGED
        await session.commit()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_question_answered_after_its_quarter_gives_no_one_away(db: Database) -> None:
    await february_questions(db)
    before = await _read(db, None, FIRST)
    await answer_hers(db)
    after = await _read(db, None, SECOND)
    await unmoved((before, after), partial(_read, db, "puno"), (FIRST, SECOND), _answered, 3)
