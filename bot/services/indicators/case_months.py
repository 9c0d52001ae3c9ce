"""Which months of indicator 4's table by month hide their cases with the regional team's
support, in the national report and in each region's. Each region's report shows its own
months (cases, however few, and supported), so the national months less the regions shown
leave the hidden regions' supported month by month, and their cases by month bound each
one's: that told a hidden region's supported where the table by region hides it
(tests/test_case_support_disclosure.py).

The rule of session 19 (`_first_rule`) hid, in a hidden region's own report, all its
months; nationally, every month in which a hidden region registered a case (in two months
or more, or in one while the total is hidden): on the disclosure tests' tiny datasets, 64
of the 88 national months with cases (`python -m bench.case_months`). Those are where the
check starts. It then shows, one at a time, each month that rule hid (the national months
first, then a hidden region's own), keeping it shown only if, with it, no hidden figure of
supported cases resting on 1 or 2 cases (a region's, a sex's, a region's sex in its own
report, a region's month, a national month) is pinned; a month of 1 or 2 cases is a small
cell and stays hidden. A hidden figure of 3 or more may be worked out (the rule of
`bot.services.small_cells`: no cut of 1 or 2). The check reads the figures of supported
cases of the national report and of every region's (tables by region, by sex, by month;
the headlines and shares repeat them) together, as sums of region × sex × month cells,
each a whole number from 0 to its cases (`case_month_moves`). It takes each region's cases
by sex as known (its own table by sex may hide some), and its cases by month are shown:
more than the reports tell, so what it cannot pin no reader of them can. The other figures
(resolved, type, officials, indicator 5) have no month: they bound a region's or a sex's
cases, known to it anyway, never which months' cases were supported, so they add nothing.
Should a hidden figure be pinned before any month is shown (a total of 0 or all of its
cases: the documented limit), or the check be past its work, session 19's rule stands.
Every report makes the same reading of every region's cells, so they all agree on it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy import case, func, select

from bot.services.indicators.case_month_moves import Moves, Sum
from bot.services.indicators.case_officials import officials_hidden
from bot.services.indicators.common import (
    Cells,
    Measure,
    Query,
    by_region,
    is_hidden,
    measure_hides,
    sex_code,
)
from bot.services.indicators.months import month_bucket
from bot.services.indicators.sex_rule import by_sex
from bot.services.profile import SEXES
from bot.services.small_cells import SMALL_CELL
from storage.models import Case

Cell = tuple[str, str | None, int]  # region, sex, month (its index in the period)
SUPPORTED = 2  # the column of cases with support in the tables by region and by sex


async def months_hidden(
    q: Query, measures: tuple[Measure, ...], cells: Cells
) -> Callable[[int], bool]:
    """Whether the month (its index in the period) hides its supported cases in `q`'s
    report. `measures`: indicator 4's, the second its cases with support; `cells`: every
    region's (`cases.case_cells`)."""
    national = replace(q, region=None)
    months = await _month_cells(national)
    first = _first_rule(national, measures[1], cells, months)
    hidden = await _checked(national, measures, cells, months, first)
    mine = {index for scope, index in hidden if scope == q.region}
    return lambda index: index in mine


def _first_rule(
    q: Query, supported: Measure, cells: Cells, months: dict[Cell, tuple[int, int]]
) -> set[tuple[str | None, int]]:
    """Session 19's months hidden, (scope, month): a hidden region's own report all of its
    months; the national report the months in which a hidden region registered a case, in
    two months or more, or in one while the total is hidden (otherwise that month's hidden
    regions' supported is their total, which the table by region tells anyway)."""
    hides = measure_hides(q, (supported,), cells)
    groups = hides.get((supported.people, *(supported.bounds or ()))) or hides[supported.people]
    total = is_hidden(supported, hides, "total", None)
    active = {(region, month) for (region, _sex, month), (n, _s) in months.items() if n}
    hidden: set[tuple[str | None, int]] = set()
    for region in {region for region, _month in active}:
        own = measure_hides(replace(q, region=region), (supported,), cells)
        if is_hidden(supported, own, "total", None):
            hidden |= {(region, month) for r, month in active if r == region}
    nationally = {month for region, month in active if region in groups.rows}
    if total or len(nationally) > 1:
        hidden |= {(None, month) for month in nationally}
    return hidden


