"""Indicator 5's quarters read one after another (`formal_chain`, then as whole numbers:
`formal_whole`): every quarter's reports from the first with a formalization case, national
and each region's own, as printed (each with what it hides beside the quarters before it),
and what a quarter's report hides beside them. A year shows only what its quarters show
(`joint`); other periods (the CLI's dates) are left to their own rule."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import replace
from datetime import UTC
from typing import Any

from sqlalchemy import func, select

from bot.i18n import N_
from bot.services import cases as codes
from bot.services import report_limit
from bot.services.indicators.common import (
    EVERY_SEX,
    TOTAL,
    Cells,
    Headline,
    Indicator,
    Query,
    Table,
    sex_code,
    total_headline,
)
from bot.services.indicators.formal_chain import (
    DONE,
    NEW,
    NOW,
    STOCK,
    Figure,
    Printed,
    hideable,
)
from bot.services.indicators.formal_whole import printed_whole
from bot.services.indicators.periods import Period
from bot.services.indicators.registered_at import registered_of, snapshot_for
from storage.models import Case

COLUMNS = {STOCK: 1, DONE: 2, NEW: 4, NOW: 5}  # of the tables by region and by sex
SHARE = 3  # «Share formalized»: the formalized beside the cases
Build = Callable[[Query, dict[Any, Any]], Awaitable[tuple[Indicator, Cells]]]
# Per report being built (`build_report` sets it; a context variable, the building task's
# alone): each quarter's figures by its own rule and as printed, by the quarter's code, so a
# year's four quarters read the chain once, not once per quarter (one snapshot of the data).
CHAIN: ContextVar[dict[str, tuple[Printed, Printed]] | None] = ContextVar(
    "formal_chain", default=None
)


async def with_stocks(q: Query, build: Build) -> Indicator:
    """`build(q)`'s indicator (its own rule's), hiding besides what a whole quarter's needs
    beside the quarters before it (`formal_chain.as_printed`, from the first quarter with a
    case). `build` takes a dict it may keep its readings of the database in, per period
    (every scope's report of a period reads the same)."""
    reads: dict[Any, Any] = {}
    indicator, _cells = await build(q, reads)
    if len(q.period.quarters()) != 1:
        return indicator
    kept = CHAIN.get()
    kept = {} if kept is None else kept
    earlier: list[tuple[Printed, Printed]] = []
    for quarter in await _quarters(q):
        if quarter.code not in kept:
            part = q if quarter == q.period else replace(
                q, period=quarter, registered=await snapshot_for(q.session, quarter, q.t, q.now)
            )  # fmt: skip
            mine = await _printed(part, build, reads)
            kept[quarter.code] = (mine, printed_whole(earlier, mine))
        earlier.append(kept[quarter.code])
    if not earlier:
        return indicator
    own, before = earlier[-1]
    extra = frozenset(f for f, v in own.shown.items() if v is not None and before.shown[f] is None)
    if report_limit.stopped("formal_chain"):
        # Past the report's limit some quarter's own rule hid more, and so the stocks this
        # quarter hides beside it would change, not only grow: every figure it may.
        extra = frozenset(f for f, v in own.shown.items() if v is not None and hideable(f))
    return hide(q, indicator, extra)


async def _quarters(q: Query) -> list[Period]:
    """The quarters from the first with a formalization case to `q`'s (none before it)."""
    first = await q.session.scalar(
        select(func.min(Case.created_at)).where(Case.kind == codes.FORMALIZATION)
    )
    if first is None:
        return []
    if first.tzinfo is None:
        first = first.replace(tzinfo=UTC)
    day = first.astimezone(q.t.timezone).date()
    if day > q.period.last:
        return []
    start = Period.quarter(day.year, (day.month - 1) // 3 + 1)
    return Period(start.first, q.period.last).quarters()


async def _printed(q: Query, build: Build, reads: dict[Any, Any]) -> Printed:
    """What the national report of `q`'s quarter and every region's own print of
    indicator 5 (by their own rule), and the truth of every cell."""
    national, cells = await build(replace(q, region=None), reads)
    truth: dict[tuple[Any, Any], tuple[int, int, int, int]] = {}
    for (region, sex), values in cells.items():
        old = truth.get((region, sex_code(sex)), (0, 0, 0, 0))
        keys = ("cases", "formalized", "new", "formalized_now")
        new = tuple(a + int(values.get(k, 0)) for a, k in zip(old, keys, strict=True))
        truth[(region, sex_code(sex))] = new  # type: ignore[assignment]
    shown: dict[Figure, int | None] = {}
    regions = {q.region_name(code): code for code, _sex in truth}
    sexes = {q.sex_name(sex): sex for sex in EVERY_SEX}
    everyone: Figure = ("total",)
    _read(shown, national.tables[1], lambda label: ("region", regions[label]), everyone, q)
    _read(shown, national.tables[2], lambda label: ("sex", sexes[label]), everyone, q)
    for code in sorted({code for code, _sex in truth}, key=str):
        own, _cells = await build(replace(q, region=code), reads)
        mine: Figure = ("region", code)
        _read(shown, own.tables[1], lambda _label, mine=mine: mine, mine, q)
        _read(shown, own.tables[2], lambda label, c=code: ("cell", c, sexes[label]), mine, q)
    snapshot = await registered_of(q)
    people = frozenset(
        (code, sex_code(sex)) for code, by_sex in snapshot.splits.items()
        for sex, n in by_sex.items() if n
    )  # fmt: skip
    return Printed(truth, shown, people, await _officials(q))


async def _officials(q: Query) -> dict[Any, tuple[int, int]]:
    """Per region, the officials of its formalization cases registered up to the quarter's
    end and in it, each counted once per sex their cases record (`Printed.officials`)."""
    statement = select(Case.region_code, Case.person_id, Case.sex, Case.created_at).where(
        Case.kind == codes.FORMALIZATION, Case.created_at < q.end
    )
    so_far: dict[Any, set[tuple[int, Any]]] = {}
    in_it: dict[Any, set[tuple[int, Any]]] = {}
    for region, person, sex, created_at in (await q.session.execute(statement)).all():
        so_far.setdefault(region, set()).add((person, sex_code(sex)))
        if created_at >= q.start:
            in_it.setdefault(region, set()).add((person, sex_code(sex)))
    return {r: (len(people), len(in_it.get(r, ()))) for r, people in so_far.items()}


def _read(
    shown: dict[Figure, int | None], table: Table, group: Callable, total: Figure, q: Query
) -> None:
    """A table's figures by group, its total row's as `total` (the report's total, or a
    region's own row in its report); a figure shown in any report is known."""
    for row in table.rows:
        key = total if str(row[0]) == q._(TOTAL) else group(str(row[0]))
        for m, column in COLUMNS.items():
            value = row[column]
            if value is not None or shown.get((*key, m)) is None:
                shown[(*key, m)] = None if value is None else int(value)


def hide(q: Query, indicator: Indicator, extra: frozenset[Figure]) -> Indicator:
    """`indicator` (of `q`'s scope) with the figures `extra` «—» too: their rows' shares of
    formalized with the formalized, the tables' totals, headlines and steps with them."""
    if not extra:
        return indicator
    steps, by_region, by_sex = indicator.tables
    sexes = {q.sex_name(sex): sex for sex in EVERY_SEX}
    if q.region is None:
        named = {f[1] for f in extra if f[0] == "region"}
        regions = {q.region_name(code): ("region", code) for code in named}
        by_region = _hidden(by_region, extra, lambda label: regions.get(label), q, ("total",))
        by_sex = _hidden(by_sex, extra, lambda label: ("sex", sexes[label]), q, ("total",))
        done = ("total", DONE) in extra
    else:
        mine: Figure = ("region", q.region)
        by_region = _hidden(by_region, extra, lambda _label: mine, q, mine)
        by_sex = _hidden(by_sex, extra, lambda label: ("cell", q.region, sexes[label]), q, mine)
        done = (*mine, DONE) in extra
    if done and steps.rows[-1][1] is not None and steps.rows[0][1] is not None:
        steps = _steps_hidden(q, steps)
    headlines = (
        indicator.headlines[0],
        *(
            _again(by_region, column, headline)
            for column, headline in zip((2, 3, 5), indicator.headlines[1:], strict=True)
        ),
    )
    return replace(indicator, tables=(steps, by_region, by_sex), headlines=headlines)


def _again(table: Table, column: int, headline: Headline) -> Headline:
    return total_headline(table, column, headline.label, headline.kind)


def _hidden(
    table: Table, extra: frozenset[Figure], group: Callable, q: Query, total: Figure
) -> Table:
    rows = []
    for row in table.rows:
        key = total if str(row[0]) == q._(TOTAL) else group(str(row[0]))
        cells = list(row)
        for m, column in COLUMNS.items():
            if key is not None and (*key, m) in extra:
                cells[column] = None
                if m == DONE:
                    cells[SHARE] = None
        rows.append(tuple(cells))
    return replace(table, rows=tuple(rows))


def _steps_hidden(q: Query, steps: Table) -> Table:
    """The table by step as `cases._code_table` hides it: every step's «—», «Not recorded»
    among them, the total shown."""
    label = q._(N_("Not recorded"))
    rows = [(row[0], None, None) for row in steps.rows[:-1]]
    if label not in {row[0] for row in rows}:
        rows.append((label, None, None))
    rows.append(steps.rows[-1])
    return replace(steps, rows=tuple(rows), harmless=frozenset({(len(rows) - 1, 2)}))
