"""A brute-force reader for the small-cell tests (issue #13): every person's value of every
variable is an unknown, each figure a report shows is the sum of some of them (a count of
those who confirmed, or an average beside its number of people), and the reader solves the
whole system at once. Slow but obviously right, to check the rules in `bot.services`.

`singled_out` decides with the brute-force rank test (`_rank_drops`) for each set of people;
a cheap look at the system's null space first skips the sets that it cannot be true of, so
that the rank test runs for few sets (the union of a coordinator's figures, thousands of sums
over 150 unknowns, took 50 CPU s with the rank test for all 210 sets of 1 or 2 people).
tests/test_derivation.py checks that both ways find the same people.

`pinned` reads the figures' values too, with each unknown's range (a count of a person is 0
or 1, a rating 1 to 5): a sum of hidden groups at its least or its most gives each of them
away, which no rank test sees. It solves small integer programs (`scipy.optimize.milp`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from itertools import combinations, product
from typing import Any

import numpy as np

Unknown = tuple[Hashable, Hashable]  # (person, variable)

# A set of unknowns whose rows of the null-space basis (orthonormal) are this close to
# dependent goes to the rank test. When the rank test finds a set given away, those rows are
# dependent in exact arithmetic, and computed within about 1e-13 of it; independent rows of
# a 0/1 system are far from 1e-6.
_CANDIDATE = 1e-6


def singled_out(known: Iterable[Collection[Unknown]]) -> tuple[Hashable, ...] | None:
    """1 or 2 people some combination of the known sums rests on alone, or None. A set S is
    given away exactly when the sums restricted to everyone else have a lower rank: some
    combination of them vanishes outside S but not on S."""
    system = _System(known)
    if system.matrix is None:
        return None
    null = system.null_space()
    for size in (1, 2):
        for chosen in combinations(system.people, size):
            columns = [c for person in chosen for c in system.columns[person]]
            if _dependent(null[columns]) and system.rank_drops(chosen):
                return chosen
    return None


def singled_out_slowly(known: Iterable[Collection[Unknown]]) -> tuple[Hashable, ...] | None:
    """`singled_out` with the rank test for every set: the reference it is checked against."""
    system = _System(known)
    if system.matrix is None:
        return None
    for size in (1, 2):
        for chosen in combinations(system.people, size):
            if system.rank_drops(chosen):
                return chosen
    return None


class _System:
    """The known sums as a 0/1 matrix (a row per sum, a column per unknown)."""

    def __init__(self, known: Iterable[Collection[Unknown]]) -> None:
        sums = [set(row) for row in known if row]
        unknowns = sorted({u for row in sums for u in row}, key=repr)
        self.matrix: np.ndarray | None = None
        if not unknowns:
            return
        index = {u: i for i, u in enumerate(unknowns)}
        self.matrix = np.zeros((len(sums), len(unknowns)))
        for r, row in enumerate(sums):
            for u in row:
                self.matrix[r, index[u]] = 1.0
        self.unknowns = unknowns
        self.rank = np.linalg.matrix_rank(self.matrix)
        self.people = sorted({u[0] for u in unknowns}, key=repr)
        self.columns: dict[Hashable, list[int]] = {p: [] for p in self.people}
        for i, u in enumerate(unknowns):
            self.columns[u[0]].append(i)

    def rank_drops(self, chosen: Sequence[Hashable]) -> bool:
        """The brute-force test: the sums without `chosen`'s unknowns have a lower rank."""
        assert self.matrix is not None
        rest = [i for i, u in enumerate(self.unknowns) if u[0] not in chosen]
        return bool(np.linalg.matrix_rank(self.matrix[:, rest]) < self.rank)

    def null_space(self) -> np.ndarray:
        """An orthonormal basis of the vectors every sum is blind to (a column each). The
        sums' combinations are the vectors orthogonal to it, so one that rests on S alone
        exists exactly when S's rows of this basis are linearly dependent."""
        assert self.matrix is not None
        distinct = np.unique(self.matrix, axis=0)  # the same sums, once each
        _u, _s, vt = np.linalg.svd(distinct)
        return vt[self.rank :].T


def _dependent(rows: np.ndarray) -> bool:
    if rows.shape[0] > rows.shape[1]:
        return True
    return bool(np.linalg.svd(rows, compute_uv=False).min() < _CANDIDATE)


