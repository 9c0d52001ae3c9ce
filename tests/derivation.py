"""A brute-force reader for the small-cell tests (issue #13): every person's value of every
variable is an unknown, each figure a report shows is the sum of some of them (a count of
those who confirmed, or an average beside its number of people), and the reader solves the
whole system at once. Slow but obviously right, to check the rules in `bot.services`."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable
from itertools import combinations

import numpy as np

Unknown = tuple[Hashable, Hashable]  # (person, variable)


def singled_out(known: Iterable[Collection[Unknown]]) -> tuple[Hashable, ...] | None:
    """1 or 2 people some combination of the known sums rests on alone, or None. A set S is
    given away exactly when the sums restricted to everyone else have a lower rank: some
    combination of them vanishes outside S but not on S."""
    sums = [set(row) for row in known if row]
    unknowns = sorted({u for row in sums for u in row}, key=repr)
    if not unknowns:
        return None
    index = {u: i for i, u in enumerate(unknowns)}
    matrix = np.zeros((len(sums), len(unknowns)))
    for r, row in enumerate(sums):
        for u in row:
            matrix[r, index[u]] = 1.0
    rank = np.linalg.matrix_rank(matrix)
    people = sorted({u[0] for u in unknowns}, key=repr)
    for size in (1, 2):
        for chosen in combinations(people, size):
            rest = [i for i, u in enumerate(unknowns) if u[0] not in chosen]
            if np.linalg.matrix_rank(matrix[:, rest]) < rank:
                return chosen
    return None
