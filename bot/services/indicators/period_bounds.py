"""The sexes a year's national table of people invited hides besides, beside its quarters'
reports (`joint` keeps subtraction away, not bounds): people counted once over the year are,
in each cell of region and sex, at least those of any quarter and at most their sum. Seed 4
of tests/test_period_bounds: Puno invited all 9 of its people in the year, 7 in Q2 (its 4
«Sin dato» among them); the year's men less Puno's 3 left 7 elsewhere, at least Q2's there,
so Puno's men of Q2 were at least 2 of 3, its women of Q2 1 of 2. Seed 1: Puno invited the
same 3 in Q2 and in the year, no woman in Q2 (its own report): its one woman was not invited
in the year either, and the year's women invited were every other region's, all of them.

Each period (the year, each quarter) tells its cells' sums by region and in total (public:
/reunion's lists), its national counts of the sexes its tables show, every cell of the
regions whose own report shows their invitees by sex, and each cell lies between 0 and the
people registered at the period's end. A cell of 1 or 2 people, or one its region's own
report hides that counts 1 or 2 (seed 14: Cusco's women invited, 2 of 3, in Q2 and the year:
the year's women 10, less Tacna's 5, all its people invited in Q2, less Piura's 3, all
invited in Q1 by Tacna's share of women, 3 of 11), that every whole solution of
all of them together (scipy's HiGHS; a candidate taken only once checked here in whole
numbers) holds at one value is pinned; not one pinned by its period's own figures (its
rules answer for those: not made worse here) nor one pinned by what is told openly (the
counts by region, figures at 0 or at all of their people). The year then hides one more of
the sexes it shows (one that settles it, else the pinned cell's, else the fewest people),
until none is pinned. Pure, for a worker process.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.services.small_cells import too_small

Cell = tuple[Hashable, Hashable]  # (region, sex)
Row = dict[int, int]  # unknown -> coefficient
# Integer programs per reading, at most: past them, what is left counts as pinned (the year
# hides more: the safe side). A year of 25 regions and 4 quarters is 500 unknowns.
PROGRAMS = 400


@dataclass(frozen=True, slots=True)
class Told:
    """One period's people invited: `counts` per cell (the truth), `people` the registered
    the reader knows at the period's end, `sexes` those whose national count a table shows,
    `known` the cells a region's own report shows."""

    counts: Mapping[Cell, int]
    people: Mapping[Cell, int]
    sexes: frozenset[Any]
    known: frozenset[Cell]


@dataclass
class _System:
    """Unknowns (period, cell), their bounds and truth; figures as (row, value, openly)."""

    cells: list[Cell]
    periods: int
    upper: list[int]
    truth: list[int]
    figures: list[tuple[Row, int, bool]]
    rules: list[tuple[Row, float, float]]  # the year against its quarters: lo <= row <= hi

    def key(self, period: int, cell: Cell) -> int:
        return period * len(self.cells) + self.cells.index(cell)


def _cells(periods: Sequence[Told]) -> list[Cell]:
    return sorted({c for p in periods for c in (*p.counts, *p.people)}, key=repr)


def _system(periods: Sequence[Told], cells: list[Cell], cross: bool) -> _System:
    n = len(cells)
    upper, truth, figures = [], [], []
    for told in periods:
        for cell in cells:
            count = int(told.counts.get(cell, 0))
            truth.append(count)
            upper.append(max(count, int(told.people.get(cell, 0))))
    system = _System(cells, len(periods), upper, truth, figures, [])
    for p, told in enumerate(periods):
        base = p * n

        def figure(members: list[int], base: int = base) -> None:
            row = {base + i: 1 for i in members}
            value = sum(truth[k] for k in row)
            figures.append((row, value, value in (0, sum(upper[k] for k in row))))

        regions = {c[0] for c in cells}
        for region in regions:  # public: /reunion's lists by region
            row = {base + i: 1 for i, c in enumerate(cells) if c[0] == region}
            figures.append((row, sum(truth[k] for k in row), True))
        figures.append(({base + i: 1 for i in range(n)}, sum(truth[base : base + n]), True))
        for sex in told.sexes:
            figure([i for i, c in enumerate(cells) if c[1] == sex])
        for cell in told.known:
            if cell in cells:
                figure([cells.index(cell)])
    if cross:
        for q in range(1, len(periods)):
            for i in range(n):  # the year's people are at least each quarter's
                system.rules.append(({i: 1, q * n + i: -1}, 0, np.inf))
        for i in range(n):  # and at most their sum
            row = {i: 1, **{q * n + i: -1 for q in range(1, len(periods))}}
            system.rules.append((row, -np.inf, 0))
    return system