# A program the solver has not settled by then fails the test: integer feasibility is hard in
# general (random 0/1 sums, as in "market split" problems, take the solver minutes), though
# the sums of groups and their crossings that reports show take it a fraction of a second.
_SECONDS = 60.0

Figure = tuple[Collection[Unknown], float]  # the unknowns a figure adds up, and its value
Range = tuple[int, int]  # an unknown's least and greatest value
# What the reader knows besides the figures: sum of coefficient × unknown is at most a bound
# (a person who rated a workshop attended it: rated − attended <= 0).
AtMost = tuple[Mapping[Unknown, float], float]


def zero_or_one(_unknown: Unknown) -> Range:
    return (0, 1)


def pinned(
    figures: Iterable[Figure],
    ranges: Callable[[Unknown], Range] = zero_or_one,
    cells: Callable[[Hashable], Hashable] | None = None,
    at_most: Iterable[AtMost] = (),
    openly: Iterable[Figure] = (),
    every: dict[Unknown, int] | None = None,
) -> dict[Unknown, int]:
    """The unknowns whose value is the same in every integer solution of the figures (each
    unknown within its range), with that value; but not those a figure shows at either end of
    its own range (3 of 3 confirmed tells it of each: the documented limit of
    `bot.services.small_cells`), nor those whose range is one value. `cells`: each person's
    group of the finest split the reports make (region and sex): a group of 3 or more all
    pinned at one value is left out too (as if shown, 0 of 3: the documented limit). Exact:
    one solution `x0`; then integer programs that push every unknown not yet moved its way
    (above or below its `x0`) at once, each solution freeing those it moved, until one frees
    none; then programs that move as many of those left as they can (a 0/1 flag each: slow
    where many can move, quick to prove that none can), until none moves. `at_most`: what
    the reader knows of the unknowns besides the figures (each solution keeps it too); what
    it and the figures at their ends alone pin is told openly too (3 of 3 attended a
    workshop, and each of them attended one of the two: none of them attended neither).
    `openly`: figures shown at an end that their ranges do not see, with what tells it (6
    accepted beside the 6 invited of a region of 9; with `at_most`, accepted <= invited).
    `every`: filled with every unknown pinned, those told openly too, for a group's check of
    its members all pinned alike (told or not: either way that is the documented limit)."""
    figures, at_most = list(figures), list(at_most)
    found = _unless_told(_pinned, figures, ranges, at_most, list(openly), every)
    return found if cells is None else beyond_cells(found, cells, figures, at_most, every)


def beyond_cells(
    found: dict[Unknown, int],
    cells: Callable[[Hashable], Hashable],
    figures: Sequence[Figure],
    at_most: Sequence[AtMost] = (),
    every: Mapping[Unknown, int] | None = None,
) -> dict[Unknown, int]:
    """`found` less the groups (`pinned`'s `cells`) of 3 or more all pinned at one value
    (`every`: what `pinned` pinned, told openly too; by default `found`)."""

    def group(unknown: Unknown) -> tuple[Hashable, Hashable]:
        return (cells(unknown[0]), unknown[1])

    members: dict[tuple[Hashable, Hashable], set[Unknown]] = {}
    everything = [u for figure, _value in figures for u in figure]
    for unknown in everything + [u for row, _limit in at_most for u in row]:
        members.setdefault(group(unknown), set()).add(unknown)
    known = found if every is None else every
    return {u: v for u, v in found.items() if not _alike(members[group(u)], known)}


def _unless_told(
    solve: Callable[..., dict[Unknown, int]],
    figures: list[Figure],
    ranges: Callable[[Unknown], Range],
    at_most: list[AtMost],
    openly: list[Figure] | None = None,
    every: dict[Unknown, int] | None = None,
) -> dict[Unknown, int]:
    """What `solve` pins, less what the figures shown at their ends (and `openly`) pin with
    `at_most` alone (told openly, as those figures' own unknowns are); `every` gets it all."""
    found = solve(figures, ranges, at_most)
    if every is not None:
        every.update(found)
    if not (at_most and found):
        return found
    system = _Bounded(figures, ranges)
    ends = [f for f, at_end in zip(figures, system.at_ends(figures), strict=True) if at_end]
    ends += openly or []
    told = solve(ends, ranges, at_most) if ends else {}
    return {u: v for u, v in found.items() if u not in told}


