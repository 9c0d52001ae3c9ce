"""Indicator 1's graph rule (`meeting_rule._light_cut`) against what a reader works out of a
table's margins, found here by brute force: every combination of one or two cells that is a
sum of the node sums (the rank of the node × cell matrix), read with the cells' bounds.

Two cells that cut the graph together give the reader their sum or their difference. A
difference of cells of 1 or 2 people each can pin both at their ends however many people
they hold together (union seed 10: the 15 April row less Tacna's row, -2, each between 0 and
its people), so it is always a light cut; a sum is a group's figure like any other, light
when it rests on 1 or 2 people, or when either cell is of the hidden rows or columns
merged (their groups shown apart elsewhere: union seed 87 gave Puno's people away, Puno's
and Tacna's 2 each of two meetings, hidden regions). Before 4e74c76 every pair of 3 people
or more was let show (seed 10's leak); 4e74c76 hid every pair, sums too: a meeting's
answers hidden beside a region's two cells whose sum is the region's own row
(bench.meeting_cells: 16 of 720 national cells hidden before it, 464 after it; 72 with
this rule)."""

from __future__ import annotations

from itertools import combinations, product

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.indicators.meeting_rule import _light_cut, meeting_hides
from bot.services.small_cells import SMALL_CELL
from tests.test_union_random import Dataset

MEETINGS, REGIONS = ("m1", "m2", "m3"), ("r1", "r2", "r3", "r4")


def _known(cells: list[tuple[str, str]], hidden_rows: set[str], hidden_columns: set[str]):
    """The node sums the reader knows, as vectors over `cells` (hidden nodes merged)."""
    nodes: dict[tuple[int, str], np.ndarray] = {}
    for i, (row, column) in enumerate(cells):
        for node in (
            (0, "?" if row in hidden_rows else row),
            (1, "?" if column in hidden_columns else column),
        ):
            nodes.setdefault(node, np.zeros(len(cells)))[i] = 1.0
    return np.array(list(nodes.values()))


def _worked_out(known: np.ndarray, vector: np.ndarray) -> bool:
    return np.linalg.matrix_rank(np.vstack([known, vector])) == np.linalg.matrix_rank(known)


def _pinned_pair(people: tuple[int, int], signs: tuple[int, int]) -> bool:
    """Whether some value of `signs` · (x, y), x and y whole numbers between 0 and their
    people, has one solution only (both pinned): enumerated."""
    values: dict[int, set[tuple[int, int]]] = {}
    for x, y in product(range(people[0] + 1), range(people[1] + 1)):
        values.setdefault(signs[0] * x + signs[1] * y, set()).add((x, y))
    return any(len(pairs) == 1 for pairs in values.values())


tables = st.dictionaries(
    st.tuples(st.sampled_from(MEETINGS), st.sampled_from(REGIONS)),
    st.integers(1, 4),
    min_size=2,
    max_size=10,
)


@settings(max_examples=300, deadline=None)
@given(
    tables,
    st.sets(st.sampled_from(MEETINGS), max_size=2),
    st.sets(st.sampled_from(REGIONS), max_size=2),
)
def test_no_light_cut_leaves_no_small_cell_or_difference_to_read(
    sizes: dict[tuple[str, str], int], hidden_rows: set[str], hidden_columns: set[str]
) -> None:
    """Where `_light_cut` finds none, the reader works out no cell of 1 or 2 people, and of
    two cells of 1 or 2 people no difference, nor a sum of fewer than 3 (people of distinct
    cells are distinct here) or touching the hidden rows or columns merged. Where it finds
    one, the reader does work out such a thing."""
    merged: dict[tuple[str, str], int] = {}
    for (row, column), n in sizes.items():
        key = ("?" if row in hidden_rows else row, "?" if column in hidden_columns else column)
        merged[key] = merged.get(key, 0) + n
    cells = sorted(merged)
    known = _known(cells, set(), set())
    small = [i for i, cell in enumerate(cells) if merged[cell] < SMALL_CELL]
    found = []
    for i in small:
        alone = np.zeros(len(cells))
        alone[i] = 1.0
        if _worked_out(known, alone):
            found.append(("cell", i))
    for i, j in combinations(small, 2):
        for sign in (1, -1):
            pair = np.zeros(len(cells))
            pair[i], pair[j] = 1.0, float(sign)
            if not _worked_out(known, pair):
                continue
            people = (merged[cells[i]], merged[cells[j]])
            assert _pinned_pair(people, (1, sign)), "every such sum or difference can pin"
            apart = "?" in (*cells[i], *cells[j])
            if sign == -1 or sum(people) < SMALL_CELL or apart:
                found.append(("pair", i, j, sign))
    edges = {cell: frozenset(f"{cell}{k}" for k in range(n)) for cell, n in sizes.items()}
    cut = _light_cut(edges, hidden_rows, hidden_columns)
    assert (cut is None) == (not found), (cells, found, cut)


def test_seed_10_is_still_refused() -> None:
    """Union seed 10's leak (fixed by 4e74c76): Cusco's 1 of 15 April and Tacna's 2 of 16
    April cut the national graph together, their difference read; both meetings' answers stay
    hidden, and Tacna's and Cusco's parts of them in their own reports."""
    data = Dataset(10)
    invitations = [
        (name, meeting, *data.people[name])
        for meeting, names in data.meetings.items()
        for name in names
    ]
    hides = meeting_hides(invitations)
    assert hides.meetings == frozenset(data.meetings)
    assert {(m, r) for m in data.meetings for r in ("cusco", "tacna")} <= hides.in_region
