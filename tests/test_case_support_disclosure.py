"""Indicator 4's cases with the regional team's support and resolved, and indicator 5's
formalization cases, national and each region's report, read together as whole numbers
(`tests.case_figures`): a region's or a sex's «—» must not be worked out from the other
figures. The people and their cases are tests/test_union_random's datasets; each case drawn
supported or not, resolved or not, and registered in one of the quarter's three months, from
the same seed (for indicator 5 too: of which type, its step, registered before the quarter
or in it, formalized in it or before)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.services.indicators import query_for
from bot.services.indicators.cases import cases_attended, formalization
from bot.services.indicators.periods import Period
from storage.db import Database
from storage.models import Case, CaseEvent, Person
from tests.case_figures import BEFORE, Cell, Reading
from tests.test_period_disclosure import LIMA, T
from tests.test_union_random import Dataset, installed
from tests.union_dataset import REGIONS, seed_database

QUARTER = Period.quarter(2026, 2)
MONTHS = (4, 5, 6)
EARLIER = 2  # February: before the quarter
# Months of supported that session 19's rule hid for nothing (report: month indexes), shown
# since (`case_months`): the reader of `test_support_and_resolved_give_no_one_away` reads
# these seeds too, and works no one out of them.
SHOWN_NOW: dict[int, dict[str | None, set[int]]] = {
    0: {None: {1}}, 1: {"cusco": {1}}, 2: {None: {0}}, 6: {None: {0, 2}}, 8: {None: {1}},
    9: {None: {0, 1, 2}}, 11: {None: {1}}, 17: {None: {0}, "puno": {0, 2}},
    27: {None: {0, 1}}, 28: {"piura": {1}}, 29: {None: {0}, "cusco": {1}},
}  # fmt: skip


def _at(month: int) -> datetime:
    return datetime(2026, month, 15, 10, tzinfo=LIMA)


async def _draw_cases(db: Database, seed: int) -> None:
    """Each case's support, status and month, from the seed."""
    rng = random.Random(f"cases {seed}")
    async with db.session() as session:
        for case in (await session.execute(select(Case).order_by(Case.id))).scalars():
            case.supported = rng.random() < 0.6
            case.status = "resolved" if rng.random() < 0.35 else rng.choice(["open", "archived"])
            case.created_at = case.updated_at = _at(rng.choice(MONTHS))


async def _draw_formalization(db: Database, seed: int) -> None:
    """Half the cases formalization cases, some registered before the quarter; 2 in 5 of
    them formalized, half of those registered before it formalized in it."""
    rng = random.Random(f"formalization {seed}")
    async with db.session() as session:
        for case in (await session.execute(select(Case).order_by(Case.id))).scalars():
            if rng.random() < 0.5:
                continue
            case.kind = "formalization"
            month = rng.choice([EARLIER, *MONTHS])
            case.created_at = case.updated_at = _at(month)
            formalized = rng.random() < 0.4
            case.formalization_step = "formalized" if formalized else "concession"
            if formalized and month == EARLIER and rng.random() < 0.5:
                await session.flush()
                session.add(
                    CaseEvent(
                        case_id=case.id, kind="step", from_value="concession",
                        to_value="formalized", at=datetime(2026, 5, 2, tzinfo=LIMA),
                    )
                )  # fmt: skip


async def _truth(db: Database) -> Counter[tuple[str, Cell]]:
    """Each region × sex × month cell's cases (of the quarter) and formalization cases (up
    to its end), as the database holds them."""
    statement = select(Case.region_code, Person.sex, Case.created_at, Case.kind).join(
        Person, Person.id == Case.person_id
    )
    async with db.session() as session:
        rows = (await session.execute(statement)).all()
    truth: Counter[tuple[str, Cell]] = Counter()
    for region, sex, at, kind in rows:
        month = MONTHS.index(at.month) if at.month in MONTHS else BEFORE
        if month != BEFORE:
            truth["cases", (region, sex, month)] += 1
        if kind == "formalization":
            truth["formal", (region, sex, month)] += 1
    return truth


async def _read(db: Database, *, formalized: bool = False) -> Reading:
    reading = Reading(dict(REGIONS), len(MONTHS))
    for scope in [None, *REGIONS]:
        async with db.session() as session:
            q = await query_for(session, QUARTER, scope, T, QUARTER.end(T))
            reading.cases(await cases_attended(q), scope)
            if formalized:
                reading.formalization(await formalization(q), scope)
    return reading


async def _given_away(db: Database, seed: int, *, formalized: bool) -> dict[str, int]:
    """What the reader works out of seed's reports (indicator 5 too if `formalized`)."""
    with installed(Dataset(seed)):
        await seed_database(db)
        await _draw_cases(db, seed)
        if formalized:
            await _draw_formalization(db, seed)
        reading = await _read(db, formalized=formalized)
        truth = await _truth(db)
    assert reading.hidden, "nothing hidden: the seed tests nothing"
    return reading.given_away(truth)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("seed", sorted({*range(8), 9, 11, *SHOWN_NOW}))  # 1, 9, 11: a14dfb9
async def test_support_and_resolved_give_no_one_away(db: Database, seed: int) -> None:
    assert await _given_away(db, seed, formalized=False) == {}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("seed", sorted(SHOWN_NOW))
async def test_months_hidden_for_nothing_are_shown(db: Database, seed: int) -> None:
    """The months of supported that session 19's rule hid (2eeb329: nationally every month
    a hidden region registered a case in, a hidden region's own all of its) and that pin no
    hidden figure are shown (`case_months`); the reader of the test above works no one out
    of them. Failed on main 6f985e5: every one of them «—»."""
    shown = {}
    with installed(Dataset(seed)):
        await seed_database(db)
        await _draw_cases(db, seed)
        for scope in SHOWN_NOW[seed]:
            async with db.session() as session:
                q = await query_for(session, QUARTER, scope, T, QUARTER.end(T))
                months = (await cases_attended(q)).tables[2]
            shown[scope] = {i for i, row in enumerate(months.rows) if row[2] is not None}
    assert all(shown[scope] >= wanted for scope, wanted in SHOWN_NOW[seed].items()), shown


# Found by a local run of range(12, 70) after the fixes, now fixed: 27 (`formal_sexes`),
# indicator 5 hid Hombre with Sin dato's 2 formalization cases, the two registered 2 in the
# period, and indicator 4 showed Hombre's 0 cases in the period: Sin dato's 2; 68
# (`cases._within`), Sin dato's 0 formalized in the period beside its formalized «—», and
# Piura and Puno (hidden) 1 formalized, 1 in the period: not Puno's Sin dato case. Two more
# of that run are the documented limit, not here: 26 (every formalization case is «Prefiero
# no decir»'s, the other sexes shown at 0: so is each region's) and 37 (all of Hombre's 7
# cases supported, Piura's 2 of June none: neither is Hombre's; then Piura's resolved one is
# not Hombre's, by arithmetic on figures at an end).
KNOWN_LEAKS: dict[int, str] = {}  # seeds not fixed: a strict xfail, and why


def _known(seed: int) -> object:
    """A known leak's seed, as a strict xfail."""
    return pytest.param(seed, marks=pytest.mark.xfail(strict=True, reason=KNOWN_LEAKS[seed]))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("seed", [*range(8), 27, 68, *map(_known, KNOWN_LEAKS)])
async def test_formalization_beside_the_cases_gives_no_one_away(db: Database, seed: int) -> None:
    assert await _given_away(db, seed, formalized=True) == {}
