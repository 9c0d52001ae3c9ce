"""Whether hidden sums of region × sex × month cells of cases with support stay unpinned
beside the sums shown: the check behind indicator 4's months (`case_months`). Each cell
holds its cases and, of them, those with support, both whole numbers; the reader knows
the cases' margins (each region's by month, each region's by sex) and some sums of the
supported (the figures shown), not the cases of each cell. A hidden sum is free when some
move (a change of each cell's cases and supported, whole numbers, cases at least 0 and
supported from 0 to the cases, both margins of cases kept) keeps every figure shown and
changes the hidden sum; it is pinned when no move does (every whole solution gives it one
value: worked out by subtraction, or by the bounds).

Moves are found by scipy's HiGHS (`integer_moves.solve`: on one thread, as every program
of the process asks) and taken only once checked here in whole numbers, so a solver's
rounding never frees a sum; a program that does not settle (past `NODES`, an error), or
past `PROGRAMS` for one reading, frees nothing: the sum counts as pinned and the caller
hides more (the safe side). A move found is kept and tried first for the other sums and
for later readings (more figures shown: a move that keeps them all still holds). Limits
count work, never time, so a busy machine hides what a quiet one hides; but within a report
past its own limit (`report_limit`, REPORT_SECONDS: a program's time grows with the cases
and months) every sum counts as pinned from then on, a program begun included (HiGHS stops
there), so the report shows no month it would not have shown reading in full."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from math import inf

from bot.services import report_limit
from bot.services.integer_moves import solve

Cell = Hashable
Sum = frozenset[Cell]
Move = dict[tuple[str, Cell], int]  # ("n", cell): its cases' change; ("s", cell): supported's
NODES = 1000  # branch-and-bound nodes per program, at most (HiGHS' `mip_max_nodes`)
PROGRAMS = 300  # integer programs for one report's reading, at most
STOPPED = "case_month_moves"  # its name where the report notes what stopped short


class Moves:
    """The cells of one reading: `cells` (cell -> (cases, supported)), every cell the
    margins allow (0 cases included); `margins`: the sums of cells whose cases the reader
    knows. The moves found so far are kept for later readings."""

    def __init__(self, cells: Mapping[Cell, tuple[int, int]], margins: Sequence[Sum]) -> None:
        self.cells = dict(cells)
        order = sorted(self.cells, key=repr)
        self.keys = [*(("n", cell) for cell in order), *(("s", cell) for cell in order)]
        self.index = {key: i for i, key in enumerate(self.keys)}
        # a cell's cases go at most to its smallest margin's
        most = {c: min(sum(cells[o][0] for o in m) for m in margins if c in m) for c in cells}
        self.low = {("n", c): -n for c, (n, _s) in cells.items()}
        self.low.update({("s", c): -s for c, (_n, s) in cells.items()})
        self.high = {("n", c): most[c] - n for c, (n, _s) in cells.items()}
        self.high.update({("s", c): most[c] - s for c, (_n, s) in cells.items()})
        self.margins = [frozenset(("n", cell) for cell in m) for m in margins]
        self.found: list[Move] = []
        self.programs = 0

    def all_free(self, shown: Collection[Sum], hidden: Sequence[Sum]) -> bool:
        """Whether every one of `hidden` (sums of supported) is changed by some move that
        keeps every one of `shown` (False too when past `PROGRAMS`, or the report's limit:
        the safe side; from the limit on, always False, so that no later month is shown on
        a reading other than the full one's)."""
        if report_limit.stopped(STOPPED):
            return False
        kept = [move for move in self.found if all(_change(move, s) == 0 for s in shown)]
        left = [h for h in hidden if not any(_change(move, h) for move in kept)]
        while left:
            need = left[0]
            move = self._move(shown, need, 1, left) or self._move(shown, need, -1, left)
            if move is None:
                return False
            self.found.append(move)
            left = [h for h in left if not _change(move, h)]
        return True

    def _move(
        self, shown: Collection[Sum], need: Sum, way: int, push: Sequence[Sum]
    ) -> Move | None:
        """A checked move that changes `need` `way` (at least 1 up, or down), pushing the
        other sums of `push` up as it can; None if none within the limits."""
        if self.programs >= PROGRAMS or not need & self.cells.keys():
            return None
        if report_limit.stopped(STOPPED):
            return None
        self.programs += 1
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint

        kept = [*self.margins, *(frozenset(("s", cell) for cell in s) for s in shown)]
        rows = [self._row(s) for s in kept if s]
        order = sorted(self.cells, key=repr)
        parts = []  # a cell's supported at most its cases: ds - dn <= n - s
        for cell in order:
            row = np.zeros(len(self.keys))
            row[self.index["s", cell]], row[self.index["n", cell]] = 1.0, -1.0
            parts.append(row)
        slack = [self.cells[c][0] - self.cells[c][1] for c in order]
        wanted = self._row(frozenset(("s", cell) for cell in need)) * way
        constraints = [
            LinearConstraint(np.array([wanted]), 1.0, np.inf),
            LinearConstraint(np.array(parts), -np.inf, np.array(slack, dtype=float)),
        ]
        if rows:
            constraints.append(LinearConstraint(np.array(rows), 0.0, 0.0))
        pushed = (self._row(frozenset(("s", cell) for cell in s)) for s in push)
        cost = -sum(pushed, np.zeros(len(self.keys)))
        result = solve(
            cost,
            integrality=np.ones(len(self.keys)),
            bounds=Bounds(
                np.array([self.low[k] for k in self.keys], dtype=float),
                np.array([self.high[k] for k in self.keys], dtype=float),
            ),
            constraints=constraints,
            options={
                "node_limit": NODES,
                "disp": False,
                "presolve": False,
                **({"time_limit": until} if (until := report_limit.left()) < inf else {}),
            },
        )
        if result.x is None or report_limit.stopped(STOPPED):
            return None  # none, or past the report's limit: whatever it found
        move = {k: round(v) for k, v in zip(self.keys, result.x, strict=True) if round(v)}
        return move if self._checked(move, shown, need, way) else None

    def _checked(self, move: Move, shown: Collection[Sum], need: Sum, way: int) -> bool:
        """Whether `move` is one, in whole numbers: within every room, supported at most
        the cases, the margins and the figures shown kept, `need` changed its way."""
        if not all(self.low[k] <= move.get(k, 0) <= self.high[k] for k in self.keys):
            return False
        for cell, (n, s) in self.cells.items():
            if s + move.get(("s", cell), 0) > n + move.get(("n", cell), 0):
                return False
        if any(sum(move.get(k, 0) for k in m) for m in self.margins):
            return False
        return _change(move, need) * way >= 1 and all(_change(move, s) == 0 for s in shown)

    def _row(self, keys: frozenset[tuple[str, Cell]]) -> object:
        import numpy as np

        row = np.zeros(len(self.keys))
        for key in keys:
            if key in self.index:
                row[self.index[key]] = 1.0
        return row


def _change(move: Move, cells: Sum) -> int:
    """How much `move` changes the sum of supported of `cells`."""
    return sum(move.get(("s", cell), 0) for cell in cells)
