"""A brute-force reader for the small-cell tests (issue #13): every person's value of every
variable is an unknown, each figure a report shows is the sum of some of them (a count of
those who confirmed, or an average beside its number of people), and the reader solves the
whole system at once. Slow but obviously right, to check the rules in `bot.services`.

`singled_out` decides with the brute-force rank test (`_rank_drops`) for each set of people;
a cheap look at the system's null space first skips the sets that it cannot be true of, so
that the rank test runs for few sets (the union of a coordinator's figures, thousands of sums
over 150 unknowns, took 50 CPU s with the rank test for all 210 sets of 1 or 2 people).
tests/test_derivation.py checks that both ways find the same people."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Sequence
from itertools import combinations

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