class _Solver:
    """The integer programs of one system, some of its figures kept."""

    def __init__(self, system: _System, openly: bool) -> None:
        from scipy.optimize import LinearConstraint
        from scipy.sparse import lil_array

        self.system = system
        kept = [(row, v, v) for row, v, told in system.figures if told or not openly]
        rows = kept + system.rules
        self.rows = rows
        matrix = lil_array((len(rows), len(system.truth)))
        for r, (row, _lo, _hi) in enumerate(rows):
            for k, c in row.items():
                matrix[r, k] = c
        self.constraint = LinearConstraint(
            matrix.tocsr(), [lo for _r, lo, _h in rows], [hi for _r, _l, hi in rows]
        )
        self.programs = 0

    def solve(self, cost: np.ndarray) -> list[int] | None:
        """A whole solution minimising `cost`, checked here, or None."""
        from scipy.optimize import Bounds

        from bot.services.integer_moves import solve

        if self.programs >= PROGRAMS:
            return None
        self.programs += 1
        n = len(self.system.truth)
        result = solve(
            cost,
            integrality=np.ones(n),
            bounds=Bounds(np.zeros(n), np.array(self.system.upper, dtype=float)),
            constraints=[self.constraint],
            options={"mip_max_nodes": 1000},
        )
        if result.x is None:
            return None
        x = [round(v) for v in result.x]
        if any(not 0 <= v <= most for v, most in zip(x, self.system.upper, strict=True)):
            return None
        for row, lo, hi in self.rows:
            total = sum(x[k] * c for k, c in row.items())
            if not lo <= total <= hi:
                return None
        return x

    def pinned(self, targets: Sequence[int]) -> set[int]:
        """The targets (unknowns) no whole solution moves from their true value."""
        truth = self.system.truth
        up, down = set(targets), set(targets)
        rng = np.random.default_rng(0)
        n = len(truth)

        def free(x: list[int]) -> None:
            up.difference_update({k for k in up if x[k] > truth[k]})
            down.difference_update({k for k in down if x[k] < truth[k]})

        for _push in range(4):  # all at once, random directions: each solution frees many
            if not (up or down):
                break
            cost = np.zeros(n)
            for k in up:
                cost[k] -= rng.random() + 0.5
            for k in down:
                cost[k] += rng.random() + 0.5
            if (x := self.solve(cost)) is not None:
                free(x)
        for k in sorted(up | down):
            for side, sign in ((up, -1.0), (down, 1.0)):
                if k in side:
                    cost = np.zeros(n)
                    cost[k] = sign
                    if (x := self.solve(cost)) is not None:
                        free(x)
        return up & down


def _leaks(periods: Sequence[Told], alone: dict[tuple[int, int], bool]) -> list[int]:
    """The cells (unknowns) of 1 or 2 people, or hidden (not `known`) counting 1 or 2,
    pinned by every period's figures together but neither by their own period's alone nor
    by what is told openly. `alone`: a memo of the quarters' own (the year's changes with
    what it hides)."""
    cells = _cells(periods)
    system = _system(periods, cells, cross=True)
    n = len(cells)
    targets = [
        p * n + i
        for p, told in enumerate(periods)
        for i, cell in enumerate(cells)
        if cell not in told.known
        and (too_small(told.people.get(cell, 0)) or too_small(told.counts.get(cell, 0)))
    ]
    stuck = _Solver(system, openly=False).pinned(targets)
    if stuck:
        stuck -= _Solver(system, openly=True).pinned(sorted(stuck))
    found = []
    for k in sorted(stuck):
        p, i = divmod(k, n)
        if p and (p, i) in alone:
            by_itself = alone[(p, i)]
        else:
            own = _system([periods[p]], cells, cross=False)
            by_itself = i in _Solver(own, openly=False).pinned([i])
            if p:
                alone[(p, i)] = by_itself
        if not by_itself:
            found.append(k)
    return found


def year_sexes(year: Told, quarters: Sequence[Told]) -> frozenset[Any]:
    """The sexes the year's national tables of people invited hide besides those `year`
    shows not, so that beside `quarters` no cell of 1 or 2 people is pinned."""
    chosen: set[Any] = set()
    alone: dict[tuple[int, int], bool] = {}

    def leaks(hidden: set[Any]) -> list[int]:
        told = Told(year.counts, year.people, year.sexes - hidden, year.known)
        return _leaks([told, *quarters], alone)

    cells = _cells([year, *quarters])
    per_sex: dict[Any, int] = {}
    for (_region, sex), n in year.counts.items():
        per_sex[sex] = per_sex.get(sex, 0) + int(n)
    while found := leaks(chosen):
        left = sorted((per_sex.get(s, 0), str(s), s) for s in year.sexes - chosen)
        if not left:
            break
        settles = [s for *_o, s in left if not leaks(chosen | {s})]
        theirs = {cells[k % len(cells)][1] for k in found}
        beside = [s for *_o, s in left if s in theirs]
        chosen.add((settles or beside or [left[0][-1]])[0])
    return frozenset(chosen)
