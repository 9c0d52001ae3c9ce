"""A closed quarter's cases (indicators 4 and 5) and Tool Kit use (6) read before and after
one person changes her profile (/perfil: her sex corrected, or a move of region). A case
counts in the region it was registered for (its own), but by the sex of the official who
registered it, and the Tool Kit's views, questions, «¿Le fue útil?» answers and escalations
by the region and sex of the person: read from the profile as it is now, the change carried
her from one cell of a published period to another, and two readings of the same past
quarter differed by her alone (her sex told to whoever sees both). Written by the writers the
bot uses (storage/repositories/cases.py and toolkit.py), read by the indicators."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Date, bindparam, text

from bot.services import cases as case_codes
from bot.services import registered
from bot.services.indicators import query_for
from bot.services.indicators.cases import case_cells, cases_attended, formalization
from bot.services.indicators.publications import _cells as publication_cells
from bot.services.indicators.publications import publications as publication_indicator
from bot.services.indicators.registered_at import counted_people
from bot.services.indicators.toolkit import dissemination
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Person
from storage.repositories import cases, people, publications, toolkit
from storage.types import UTCDateTime
from tests.test_profile_move_reports import (  # Q1 2026, read once closed
    DAY,
    LIMA,
    NOW,
    Q1,
    T,
    _upgrade_to,
)

PEOPLE = [("puno", "female")] * 4 + [("cusco", "female")] * 3 + [("cusco", "male")] * 3
MOVER = 930_000  # Puno's first woman
SEX = {"sex": "male"}
REGION = {"region_code": "cusco"}


async def _people(db: Database) -> list[int]:
    async with db.session() as session:
        rows = [
            Person(
                telegram_id=MOVER + n, full_name=f"P{n}", sex=sex, region_code=region,
                position="Analista", consent_at=DAY - timedelta(days=60),
                registered_at=DAY - timedelta(days=60),
            )
            for n, (region, sex) in enumerate(PEOPLE)
        ]  # fmt: skip
        session.add_all(rows)
        await session.commit()
        return [row.id for row in rows]


async def _register_cases(db: Database) -> None:
    """Each official registers a formalization case of her region in Q1."""
    ids = await _people(db)
    async with db.session() as session:
        for person_id, (region, _sex) in zip(ids, PEOPLE, strict=True):
            await cases.create(
                session, person_id=person_id, region_code=region, province=None,
                kind=case_codes.FORMALIZATION, stratum=next(iter(case_codes.STRATA)),
                supported=True, description="Caso", formalization_step="formalized", now=DAY,
            )  # fmt: skip
        await session.commit()


async def _use_toolkit(db: Database) -> None:
    """Each person reads an article, asks a question, answers «¿Le fue útil?» and sends a
    question to the specialists, through the bot's writers, on a day of Q1."""
    ids = await _people(db)
    async with db.session() as session:
        for person_id, (region, _sex) in zip(ids, PEOPLE, strict=True):
            await toolkit.record_view(session, "art-1", person_id, "browse", DAY)
            question = await toolkit.log_question(
                session, person_id=person_id, text="¿Cómo me formalizo?",
                normalized="como me formalizo", answer_article_id="art-1", confident=True, at=DAY,
            )  # fmt: skip
            await toolkit.record_feedback(
                session, article_id="art-1", person_id=person_id, question_id=question,
                useful=True, since=DAY, now=DAY,
            )  # fmt: skip
            await toolkit.create_escalation(
                session, question_id=question, person_id=person_id, region_code=region,
                text="¿Cómo me formalizo?", at=DAY,
            )  # fmt: skip
        await session.commit()


async def _read(db: Database, read: Callable[[Any], Awaitable[Any]]) -> Any:
    """The report of Q1 at NOW, /registrados's months' ends frozen first as /indicadores
    freezes them (handlers/indicators.py): the registered counts bound readers and officials,
    and a frozen month no longer follows a profile."""
    async with db.session() as session:  # its own short write, as the handler's
        await registered.history(session, NOW, T.timezone)
    async with db.session() as session:
        return await read(await query_for(session, Q1, None, T, NOW))


async def _change(db: Database, fields: dict[str, str]) -> None:
    async with db.session() as session:
        await people.update(session, MOVER, **fields)  # her own /perfil
        await session.commit()