def _alike(members: set[Unknown], found: Mapping[Unknown, int]) -> bool:
    """Whether a group's unknowns are 3 or more, all pinned at one value."""
    values = {found.get(u) for u in members}
    return len(members) >= 3 and len(values) == 1 and None not in values


def _pinned(
    figures: Iterable[Figure], ranges: Callable[[Unknown], Range], at_most: Sequence[AtMost] = ()
) -> dict[Unknown, int]:
    system = _Bounded(figures, ranges, at_most)
    if not system.unknowns:
        return {}
    x0 = system.solve(np.zeros(system.size))
    up = {i for i in system.open_ if x0[i] < system.high[i]}
    down = {i for i in system.open_ if x0[i] > system.low[i]}

    def free(x: np.ndarray) -> None:  # what a solution moves can move
        up.difference_update({i for i in up if x[i] > x0[i]})
        down.difference_update({i for i in down if x[i] < x0[i]})

    while up or down:  # every one pushed its way at once: each solution frees many
        left = len(up) + len(down)
        cost = np.zeros(system.size)
        cost[sorted(up)], cost[sorted(down)] = -1.0, 1.0
        free(system.solve(cost))
        if len(up) + len(down) == left:
            break
    while up or down:  # then as many of those left as one program can move
        moved = system.move(x0, sorted(up), sorted(down))
        if moved is None:
            break
        free(moved)
    # Left in `up` (`down`): no solution moves it above (below) its x0.
    stuck_up = {i for i in system.open_ if x0[i] == system.high[i]} | up
    stuck_down = {i for i in system.open_ if x0[i] == system.low[i]} | down
    return {system.unknowns[i]: int(x0[i]) for i in sorted(stuck_up & stuck_down)}


def pinned_slowly(
    figures: Iterable[Figure],
    ranges: Callable[[Unknown], Range] = zero_or_one,
    at_most: Sequence[AtMost] = (),
) -> dict[Unknown, int]:
    """`pinned` by listing every assignment of values (tiny systems only): the reference."""
    return _unless_told(_listed, list(figures), ranges, list(at_most))


def _listed(
    figures: Iterable[Figure], ranges: Callable[[Unknown], Range], at_most: Sequence[AtMost]
) -> dict[Unknown, int]:
    system = _Bounded(figures, ranges, at_most)
    values = [range(int(lo), int(hi) + 1) for lo, hi in zip(system.low, system.high, strict=True)]
    solutions = [
        x
        for x in product(*values)
        if np.array_equal(system.matrix @ np.array(x), system.values)
        and np.all(system.rules @ np.array(x) <= system.limits)
    ]
    if not solutions:
        raise ValueError("the figures contradict each other")
    return {
        system.unknowns[i]: solutions[0][i]
        for i in system.open_
        if len({x[i] for x in solutions}) == 1
    }


