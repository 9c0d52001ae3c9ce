"""Which sexes indicators 4's and 5's national tables by sex hide besides, read beside
/registrados. Its split by sex of a region tells which of the region's cells of region and
sex have nobody, so no cases; the region's counts (the tables by region show its cases
however few) then go only to its sexes with someone. Cusco's one formalization case, 5's
national table showing «Prefiero no decir» at 0 and no «Sin dato», and /registrados
Cusco's 0 men: a woman's, whose row both tables hide (tests/test_registered_beside_cases,
seed 25; seed 14: Tacna's one formalized case, Hombre and «Prefiero no decir» 0, no one of
Tacna without a sex; seed 39: Piura's one case, 4's Mujer 0 and no «Sin dato», Piura's 0
men: its «Prefiero no decir»'s). While some region and sex of 1 or 2 cases has a count
that every table of whole numbers fitting the figures gives one value, one more sex goes
(fewest cases first). Only where the zeros pin it: what the figures pin by themselves is
the other rules' (a sex whose cases are all in one region beside the others' 0s: the
documented limit).

What the reader is taken to know: the regions and sexes /registrados shows at 0 (where it
shows a region's split); each region's count where the table by region shows it (0 where
it has no row), the hidden regions' sum where the total is shown; each sex's count where
the table by sex shows it (its rule, `sex_rule.bounded_columns`, column by column), the
hidden sexes' sum; a region's own cells by sex where its own report shows its row by sex
(taken as shown whole: more than it may). A count pinned even with every sex hidden is
not the table by sex's to hide (a region whose people are all of one sex: the documented
limit). The table's cells make a network matrix, so a linear program's ends are whole
numbers. Past the report's limit (`report_limit`, REPORT_SECONDS) every sex goes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from typing import Any

from bot.services import report_limit
from bot.services.indicators.common import (
    EVERY_SEX,
    Cells,
    Measure,
    Query,
    Table,
    is_hidden,
    measure_hides,
    sex_code,
)
from bot.services.indicators.sex_rule import bounded_columns
from bot.services.registered import latest

Key = tuple[Any, str | None]


async def sexes_beside_registered(
    q: Query,
    cells: Cells,
    columns: Mapping[str, int],
    beside: tuple[Table, tuple[Measure, ...]],
    hidden: Collection[str | None],
    apart: Collection[Any],
) -> frozenset[str | None]:
    """The sexes to hide besides `hidden` (the national report only). `cells`: every
    region's, with "cases" (the cells of 1 or 2 of them are read) and the other counts of
    `columns`, each with its column in the national table by region as printed and in the
    measures of both tables (`beside`: that table and the measures, column 1 the first);
    `apart`: regions whose own report shows its row by sex."""
    regions, measures = beside
    if q.region is not None:
        return frozenset()
    counts: dict[str, dict[Key, int]] = {key: Counter() for key in columns}
    for (region, sex), values in cells.items():
        for key in columns:
            counts[key][(region, sex_code(sex))] += int(values.get(key, 0))
    cases = counts["cases"]
    by_sex = Counter({sex: 0 for sex in EVERY_SEX})
    for (_region, sex), n in cases.items():
        by_sex[sex] += n
    small = [key for key, n in cases.items() if 0 < n < 3 and key[0] not in apart]
    small += [(..., sex) for sex, n in by_sex.items() if 0 < n < 3]  # a sex of every region
    if not small:
        return frozenset()
    if report_limit.stopped("registered_zeros"):  # every sex: what `told` comes to then
        return frozenset(EVERY_SEX - set(hidden))
    zeros = await shown_zeros(q)
    regions_ = {region for region, _sex in cases} | {region for region, _sex in zeros}
    every = sorted({(region, sex) for region in regions_ for sex in EVERY_SEX}, key=repr)
    allowed = [key for key in every if key not in zeros or key in cases]
    names = {q.region_name(region): region for region in regions_}
    pairs = [
        tuple(
            _Reading(cells_, counts[key], _shown_rows(regions, column, names), apart)
            for cells_ in (allowed, every)  # beside /registrados, and without it
        )
        for key, column in columns.items()
    ]
    open_ = {r: {key for key in small if r.pinned(key, EVERY_SEX)} for r, _without in pairs}

    def told(blank: set[str | None]) -> bool:
        """Whether /registrados' zeros pin a small count that the figures alone do not,
        while the sexes `blank` are hidden (and what each column hides besides); past the
        report's limit, True: one more sex goes, until all have (`report_limit`)."""
        hides = measure_hides(q, measures, cells)
        hides = {**hides, **bounded_columns(measures, cells, hides, frozenset(blank))}
        for (r, without), column in zip(pairs, columns.values(), strict=True):
            m = measures[column - 1]
            shut = blank | {
                sex for sex in EVERY_SEX if m.people and is_hidden(m, hides, "columns", sex)
            }
            for key in small:
                if report_limit.stopped("registered_zeros"):
                    return True
                if key not in open_[r] and r.pinned(key, shut) and not without.pinned(key, shut):
                    return True
        return False

    more: set[str | None] = set()
    while told({*hidden, *more}):
        left = [sex for sex in EVERY_SEX if sex not in {*hidden, *more}]
        if not left:
            break
        more.add(min(left, key=lambda sex: (by_sex[sex], str(sex))))
    return frozenset(more)