async def _checked(
    q: Query,
    measures: tuple[Measure, ...],
    cells: Cells,
    months: dict[Cell, tuple[int, int]],
    first: set[tuple[str | None, int]],
) -> set[tuple[str | None, int]]:
    """`first` less the months shown one at a time while no hidden figure is pinned (a
    month of 1 or 2 cases is a small cell: never shown, and with none other, nothing read)."""
    months = _grid(months)
    month_sums = {key: _month(months, *key) for key in _month_keys(q, months)}
    wanted = [key for key in first if _cases(months, month_sums[key]) >= SMALL_CELL]
    if not wanted:
        return first
    officials = await officials_hidden(q, cells)
    shown: set[Sum] = set()
    hidden: set[Sum] = set()
    for sums, value in _tables(q, measures, cells, months, officials):
        (hidden if value is None else shown).add(sums)
    for key, sums in month_sums.items():
        (hidden if key in first else shown).add(sums)
    hidden = {sums for sums in hidden - shown if 0 < _cases(months, sums) < SMALL_CELL}
    moves = Moves(months, _margins(months))
    if not moves.all_free(shown, sorted(hidden, key=_order)):
        return first  # pinned already: the documented limit, or past the work
    left = set(first)
    for key in sorted(wanted, key=lambda k: (k[0] is not None, str(k[0]), k[1])):
        sums = month_sums[key]
        rest = sorted(hidden - {sums}, key=_order)
        if moves.all_free(shown | {sums}, rest):
            shown.add(sums)
            hidden.discard(sums)
            left.discard(key)
    return left


def _tables(
    q: Query,
    measures: tuple[Measure, ...],
    cells: Cells,
    months: dict[Cell, tuple[int, int]],
    officials: frozenset[str | None],
) -> Iterator[tuple[Sum, object]]:
    """Each figure of supported cases in the tables by region and by sex of the national
    report and of every region's: its cells, and its value (None: «—»)."""
    regions = sorted({region for region, _sex, _month in months}, key=str)
    sexes = {q.sex_name(sex): sex for sex in [*SEXES, None]}
    names = {q.region_name(region): region for region in regions}
    for scope in [None, *regions]:
        report = replace(q, region=scope)
        mine = [cell for cell in months if scope in (None, cell[0])]
        table = by_region(report, "", cells, measures)
        yield from _rows(table.rows, mine, lambda label, cell: cell[0] == names.get(label))
        more = {"officials": officials if scope is None else frozenset()}
        table = by_sex(report, "", cells, measures, groups=("officials",), more=more)
        yield from _rows(
            table.rows, mine, lambda label, cell: sex_code(cell[1]) == sexes.get(label, "?")
        )


def _rows(
    rows: Iterable[tuple[Any, ...]], mine: list[Cell], inside: Callable[[Any, Cell], bool]
) -> Iterator[tuple[Sum, object]]:
    *groups, total = rows
    for row in groups:
        yield frozenset(cell for cell in mine if inside(row[0], cell)), row[SUPPORTED]
    yield frozenset(mine), total[SUPPORTED]


def _month_keys(q: Query, months: dict[Cell, tuple[int, int]]) -> Iterator[tuple[str | None, int]]:
    regions = {region for region, _sex, _month in months}
    for index in range(len(q.period.months())):
        yield None, index
        yield from ((region, index) for region in regions)


def _month(months: dict[Cell, tuple[int, int]], scope: str | None, index: int) -> Sum:
    return frozenset(cell for cell in months if cell[2] == index and scope in (None, cell[0]))


def _grid(months: dict[Cell, tuple[int, int]]) -> dict[Cell, tuple[int, int]]:
    """Every cell the margins the reader knows allow cases in (a region's month with cases,
    a region's sex with cases), with its cases and supported (0 if none)."""
    sexes = {(region, sex) for region, sex, _month in months}
    active = {(region, month) for region, _sex, month in months}
    return {
        (region, sex, month): months.get((region, sex, month), (0, 0))
        for region, sex in sexes
        for other, month in active
        if other == region
    }


def _margins(months: dict[Cell, tuple[int, int]]) -> list[Sum]:
    """The sums of cells whose cases the reader knows: each region's month (its own table
    by month) and each region's sex (taken as known: more than its table by sex tells)."""
    by: dict[tuple[Any, ...], set[Cell]] = defaultdict(set)
    for cell in months:
        by["month", cell[0], cell[2]].add(cell)
        by["sex", cell[0], cell[1]].add(cell)
    return [frozenset(cells) for _key, cells in sorted(by.items(), key=lambda kv: repr(kv[0]))]


def _cases(months: dict[Cell, tuple[int, int]], sums: Sum) -> int:
    return sum(months[cell][0] for cell in sums)


def _order(sums: Sum) -> tuple[int, str]:
    return len(sums), repr(sorted(sums, key=repr))


async def _month_cells(q: Query) -> dict[Cell, tuple[int, int]]:
    """Every region × sex × month's cases of the period, and how many with support."""
    bucket = month_bucket(q, Case.created_at)
    supported = func.sum(case((Case.supported.is_(True), 1), else_=0))
    statement = (
        select(Case.region_code, Case.sex, bucket, func.count(), supported)
        .where(Case.created_at >= q.start, Case.created_at < q.end)
        .group_by(Case.region_code, Case.sex, bucket)
    )
    found: dict[Cell, list[int]] = defaultdict(lambda: [0, 0])
    for region, sex, index, n, helped in await q.session.execute(statement):
        entry = found[region, sex_code(sex), index]
        entry[0] += int(n)
        entry[1] += int(helped or 0)
    return {cell: (n, s) for cell, (n, s) in found.items()}