class _Bounded:
    """The figures as a sparse 0/1 matrix with their values, and the unknowns' ranges.
    `open_`: the unknowns that no figure shows at either end of its range, and whose range
    is not one value (those are known openly). `rules`, `limits`: the `at_most` rows."""

    def __init__(
        self,
        figures: Iterable[Figure],
        ranges: Callable[[Unknown], Range],
        at_most: Sequence[AtMost] = (),
    ) -> None:
        rows: dict[frozenset[Unknown], float] = {}
        for sums, value in figures:
            key = frozenset(sums)
            if key and rows.setdefault(key, value) != value:
                raise ValueError(f"one sum shown as {rows[key]} and as {value}: {sorted(key)}")
        mentioned = {u for key in rows for u in key} | {u for row, _ in at_most for u in row}
        self.unknowns = sorted(mentioned, key=repr)
        self.size = len(self.unknowns)
        index = {u: i for i, u in enumerate(self.unknowns)}
        limits = np.array([ranges(u) for u in self.unknowns], dtype=float).reshape(-1, 2)
        self.low, self.high = limits[:, 0], limits[:, 1]
        dense = np.zeros((len(rows), self.size))
        for r, key in enumerate(rows):
            dense[r, [index[u] for u in key]] = 1.0
        self.matrix = dense
        self.values = np.array(list(rows.values()), dtype=float)
        self.rules = np.zeros((len(at_most), self.size))
        for r, (row, _limit) in enumerate(at_most):
            for u, coefficient in row.items():
                self.rules[r, index[u]] += coefficient
        self.limits = np.array([limit for _row, limit in at_most], dtype=float)
        ends = (self.values == dense @ self.low) | (self.values == dense @ self.high)
        known = set(np.flatnonzero(dense[ends].any(axis=0))) if len(rows) else set()
        self._ends = {key for key, at_end in zip(rows, ends, strict=True) if at_end}
        self.open_ = [i for i in range(self.size) if i not in known and self.low[i] < self.high[i]]

    def at_ends(self, figures: Sequence[Figure]) -> list[bool]:
        """Whether each figure is shown at either end of its own range."""
        return [frozenset(sums) in self._ends for sums, _value in figures]

    def solve(self, cost: np.ndarray) -> np.ndarray:
        """An integer solution of the figures of least `cost`."""
        from scipy.optimize import Bounds, LinearConstraint  # (the rank tests need none)
        from scipy.sparse import csr_array

        from bot.services.integer_moves import solve

        matrix = csr_array(self.matrix)
        constraints = [LinearConstraint(matrix, self.values, self.values), *self._rules(0)]
        result = solve(
            cost,
            integrality=np.ones(self.size),
            bounds=Bounds(self.low, self.high),
            constraints=constraints,
            options={"time_limit": _SECONDS},
        )
        return _answer(result).x

    def _rules(self, extra: int) -> list[Any]:
        """The `at_most` rows as a constraint (with `extra` columns of zeros), if any."""
        from scipy.optimize import LinearConstraint
        from scipy.sparse import csr_array, hstack

        if not len(self.limits):
            return []
        rules = hstack([csr_array(self.rules), csr_array((len(self.limits), extra))])
        return [LinearConstraint(rules, -np.inf, self.limits)]

    def move(self, x0: np.ndarray, up: list[int], down: list[int]) -> np.ndarray | None:
        """An integer solution that moves as many of `up` above their `x0`, and of `down`
        below it, as it can; None when it moves none. A 0/1 flag per unknown tried: flag 1
        forces it past its `x0` (else it may stay anywhere in its range)."""
        from scipy.optimize import Bounds, LinearConstraint
        from scipy.sparse import csr_array, hstack

        from bot.services.integer_moves import solve

        n, k = self.size, len(up) + len(down)
        flags = np.arange(n, n + k)
        picks = np.zeros((k, n + k))
        lower = np.full(k, -np.inf)
        upper = np.full(k, np.inf)
        for row, i in enumerate(up):  # x_i - (x0_i + 1 - low_i) * flag >= low_i
            picks[row, i], picks[row, flags[row]] = 1.0, -(x0[i] + 1 - self.low[i])
            lower[row] = self.low[i]
        for row, i in enumerate(down, start=len(up)):  # x_i + (high_i - x0_i + 1) * flag <= high_i
            picks[row, i], picks[row, flags[row]] = 1.0, self.high[i] - x0[i] + 1
            upper[row] = self.high[i]
        sums = hstack([csr_array(self.matrix), csr_array((len(self.values), k))])
        result = solve(
            np.concatenate([np.zeros(n), -np.ones(k)]),
            integrality=np.ones(n + k),
            bounds=Bounds(
                np.concatenate([self.low, np.zeros(k)]), np.concatenate([self.high, np.ones(k)])
            ),
            constraints=[
                LinearConstraint(sums, self.values, self.values),
                LinearConstraint(csr_array(picks), lower, upper),
                *self._rules(k),
            ],
            options={"time_limit": _SECONDS},
        )
        if -_answer(result).fun < 0.5:
            return None
        return np.round(result.x[:n])


def _answer(result: Any) -> Any:
    """The solver's result, rounded; an error where it has none (the figures contradict each
    other) or gave up (`_SECONDS`)."""
    if result.status == 1:
        raise TimeoutError(f"the bounds reader gave up after {_SECONDS} s: {result.message}")
    if not result.success:
        raise ValueError(f"the figures contradict each other ({result.message})")
    result.x = np.round(result.x)
    return result