def _shown_rows(
    table: Table, column: int, names: Mapping[str, Any]
) -> tuple[dict[Any, int], int | None]:
    """Each region's count the table by region shows (0 where it has no row: no data), and
    its total (None: hidden)."""
    listed = {row[0] for row in table.rows}
    shown: dict[Any, int] = {code: 0 for name, code in names.items() if name not in listed}
    total = None
    for row in table.rows:
        value = row[column]
        if row is table.rows[-1]:
            total = None if value is None else int(value)  # type: ignore[arg-type]
        elif value is not None and row[0] in names:
            shown[names[str(row[0])]] = int(value)  # type: ignore[arg-type]
    return shown, total


class _Reading:
    """One count's table of region × sex as the reader sees it."""

    def __init__(
        self,
        allowed: list[Key],
        truth: Mapping[Key, int],
        rows: tuple[dict[Any, int], int | None],
        apart: Collection[Any],
    ) -> None:
        self.allowed, self.truth, self.apart = allowed, truth, apart
        self.rows, self.total = rows
        self.index = {key: i for i, key in enumerate(allowed)}
        self.systems: dict[frozenset[str | None], tuple[list[list[float]], list[float]]] = {}

    def _system(self, hidden: frozenset[str | None]) -> tuple[list[list[float]], list[float]]:
        """The sums the reader knows while `hidden` sexes are hidden: rows of 1s, values."""
        if hidden in self.systems:
            return self.systems[hidden]
        equal: list[list[float]] = []
        values: list[float] = []

        def known(keys: list[Key]) -> None:
            row = [0.0] * len(self.allowed)
            for k in keys:
                row[self.index[k]] = 1.0
            equal.append(row)
            values.append(sum(self.truth.get(k, 0) for k in keys))

        for region in self.rows:
            known([k for k in self.allowed if k[0] == region])
        for sex in {sex for _region, sex in self.allowed} | EVERY_SEX:
            if sex not in hidden:
                known([k for k in self.allowed if k[1] == sex])
        if self.total is not None:
            known([k for k in self.allowed if k[0] not in self.rows])
            known([k for k in self.allowed if k[1] in hidden])
        for k in self.allowed:
            if k[0] in self.apart:
                known([k])
        self.systems[hidden] = equal, values
        return equal, values

    def pinned(self, target: Key, hidden: Collection[str | None]) -> bool:
        """Whether every whole table fitting the figures gives `target` (a region and sex;
        a sex of every region: region `...`) its count, not told openly (a row or column
        shown at 0), nor shown (a sex's row)."""
        from scipy.optimize import linprog  # the worker's import: the bot never loads it

        region, sex = target
        column = sum(n for k, n in self.truth.items() if k[1] == sex)
        if sex not in hidden and (region is ... or column == 0):
            return False
        if region is not ... and self.rows.get(region) == 0:
            return False
        equal, values = self._system(frozenset(hidden))
        if not equal:
            return False  # nothing known of any cell
        keys = [k for k in self.allowed if k[1] == sex and region in (..., k[0])]
        ends = []
        for sign in (1.0, -1.0):
            vector = [0.0] * len(self.allowed)
            for k in keys:
                vector[self.index[k]] = sign
            result = linprog(vector, A_eq=equal, b_eq=values, bounds=(0, None), method="highs")
            if not result.success:
                return True  # the safe side
            ends.append(round(sign * result.fun))
        return ends[0] == ends[1]


async def shown_zeros(q: Query) -> set[Key]:
    """The cells of region and sex that /registrados shows at 0 when the report is read (at
    the latest month's end: a sex printed at 0; «Sin dato»: the region's total less those
    printed), where it shows the region's split."""
    snapshot = await latest(q.session, q.now, q.t.timezone, freeze=False)
    if snapshot is None:
        return set()
    zeros: set[Key] = set()
    for code, counted in snapshot.splits.items():
        if code in snapshot.hidden or code not in q.regions:
            continue
        by_sex = Counter({sex: 0 for sex in EVERY_SEX})
        for sex, n in counted.items():
            by_sex[sex_code(sex)] += n
        zeros |= {(code, sex) for sex, n in by_sex.items() if not n}
    return zeros
