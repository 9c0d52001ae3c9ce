"""Indicator 4's cases with the regional team's support and resolved, national and each
region's report, read together as whole numbers (`tests.case_figures`): a region's or a
sex's «—» must not be worked out from the other figures. The people and their cases are
tests/test_union_random's datasets; each case drawn supported or not, resolved or not, and
registered in one of the quarter's three months, from the same seed."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.services.indicators import query_for
from bot.services.indicators.cases import cases_attended
from bot.services.indicators.periods import Period
from storage.db import Database
from storage.models import Case, Person
from tests.case_figures import Cell, Reading
from tests.test_period_disclosure import LIMA, T
from tests.test_union_random import Dataset, installed
from tests.union_dataset import REGIONS, seed_database

QUARTER = Period.quarter(2026, 2)
MONTHS = (4, 5, 6)


async def _draw_cases(db: Database, seed: int) -> None:
    """Each case's support, status and month, from the seed."""
    rng = random.Random(f"cases {seed}")
    async with db.session() as session:
        for case in (await session.execute(select(Case).order_by(Case.id))).scalars():
            case.supported = rng.random() < 0.6
            case.status = "resolved" if rng.random() < 0.35 else rng.choice(["open", "archived"])
            month = rng.choice(MONTHS)
            case.created_at = case.updated_at = datetime(2026, month, 15, 10, tzinfo=LIMA)


async def _cases(db: Database) -> Counter[Cell]:
    """Each region × sex × month cell's cases, as the database holds them."""
    statement = select(Case.region_code, Person.sex, Case.created_at).join(
        Person, Person.id == Case.person_id
    )
    async with db.session() as session:
        rows = (await session.execute(statement)).all()
    return Counter((region, sex, MONTHS.index(at.month)) for region, sex, at in rows)


async def _read(db: Database) -> Reading:
    reading = Reading(dict(REGIONS), len(MONTHS))
    for scope in [None, *REGIONS]:
        async with db.session() as session:
            indicator = await cases_attended(await query_for(session, QUARTER, scope, T))
        reading.report(indicator, scope)
    return reading


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("seed", range(12))
async def test_support_and_resolved_give_no_one_away(db: Database, seed: int) -> None:
    with installed(Dataset(seed)):
        await seed_database(db)
        await _draw_cases(db, seed)
        reading = await _read(db)
        cases = await _cases(db)
    assert reading.hidden, "nothing hidden: the seed tests nothing"
    assert reading.given_away(cases) == {}
