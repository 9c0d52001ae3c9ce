"""Indicator 4's national table by sex, less a region whose people are all of one sex (its row
by region is that sex's: /registrados shows its people by sex), can leave a sex's officials
of 1 or 2 people in the one other region where that sex has people. Found by `python -m
bench.attack_reports --cases --seeds 7 8` (tests/case_attack.py), seed 7, the national
report of Q2 2026, checked by hand against the figures printed: by sex «Prefiero no decir»
3 officials; by region Cusco 2 officials, Piura 3, Tacna 1; registered, Cusco 3 «Prefiero no
decir» and nobody else, Piura 4 women and 2 «Prefiero no decir», Tacna 2 women and 4 «Sin
dato». Piura's «Prefiero no decir» officials are 3 - 2 = 1, and its women 3 - 1 = 2, which
Piura's own table by sex hides (and so the year's and Q1's: Piura's 3 officials are the same
three in Q1, Q2 and the year, 3 each, 3 together). Fixed: `linked_counts` reads a hidden
cell of 1 or 2 officials pinned at its count, not only one pinned at 0 or all its people."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from bot.services.indicators import query_for
from bot.services.indicators.cases import cases_attended
from bot.services.indicators.periods import Period
from storage.models import Person
from tests.case_attack import draw_cases, seed_cases
from tests.period_attack import AFTER, REGIONS, SEXES
from tests.test_period_disclosure import T

OFFICIALS = 5  # the column of 4's tables by region and by sex


def told(by_sex: dict[str, int], by_region: dict[str, int], people: Counter) -> list:
    """(region, sex, officials) a sex's shown officials give away, less the regions whose
    people are all of that sex, where one other region with officials has people of it."""
    found = []
    for code, label in SEXES.items():
        if by_sex.get(label) is None:
            continue
        alone = [r for r in REGIONS if people[(r, code)] and people[(r, code)] == people[r]]
        others = [
            r for r in REGIONS if people[(r, code)] and by_region.get(REGIONS[r]) and r not in alone
        ]
        rest = by_sex[label] - sum(by_region.get(REGIONS[r], 0) for r in alone)
        if len(others) == 1 and rest in (1, 2):
            found.append((others[0], code, rest))
    return found


async def test_a_region_of_one_sex_gives_no_other_regions_officials_away(db) -> None:
    await seed_cases(db, draw_cases(7))
    async with db.session() as session:
        q = await query_for(session, Period.quarter(2026, 2), None, T, now=AFTER)
        tables = (await cases_attended(q)).tables
        rows = await session.execute(select(Person.region_code, Person.sex))
        people: Counter = Counter()
        for region, sex in rows.all():
            people[(region, sex)] += 1
            people[region] += 1
    by_region = {str(row[0]): row[OFFICIALS] for row in tables[3].rows}
    by_sex = {str(row[0]): row[OFFICIALS] for row in tables[4].rows}
    assert told(by_sex, by_region, people) == []
