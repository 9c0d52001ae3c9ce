"""Indicators 4 (cases), 5 (formalization) and 6 (Tool Kit) on a small dataset whose every
number was worked out by hand (comments), on SQLite and PostgreSQL.

Period: the third quarter of 2026 in Lima (1 July 00:00 to 1 October 00:00, -05:00).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.indicators.cases import cases_attended, formalization
from bot.services.indicators.common import Indicator
from bot.services.indicators.periods import Period
from bot.services.indicators.toolkit import dissemination
from storage.db import Database
from storage.models import (
    ArticleFeedback,
    ArticleView,
    Case,
    CaseEvent,
    Escalation,
    Person,
    Question,
)
from tests.indicator_common import LIMA, LONG_AGO, computed, rows

Q3 = Period.quarter(2026, 3)

# name: (sex, region)
PEOPLE = {
    "p1": ("female", "puno"),
    "p2": ("male", "puno"),
    "p3": ("female", "puno"),
    "p4": ("male", "piura"),
    "p5": ("undisclosed", "piura"),
    "p6": ("female", "cusco"),
}


def lima(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LIMA)


async def _people(session: AsyncSession) -> dict[str, int]:
    ids = {}
    for number, (name, (sex, region)) in enumerate(PEOPLE.items(), start=1):
        person = Person(
            telegram_id=1000 + number,
            full_name=name,
            sex=sex,
            region_code=region,
            consent_at=LONG_AGO,
            registered_at=LONG_AGO,
        )
        session.add(person)
        await session.flush()
        ids[name] = person.id
    return ids


def _case(who: int, region: str, kind: str, supported: bool, at: datetime, **more: object) -> Case:
    return Case(
        person_id=who,
        region_code=region,
        kind=kind,
        stratum="in_formalization",
        supported=supported,
        description="Caso de prueba",
        created_at=at,
        updated_at=at,
        **more,
    )


async def _cases(session: AsyncSession, p: dict[str, int]) -> None:
    c1 = _case(
        p["p1"],
        "puno",
        "formalization",
        True,
        lima(7, 5),
        formalization_step="environmental_instrument",
    )
    c2 = _case(
        p["p2"],
        "puno",
        "formalization",
        False,
        lima(6, 30, 23, 59),
        formalization_step="formalized",
        status="resolved",
    )
    c3 = _case(p["p3"], "puno", "fiscalization", True, lima(8, 1), status="resolved")
    c4 = _case(
        p["p4"],
        "piura",
        "formalization",
        True,
        lima(9, 30, 23, 59),
        formalization_step="formalized",
    )
    c5 = _case(p["p4"], "piura", "social_conflict", True, datetime(2026, 10, 1, tzinfo=LIMA))
    c6 = _case(p["p1"], "puno", "formalization", True, lima(7, 20), formalization_step="concession")
    c7 = _case(p["p6"], "cusco", "technical_query", False, lima(9, 1), status="archived")
    session.add_all([c1, c2, c3, c4, c5, c6, c7])
    await session.flush()
    session.add_all(
        [
            CaseEvent(
                case_id=c1.id,
                kind="step",
                from_value="reinfo",
                to_value="environmental_instrument",
                at=lima(8, 10),
            ),
            CaseEvent(
                case_id=c2.id,
                kind="step",
                from_value="concession",
                to_value="formalized",
                at=lima(9, 15),
            ),
            # After the period: at its end C6 was still at «surface land».
            CaseEvent(
                case_id=c6.id,
                kind="step",
                from_value="surface_land",
                to_value="concession",
                at=lima(10, 5),
            ),
            CaseEvent(
                case_id=c3.id,
                kind="status",
                from_value="in_progress",
                to_value="resolved",
                at=lima(8, 20),
            ),
        ]
    )


async def _toolkit(session: AsyncSession, p: dict[str, int]) -> None:
    views = [(p["p1"], lima(7, 2)), (p["p1"], lima(7, 3)), (p["p1"], lima(8, 3))]
    views += [(p["p2"], lima(7, 4)), (p["p3"], lima(9, 4)), (None, lima(7, 8)), (None, lima(9, 9))]
    views += [(p["p4"], datetime(2026, 10, 1, tzinfo=LIMA)), (p["p6"], lima(6, 30, 23, 59))]
    session.add_all(
        ArticleView(article_id="reinfo", person_id=who, source="search", at=at) for who, at in views
    )
    questions = [
        (p["p1"], True, lima(7, 2)),
        (p["p1"], False, lima(7, 3)),
        (p["p2"], True, lima(8, 2)),
        (p["p4"], True, lima(9, 2)),
        (p["p5"], True, lima(6, 2)),  # before the period
    ]
    session.add_all(
        Question(person_id=who, text="¿Qué es el REINFO?", normalized="reinfo", confident=ok, at=at)
        for who, ok, at in questions
    )
    feedback = [(p["p1"], True), (p["p2"], True), (p["p3"], False), (p["p4"], True)]
    session.add_all(
        ArticleFeedback(article_id="reinfo", person_id=who, useful=useful, at=lima(8, 5))
        for who, useful in feedback
    )
    escalations = [
        (p["p1"], lima(7, 10), 2),
        (p["p2"], lima(8, 1), 4),
        (p["p3"], lima(8, 2), 10),
        (p["p4"], lima(9, 1), None),
        (p["p1"], lima(6, 1), 1),  # before the period
    ]
    session.add_all(
        Escalation(
            person_id=who,
            text="Consulta",
            status="answered" if hours else "pending",
            created_at=at,
            answered_at=at + timedelta(hours=hours) if hours else None,
        )
        for who, at, hours in escalations
    )


@pytest.fixture
async def dataset(db: Database) -> Database:
    async with db.session() as session:
        ids = await _people(session)
        await _cases(session, ids)
        await _toolkit(session, ids)
    return db


async def _compute(db: Database, function, region: str | None = None) -> Indicator:  # type: ignore[no-untyped-def]
    return await computed(db, function, Q3, region)


async def test_cases_attended(dataset: Database) -> None:
    indicator = await _compute(dataset, cases_attended)
    # In the period: C1 C3 C4 C6 C7 (C2 a minute before, C5 at the first moment after).
    # No Regional Team reports here (their own test: tests/test_indicators_team_reports.py).
    assert [h.value for h in indicator.headlines] == [5, 4, 0.8, 1, None]
    by_type, by_status, by_month, by_region, by_sex, reports = indicator.tables
    assert reports.rows == (("Total", 0, 0, None),)
    assert rows(by_type)["Formalización"] == (3, 0.6)
    assert rows(by_type)["Fiscalización"] == (1, 0.2)  # shares of all 5 cases
    assert rows(by_type)["Promoción"] == (0, 0.0)
    assert rows(by_type)["Total"] == (5, 1.0)
    assert rows(by_status)["Abierto"][0] == 3
    assert rows(by_status)["Resuelto"][0] == 1
    assert rows(by_status)["Archivado"][0] == 1
    # Supported by month: every region's is hidden (below) and they registered cases in all
    # three months: the national months less the regions' own (each region's report shows
    # its months) would split them region by region (`case_months`). Before, (2, 2), (1, 1),
    # (2, 1): Puno's July and August, 3 supported of its 3, and Piura's or Cusco's one.
    assert [row[1:] for row in by_month.rows] == [(2, None), (1, None), (2, None)]
    assert [row[0] for row in by_month.rows] == [
        "Julio 2026",
        "Agosto 2026",
        "Setiembre 2026",
    ]  # Peru writes «setiembre»
    # cases, supported, share (— under 3 cases), resolved, unique officials (P1 twice: once).
    # Cusco and Piura hold one case each: hidden, and Puno with them (Puno's 3 supported of 3
    # beside the total's 4 of 5 would tell that one of those two cases had support). By sex
    # (`sex_rule`): the one man among the officials is hidden, and every other sex with him
    # (the total less the sexes shown would give him back); before, «Hombre: 1 caso, 1
    # funcionario» was printed.
    hidden = (None, None, None)
    assert rows(by_region) == {
        "Cusco": (1, *hidden, 1),
        "Piura": (1, *hidden, 1),
        "Puno": (3, *hidden, 2),
        "Total": (5, 4, 0.8, 1, 4),
    }
    blank = (None, None, None, None, None)
    assert rows(by_sex) == {
        "Mujer": blank,
        "Hombre": blank,
        "Prefiero no decir": blank,
        "Sin dato": blank,  # hidden with them: left out, it would tell its 0
        "Total": (5, 4, 0.8, 1, 4),
    }


async def test_formalization(dataset: Database) -> None:
    indicator = await _compute(dataset, formalization)
    # Registered before the end: C1 C2 C4 C6. Steps when the period ended: C1 environmental
    # instrument, C2 formalized (15 Sep), C4 formalized (registered so), C6 surface land (it
    # moved on only in October). Formalized in the period: C2 and C4, hidden: Q2's report
    # hid its formalized (its one case, C2, at «concession»), and Q3's 2 formalized less 2
    # in Q3 would give that 0 back (formal_chain).
    assert [h.value for h in indicator.headlines] == [4, 2, 0.5, None]
    steps, by_region, by_sex = indicator.tables
    assert [row[1] for row in steps.rows] == [0, 1, 1, 0, 0, 2, 4]
    assert steps.rows[-1][2] == 1.0
    # cases, formalized, share, registered in the period, formalized in it. Piura's one case
    # is hidden, so Puno's (1 of 3 formalized) is too: beside the total it would give Piura's.
    assert rows(by_region) == {
        "Piura": (1, None, None, 1, None),
        "Puno": (3, None, None, 2, None),
        "Total": (4, 2, 0.5, 3, None),
    }
    # By sex: two cases each of women and of men, one official's cases each tell a sex.
    assert rows(by_sex)["Mujer"] == (None, None, None, None, None)
    assert rows(by_sex)["Hombre"] == (None, None, None, None, None)
    assert rows(by_sex)["Total"] == (4, 2, 0.5, 3, None)


async def test_formalization_headline_share(dataset: Database) -> None:
    indicator = await _compute(dataset, formalization)
    shares = {h.label: h.value for h in indicator.headlines}
    assert shares["Proporción formalizada"] == 0.5


async def test_dissemination(dataset: Database) -> None:
    indicator = await _compute(dataset, dissemination)
    headlines = {h.label: h.value for h in indicator.headlines}
    # 7 views in the period (P1 ×3, P2, P3, two anonymous), 3 unique readers; questions: P1 ×2,
    # P2, P4 = 4 by 3 people, 3 confident; feedback 3 useful of 4 (4 people); escalated 4,
    # answered 3 after 2, 4 and 10 hours: median 4.
    assert headlines == {
        "Vistas de artículos": 7,
        "Personas que leyeron": 3,
        "Preguntas": 4,
        "Proporción respondida": 0.75,
        "Proporción que le fue útil": 0.75,
        "Derivadas": 4,
        "Mediana del tiempo de respuesta (horas)": 4.0,
    }
    by_region, by_sex, answer_times = indicator.tables
    # views, readers, questions, askers, answered share, useful share, escalated, answered.
    # Puno's 2 useful of 3 beside the total's 3 of 4 would give Piura's one answer: hidden.
    # How many times 1 or 2 people did something is what each did (issue #13): Piura's one
    # asker's question and escalation, Puno's 2 askers' 3 questions and their escalations are
    # hidden with them (Puno's 5 views by 3 readers stay; anonymous views rest on nobody).
    assert rows(by_region) == {
        "Piura": (0, 0, None, 1, None, None, None, None),
        "Puno": (5, 3, None, 2, None, None, None, None),
        "Sin región": (2, 0, 0, 0, None, None, 0, 0),
        "Total": (7, 3, 4, 3, 0.75, 0.75, 4, 3),
    }
    # By sex (`sex_rule`): two women readers and one asker are hidden, and the others with
    # them; before, «Mujer: 2 lectoras, 1 persona que preguntó» was printed.
    assert rows(by_sex)["Mujer"] == (None,) * 8
    assert rows(by_sex)["Total"] == rows(by_region)["Total"]
    assert rows(answer_times) == {"Puno": (3, 4.0), "Total": (3, 4.0)}


async def test_region_scope(dataset: Database) -> None:
    cases = await _compute(dataset, cases_attended, "piura")
    # Piura's one case, supported: the national table by region hides it, and so does
    # Piura's own report, in its headlines, months and statuses (before: «Con apoyo: 1»,
    # September 1 of 1, «Resuelto» 0).
    assert [h.value for h in cases.headlines[:4]] == [1, None, None, None]
    by_type, by_status, by_month, by_region, _by_sex, _reports = cases.tables
    assert [row[1:] for row in by_month.rows] == [(0, 0), (0, 0), (1, None)]
    assert rows(by_status)["Resuelto"] == (None, None)
    assert rows(by_status)["Total"] == (1, None)
    assert rows(by_type)["Formalización"] == (1, None)  # the kinds of cases stay
    assert rows(by_region)["Piura"] == (1, None, None, None, 1)
    puno = await _compute(dataset, cases_attended, "puno")
    # Puno's 3 (hidden with them nationally): its 3 supported of 3 and 1 resolved are not
    # printed either (before, its headlines printed them).
    assert [h.value for h in puno.headlines[:4]] == [3, None, None, None]
    toolkit = await _compute(dataset, dissemination, "piura")
    headlines = {h.label: h.value for h in toolkit.headlines}
    assert headlines["Vistas de artículos"] == 0
    assert headlines["Preguntas"] is None  # one person's question: "—"
    assert headlines["Proporción respondida"] is None  # one person: "—"
    assert headlines["Mediana del tiempo de respuesta (horas)"] is None
