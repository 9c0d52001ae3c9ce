"""Whole-number moves found by an integer program, for `bot.services.exact_cells` where its
own search is too slow: hundreds of cells of region × sex × workshop (a quarter's or a
year's national report) that the national total and every workshop link into one system.

A move is a change `d` of the cells' sums (whole numbers, each within its room: `-down` to
`up`) that keeps every figure; a cell some move changes is not pinned. The program is solved
by scipy's HiGHS (`scipy.optimize.milp`, the solver the tests' reader uses), but what it
returns is only a candidate: a move is taken only after it is checked here, in whole
numbers, against every room and figure, so a solver's rounding can never make a cell look
free. A program it does not settle (past `NODES`, or an answer that fails the check) moves
nothing: the cell counts as pinned and the caller hides more (the safe side). The limit is
work, not time: a time limit let a busy machine pin other cells than a quiet one, and two
downloads of one report, put together, read more than either. The clock is only a safety
net: past the caller's `deadline`, `OutOfTime` (the caller hides everything it covers).

A program settles when HiGHS finds a move or proves there is none: then the answer is a
fact of the figures, whatever solver or version found it (the move is checked here, and
"none" is what any correct solver proves). One that does not (`settled` False: past
`NODES`, or an error of HiGHS's) leaves its cell counted as pinned, and that decision may
change with HiGHS's version: the caller counts them (`exact_cells.Moved.unsettled`) and
`training_exact` logs them. tests/test_exact_golden.py keeps some reports' decisions."""

from __future__ import annotations

import time
import warnings
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any

Key = tuple[Hashable, ...]
# Branch-and-bound nodes per program (HiGHS' `mip_max_nodes`), at most: past them, what it
# has not moved counts as pinned. bench.exact_scale's reports of 400 to 4,000 cells settled
# every program at its first node (found a move, or proved none).
NODES = 1000
# HiGHS on one thread. By default it takes half the machine's cores in every process; on
# bench.exact_scale's reports 4 threads gave every program the same solution as 1 (scipy
# 1.17.1, HiGHS 1.12.0) for 27-46 % more CPU. HiGHS makes its threads once per process and
# refuses a program that then asks for another count (status «Not Set», no answer): every
# caller in a process goes through `solve` (the tests' readers too).
HIGHS = {"threads": 1}


def solve(cost: Any, **arguments: Any) -> Any:
    """`scipy.optimize.milp` with `HIGHS` among its options (scipy hands them to HiGHS as
    they are, and warns that it does not know them)."""
    from scipy.optimize import milp

    options = {**arguments.pop("options", {}), **HIGHS}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Unrecognized options", RuntimeWarning)
        return milp(cost, options=options, **arguments)


class OutOfTime(Exception):
    """The safety net's wall clock ran out (`Programs.deadline`): no partial answer."""


class Programs:
    """The moves of one system of figures: `room` (cell -> (down, up)) and `figures` (sums
    of cells), set up once for the many programs a reading solves; `deadline`: a
    `time.monotonic()` past which `move` raises `OutOfTime` (the safety net, not a budget)."""

    def __init__(
        self,
        room: Mapping[Key, tuple[int, int]],
        figures: Sequence[Collection[Key]],
        deadline: float,
    ) -> None:
        from scipy.sparse import csr_array

        self.keys = sorted((k for k, (down, up) in room.items() if down or up), key=repr)
        self.index = {key: i for i, key in enumerate(self.keys)}
        self.room = room
        rows = {tuple(sorted(self.index[k] for k in f if k in self.index)) for f in figures}
        self.rows = sorted(row for row in rows if row)
        data, columns, starts = [], [], [0]
        for row in self.rows:
            columns.extend(row)
            data.extend([1.0] * len(row))
            starts.append(len(columns))
        self.matrix = csr_array(
            (data, columns, starts), shape=(len(self.rows), max(1, len(self.keys)))
        )
        self.deadline = deadline
        self.settled = True  # whether the last `move` settled its program (see the module)

    def move(self, need: tuple[Key, int] | None, push: Mapping[Key, int]) -> dict[Key, int] | None:
        """A checked move that changes `need`'s cell its way (1 up, -1 down), if any (None:
        none, or none found within `NODES`), moving the cells of `push` their ways as far as it can
        besides; `need` None: any move, for `push` alone (None if it moves none of them).
        scipy is imported here, in the worker process that builds the report, not the bot."""
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint

        self.settled = True
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise OutOfTime
        if not self.keys or (need is not None and need[0] not in self.index):
            return None
        low = np.array([-self.room[k][0] for k in self.keys], dtype=float)
        high = np.array([self.room[k][1] for k in self.keys], dtype=float)
        if need is not None:
            i = self.index[need[0]]
            if need[1] > 0:
                low[i] = 1.0
            else:
                high[i] = -1.0
            if low[i] > high[i]:
                return None
        if need is None:  # each cell by one at most: the cost counts the cells pushed (a
            # sum of changes let one cell of much room stand for many: 8 programs of 2-5 s
            # each to free what one such frees on a year of 17,725 cells)
            low, high = np.maximum(low, -1.0), np.minimum(high, 1.0)
        cost = np.zeros(len(self.keys))
        for key, way in push.items():
            if key in self.index:
                cost[self.index[key]] = -way
        result = solve(
            cost,
            integrality=np.ones(len(self.keys)),
            bounds=Bounds(low, high),
            constraints=[LinearConstraint(self.matrix, 0.0, 0.0)] if self.rows else [],
            options={"node_limit": NODES, "time_limit": left, "disp": False},
        )
        if "time limit" in result.message.lower() or time.monotonic() >= self.deadline:
            raise OutOfTime  # whatever it found: on a faster machine it might find more
        if result.x is None:
            self.settled = result.status == 2  # infeasible: no move (else past NODES, an error)
            return None
        step = {k: round(v) for k, v in zip(self.keys, result.x, strict=True) if round(v)}
        if not self._checked(step, low, high):
            self.settled = False  # the solver's rounding: no proof either way
            return None
        if need is None and not any(step.get(k, 0) for k in push):
            return None  # a cell pushed is freed by a move either way (it has room only one
            # way, or holds one rating: any other value will do)
        return step

    def _checked(
        self, step: Mapping[Key, int], low: Sequence[float], high: Sequence[float]
    ) -> bool:
        """Whether `step` is a move, in whole numbers: each cell within its room (and `need`'s
        bound), each figure kept."""
        for key, i in self.index.items():
            if not low[i] <= step.get(key, 0) <= high[i]:
                return False
        return all(sum(step.get(self.keys[i], 0) for i in row) == 0 for row in self.rows)
