"""Indicator 5's national table by sex, where one sex holds every formalization case and the
others show 0, tells the sex of whoever registered each region's formalization cases; where
a region's cases come from 1 or 2 officials (indicator 4's table by region, shown however
few), it tells their sex, which every table by sex hides. Found by `python -m
bench.attack_reports --cases --seeds 3 4` (tests/case_attack.py), seed 3, the national
report of Q1 2026, checked by hand against the figures printed: indicator 5 by sex «Mujer»
0, «Hombre» 0, «Prefiero no decir» 4, total 4 (no «Sin dato» row: 0); by region Puno 1
formalization case; indicator 4 by region Puno 3 cases, 1 with support, 0 resolved, 1
official. Puno's one official is a «Prefiero no decir», so Puno's «Prefiero no decir»
registered 3 cases, 1 with support, none resolved: the figures Puno's own table by sex and
the national one («Con apoyo» of «Prefiero no decir») hide. Fixed: that sex goes, and
another with it (`formal_sexes._lone_sex`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.services.indicators import query_for
from bot.services.indicators.cases import cases_attended, formalization
from bot.services.indicators.periods import Period
from storage.models import Person
from tests.case_attack import draw_cases, seed_cases
from tests.period_attack import AFTER, REGIONS, SEXES
from tests.test_period_disclosure import T

CASES, OFFICIALS = 1, 5  # columns of 5's tables (formalization cases) and 4's (officials)


def told(sexes: tuple[Any, ...], regions: tuple[Any, ...], officials: dict[str, Any]) -> list:
    """The regions whose formalization cases, from 1 or 2 officials, the table by sex gives
    to one sex: every other sex shown at 0."""
    *rows, total = sexes
    holding = [row for row in rows if row[CASES] != 0]
    if len(holding) != 1 or holding[0][CASES] != total[CASES]:
        return []
    sex = holding[0][0]
    return [
        (region[0], sex)
        for region in regions[:-1]
        if region[CASES] and officials.get(region[0]) in (1, 2)
    ]


async def test_one_sex_with_every_formalization_case_tells_no_official(db) -> None:
    await seed_cases(db, draw_cases(3))
    async with db.session() as session:
        q = await query_for(session, Period.quarter(2026, 1), None, T, now=AFTER)
        five, four = await formalization(q), await cases_attended(q)
    _steps, regions, sexes = five.tables
    officials = {row[0]: row[OFFICIALS] for row in four.tables[3].rows}
    assert told(sexes.rows, regions.rows, officials) == []


def filled(sexes: tuple[Any, ...], regions: tuple[Any, ...], officials: dict[str, Any],
           people: dict[str, set[str]]) -> list:  # fmt: skip
    """The regions a sex's formalization cases fill: shown, equal to the cases of the
    regions where that sex has people (/registrados), each of them that sex's; those of 1 or
    2 officials."""
    found = []
    for row in sexes[:-1]:
        if row[CASES] is None:
            continue
        theirs = [r for r in regions[:-1] if r[CASES] and str(row[0]) in people[str(r[0])]]
        if theirs and sum(r[CASES] for r in theirs) == row[CASES]:
            found += [(r[0], row[0]) for r in theirs if officials.get(r[0]) in (1, 2)]
    return found


async def test_a_sex_filling_its_regions_formalization_cases_tells_no_official(db) -> None:
    """Seed 6's Q1 (`bench.attack_reports --cases --seeds 6 7`, checked by hand): «Sin
    dato» 3 formalization cases; by region Piura 1, Puno 4, Tacna 2; Puno registered no «Sin
    dato» (Cusco's have no case): Piura's 1 and Tacna's 2 are theirs, and Piura's and Tacna's
    one official each (indicator 4) are «Sin dato», which their own tables by sex hide. The
    one-sex rule above is the case where the other sexes are 0. Fixed: `formal_sexes._filled`
    splits a sex's cases among the regions as whole numbers."""
    await seed_cases(db, draw_cases(6))
    async with db.session() as session:
        q = await query_for(session, Period.quarter(2026, 1), None, T, now=AFTER)
        five, four = await formalization(q), await cases_attended(q)
        rows = (await session.execute(select(Person.region_code, Person.sex))).all()
    people: dict[str, set[str]] = {}
    for region, sex in rows:
        people.setdefault(REGIONS[region], set()).add(SEXES[sex])
    _steps, regions, sexes = five.tables
    officials = {row[0]: row[OFFICIALS] for row in four.tables[3].rows}
    assert filled(sexes.rows, regions.rows, officials, people) == []