async def _reports(db: Database, reads: tuple[Callable[[Any], Awaitable[Any]], ...]) -> list[Any]:
    return [await _read(db, read) for read in reads]


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize(
    "fields",
    [
        pytest.param(SEX, id="sex"),
        pytest.param(REGION, id="region"),  # a case keeps its own region: held before too
    ],
)
async def test_a_change_of_profile_after_the_quarter_changes_no_case_figure(
    db: Database, fields: dict[str, str]
) -> None:
    await _register_cases(db)
    reads = (case_cells, cases_attended, formalization)
    before = await _reports(db, reads)
    assert before[0][("puno", "female")]["officials"] == 4  # what the dataset says
    await _change(db, fields)
    assert await _reports(db, reads) == before


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("fields", [SEX, REGION], ids=["sex", "region"])
async def test_a_change_of_profile_after_the_quarter_changes_no_toolkit_figure(
    db: Database, fields: dict[str, str]
) -> None:
    await _use_toolkit(db)
    before = await _read(db, dissemination)
    regions = before.tables[0]
    assert [row[:3] for row in regions.rows] == [  # what the dataset says: views, readers
        ("Cusco", 12, 6), ("Puno", 8, 4), ("Total", 20, 10)  # a view more: the answer's
    ]  # fmt: skip
    await _change(db, fields)
    assert await _read(db, dissemination) == before


async def _receive_publication(db: Database) -> None:
    """Each person gets the programme's publication from Minka in Q1."""
    ids = await _people(db)
    async with db.session() as session:
        found = await publications.add(
            session, title="Regionalización", summary="Resumen", published_on=DAY.date(),
            filename="regionalizacion.pdf", content=b"%PDF-1.4",
        )  # fmt: skip
        for person_id in ids:
            await publications.record_delivery(session, found.id, person_id, "chat", DAY)
        await session.commit()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("fields", [SEX, REGION], ids=["sex", "region"])
async def test_a_change_of_profile_after_the_quarter_changes_no_publication_figure(
    db: Database, fields: dict[str, str]
) -> None:
    """Indicator 8 counts the people a publication reached in the region and with the sex
    /registrados counted them as at the month's end it reads (`month_end_people`, frozen
    with its counts): a strict xfail while it read the profile now."""
    await _receive_publication(db)
    before = await _read(db, publication_indicator)
    await _change(db, fields)
    assert await _read(db, publication_indicator) == before


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_a_move_before_the_months_end_counts_her_reached_where_she_is_registered(
    db: Database,
) -> None:
    """Reached in Puno in February, moved to Cusco in March: Q1 counts her registered in
    Cusco (March's end) and reached there too, so no cell counts more reached than
    registered (the hiding rules bound one by the other), as her profile when she received
    the publication would have (Puno: 4 reached of 3 registered)."""
    await _receive_publication(db)
    await _change(db, REGION)  # in March, before anyone reads Q1

    async def cells(q: Any) -> Any:
        return await publication_cells(q, await counted_people(q))

    found = await _read(db, cells)
    assert {key: dict(values) for key, values in found.items()} == {
        ("puno", "female"): {"registered": 3, "received": 3, "reached": 3},
        ("cusco", "female"): {"registered": 4, "received": 4, "reached": 4},
        ("cusco", "male"): {"registered": 3, "received": 3, "reached": 3},
    }


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_the_migration_counts_frozen_months_people_as_their_profile_is(
    database_url: str,
) -> None:
    """0032 writes who each month already frozen counts (its mark in app_state, not its
    regions' rows), from the profile as it is (the audit log holds no /perfil change):
    people registered by the month's end in Lima, erased ones too; none for a month not
    frozen, which is counted when it is."""
    db = Database(database_url)
    registered = {  # person: (registered at, region, sex)
        1: (datetime(2026, 3, 31, 23, 59, tzinfo=LIMA), "puno", "female"),
        2: (datetime(2026, 4, 1, tzinfo=LIMA), "cusco", "male"),  # April's, not March's
        3: (None, None, None),  # never finished registering
    }
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(_upgrade_to, "0031")
            for n, (at, region, sex) in registered.items():
                await connection.execute(
                    text(
                        "INSERT INTO people (id, telegram_id, role, locale, active, created_at, "
                        "registered_at, region_code, sex) VALUES (:n, :t, 'official', 'es', "
                        "true, :now, :at, :region, :sex)"
                    ).bindparams(*(bindparam(at, type_=UTCDateTime()) for at in ("now", "at"))),
                    {"n": n, "t": 940_000 + n, "now": NOW, "at": at, "region": region, "sex": sex},
                )  # fmt: skip
            for key, value in (("reg 2026-03-31", "counted"), ("reg 2026-03-31 puno", "[1]")):
                await connection.execute(
                    text("INSERT INTO app_state (key, value) VALUES (:key, :value)"),
                    {"key": key, "value": value},
                )
        await upgrade(db.engine)
        async with db.engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT day, person_id, region_code, sex FROM month_end_people").columns(
                    day=Date
                )
            )
            written = [tuple(row) for row in rows.all()]
    finally:
        await db.dispose()
    assert written == [(date(2026, 3, 31), 1, "puno", "female")]
