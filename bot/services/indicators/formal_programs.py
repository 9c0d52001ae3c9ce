"""The integer programs of `formal_whole`'s readings: one system of rows (a reading's rules
and some printed figures) solved for many costs, and the whole solutions found, kept so
that every later system of the same reading can use them as witnesses.

A solution is only ever taken after it is checked here in whole numbers against every row
and bound of the system at hand (`holds`), so a solution kept from another system (other
figures, other rules) frees a target only where it is a solution of this one too: a fact of
this system's figures, whatever program found it. The matrix is built once per system from
its rows (scipy's `lil_array` cost more than the programs' own Python)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Sequence

import numpy as np

from bot.services import report_limit

Row = dict[int, int]
Part = tuple[np.ndarray, np.ndarray]  # a row's unknowns (ascending) and their coefficients
PROGRAMS = 300  # integer programs per system, at most (past them: pinned, the safe side)
# Branch-and-bound nodes per program: scipy's `node_limit`, which it hands to HiGHS as
# `mip_max_nodes` (an integer; a float is refused with a TypeError). A program past it ends
# with a status other than 0 (HiGHS' «solution limit»): unsettled, as `solve` says
# (tests/test_formal_program_nodes.py).
NODES = 1000
MARGIN = 1e-3  # of a relaxation's bound over a whole cost: HiGHS' own tolerances are ~1e-7


def part(row: Row) -> Part:
    """`row` as the matrix stores it: its unknowns in order, a coefficient 0 no entry."""
    keys = sorted(k for k, c in row.items() if c)
    return np.array(keys, dtype=np.int32), np.array([row[k] for k in keys], dtype=float)


def each_way(
    solver: Solver,
    rows: Mapping[Hashable, Row],
    truth: Sequence[int],
    ways: tuple[set[Hashable], set[Hashable]],
    free: Callable[[np.ndarray], None],
    unsettled: set[Hashable],
    known: Collection[Hashable] = frozenset(),
    enough: int | None = None,
    proven: set[Hashable] | None = None,
) -> set[Hashable] | None:
    """Each target left in both `ways` (up, down: those no solution moved yet that way)
    asked each way it may move, one program each (`free` takes a solution found, `unsettled`
    the targets of a program that did not settle): where its unknowns' bounds hold it
    (`at_end`) or the relaxation does (`Solver.beyond`), no whole solution moves it that way
    and no program is needed. With `enough`: those of `known`
    first; once `enough` of them are pinned (`proven`, counting those given), those and no
    more are returned, the rest not asked; None once every target is asked."""
    up, down = ways
    values = np.array(truth, dtype=float)
    proven = set() if proven is None else proven
    for t in sorted(up & down, key=lambda t: (enough is not None and t not in known, repr(t))):
        if enough is not None and len(proven) >= enough:
            return proven
        for sign in (1.0, -1.0):
            if t in up and t in down and not at_end(rows[t], truth, solver.upper, sign):
                cost = np.zeros(len(values))
                for k, c in rows[t].items():
                    cost[k] = sign * c
                if solver.beyond(cost, float(cost @ values)):
                    continue
                if (x := solver.solve(cost)) is not None:
                    free(x)
                if not solver.settled:
                    unsettled.add(t)
        if t in known and t in up and t in down:
            proven.add(t)
    return None


def at_end(row: Row, truth: Sequence[int], upper: Sequence[float], sign: float) -> bool:
    """Whether the sum of `row` (no coefficient below 0) is at the end of its unknowns'
    bounds the way `sign` asks (1: down, at 0; -1: up, at all of them): no solution moves it
    that way, a fact asked of no solver (its program would only find the truth's value)."""
    if any(c < 0 for c in row.values()):
        return False
    value = sum(truth[k] * c for k, c in row.items())
    return value == (0 if sign > 0 else sum(upper[k] * c for k, c in row.items()))


class Solver:
    """The integer programs of `rows` ((part, lo, hi): lo <= row · x <= hi) over unknowns
    whole and within 0..`upper`."""

    def __init__(self, rows: Sequence[tuple[Part, float, float]], upper: Sequence[int]) -> None:
        from scipy.optimize import Bounds, LinearConstraint
        from scipy.sparse import csr_array

        n = len(upper)
        starts = np.cumsum([0] + [len(keys) for (keys, _c), _lo, _hi in rows] + [0] * (not rows))
        empty = np.zeros(0)
        self.matrix = csr_array(
            (
                np.concatenate([c for (_k, c), _lo, _hi in rows] or [empty]),
                np.concatenate([k for (k, _c), _lo, _hi in rows] or [empty]).astype(np.int32),
                starts,
            ),
            shape=(max(len(rows), 1), n),
        )  # one empty row if none: 0 <= 0 <= 0
        self.low = np.array([lo for _r, lo, _h in rows] or [0], dtype=float)
        self.high = np.array([hi for _r, _l, hi in rows] or [0], dtype=float)
        self.upper = np.array(upper, dtype=float)
        self.bounds = Bounds(np.zeros(n), self.upper)
        self.constraint = LinearConstraint(self.matrix, self.low, self.high)
        self.programs = 0
        # whether the last `solve` settled its program: HiGHS proved its answer optimal and it
        # passed `holds`. One that did not (past PROGRAMS or NODES, the report's limit, an
        # error, a failed check) proves nothing either way (`formal_whole._pinned`).
        self.settled = True

    def holds(self, solutions: np.ndarray) -> np.ndarray:
        """Per solution (a row of whole numbers), whether it keeps every bound and row."""
        if not len(solutions):
            return np.zeros(0, dtype=bool)
        sums = self.matrix @ solutions.T  # exact: small whole numbers in floats
        rows = ((sums >= self.low[:, None]) & (sums <= self.high[:, None])).all(axis=0)
        inside = ((solutions >= 0) & (solutions <= self.upper)).all(axis=1)
        return rows & inside

    def beyond(self, cost: np.ndarray, value: float) -> bool:
        """Whether the linear relaxation proves that no whole solution costs `value` - 1 or
        less (`cost` whole: every whole solution then costs `value` at least), with a margin
        far above HiGHS' tolerances; False where it does not (the program decides then)."""
        from bot.services.integer_moves import solve

        if report_limit.stopped("formal_whole"):
            return False
        result = solve(cost, bounds=self.bounds, constraints=[self.constraint])
        return result.status == 0 and result.fun > value - 1 + MARGIN

    def solve(self, cost: np.ndarray) -> np.ndarray | None:
        """A whole solution minimising `cost`, checked here, or None (`settled` says whether
        it is the optimum)."""
        from bot.services.integer_moves import solve

        self.settled = False
        if self.programs >= PROGRAMS or report_limit.stopped("formal_whole"):
            return None
        self.programs += 1
        n = len(self.upper)
        result = solve(
            cost,
            integrality=np.ones(n),
            bounds=self.bounds,
            constraints=[self.constraint],
            options={"node_limit": NODES},
        )
        if result.x is None:
            return None
        x = np.rint(result.x)  # to even, as Python's round
        if not self.holds(x[None, :])[0]:
            return None
        self.settled = result.status == 0  # optimal, not the best found within NODES
        return x


class Moves:
    """The targets' sums of unknowns as one matrix: which ways a solution moves each."""

    def __init__(
        self, targets: list[Hashable], rows: Mapping[Hashable, Row], truth: list[int]
    ) -> None:
        self.targets = targets
        self.matrix = np.zeros((len(targets), len(truth)))
        for i, t in enumerate(targets):
            for k, c in rows[t].items():
                self.matrix[i, k] = c
        self.value = self.matrix @ np.array(truth, dtype=float)

    def free(self, solutions: np.ndarray, up: set[Hashable], down: set[Hashable]) -> None:
        """Takes out of `up` (`down`) the targets some of `solutions` moves up (down)."""
        if not len(solutions) or not self.targets:
            return
        moved = self.matrix @ solutions.T - self.value[:, None]
        for i in np.flatnonzero((moved > 0).any(axis=1)):
            up.discard(self.targets[i])
        for i in np.flatnonzero((moved < 0).any(axis=1)):
            down.discard(self.targets[i])
