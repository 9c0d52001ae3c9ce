"""The small-cell rule on its own: the subtraction attack of issue #13, and a property test that
no hidden figure can be recovered by arithmetic on the figures shown."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.small_cells import (
    SMALL_CELL,
    Hidden,
    hidden_margins,
    hidden_rows,
    safe_counts,
)


def test_three_women_from_puno_and_one_man_from_cusco() -> None:
    """Puno's average beside the total would give the man's rating: every group is hidden,
    only the total (4 people) stays."""
    hidden = hidden_margins({("puno", "female"): 3, ("cusco", "male"): 1})
    assert hidden == Hidden(frozenset({"puno", "cusco"}), frozenset({"female", "male"}))


def test_one_hidden_group_takes_a_second_with_it() -> None:
    # By region only: Cusco (2) is hidden, so the smallest other region goes too.
    hidden = hidden_margins({("puno", 0): 5, ("cusco", 0): 2, ("piura", 0): 4})
    assert hidden.rows == {"cusco", "piura"} and not hidden.total
    # Two small groups that together hold 3 people hide nothing else.
    hidden = hidden_margins({("puno", 0): 5, ("cusco", 0): 2, ("piura", 0): 1})
    assert hidden.rows == {"cusco", "piura"}
    # Large groups only: nothing hidden.
    assert hidden_margins({("puno", 0): 3, ("cusco", 0): 4}) == Hidden()


def test_a_total_of_fewer_than_three_hides_everything() -> None:
    hidden = hidden_margins({("puno", "female"): 1, ("puno", "male"): 1})
    assert hidden == Hidden(frozenset({"puno"}), frozenset({"female", "male"}), total=True)
    assert hidden_margins({}) == Hidden()


def test_regions_and_sexes_together() -> None:
    """Each region holds 3 people, yet Puno − women + Cusco is the one man from Puno: hiding
    the small groups of each attribute on its own is not enough."""
    cells = {
        ("puno", "male"): 1,
        ("puno", "female"): 2,
        ("cusco", "female"): 3,
        ("lima", "male"): 2,
        ("lima", "other"): 1,
    }
    hidden = hidden_margins(cells)
    _assert_nothing_derivable(cells, hidden)


def _people(cells: dict[tuple[object, object], int]) -> list[tuple[object, object]]:
    return [key for key, n in cells.items() for _ in range(n)]


def _assert_nothing_derivable(cells: dict[tuple[object, object], int], hidden: Hidden) -> None:
    """Each person's value is an unknown; the reader knows the sum over every group shown (and
    its size). No combination of those sums may involve only 1 or 2 people: for each set S of
    1 or 2 people, adding S's unit vectors to the known rows must raise the rank by |S|."""
    people = _people(cells)
    if not people or hidden.total:
        return
    groups = [
        [1.0 if person[side] == key else 0.0 for person in people]
        for side, shown in ((0, {p[0] for p in people} - hidden.rows),
                            (1, {p[1] for p in people} - hidden.columns))
        for key in shown
    ]  # fmt: skip
    known = np.array([*groups, [1.0] * len(people)])
    rank = np.linalg.matrix_rank(known)
    for size in (1, 2):
        for chosen in combinations(range(len(people)), size):
            units = np.zeros((size, len(people)))
            for row, person in enumerate(chosen):
                units[row, person] = 1.0
            assert np.linalg.matrix_rank(np.vstack([known, units])) == rank + size, (
                cells,
                hidden,
                [people[i] for i in chosen],
            )


cells_strategy = st.dictionaries(
    st.tuples(st.sampled_from("ABCDE"), st.sampled_from("fmu")),
    st.integers(min_value=0, max_value=4),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(cells_strategy)
def test_no_hidden_figure_can_be_derived(cells: dict[tuple[object, object], int]) -> None:
    hidden = hidden_margins(cells)
    _assert_nothing_derivable(cells, hidden)
    people = _people(cells)
    rows = {key for key, _ in people}
    columns = {key for _, key in people}
    # Small groups are always hidden; the total only when it is small itself.
    for key in rows:
        if 0 < sum(n for (r, _), n in cells.items() if r == key) < SMALL_CELL:
            assert key in hidden.rows
    assert hidden.total == (0 < len(people) < SMALL_CELL)
    assert hidden.rows <= rows and hidden.columns <= columns


@settings(max_examples=300, deadline=None)
@given(cells_strategy)
def test_one_attribute_only(cells: dict[tuple[object, object], int]) -> None:
    """A breakdown by region alone: the hidden regions hold 0 or at least 3 people together."""
    flat: dict[tuple[object, object], int] = {}
    for (region, _sex), n in cells.items():
        flat[(region, 0)] = flat.get((region, 0), 0) + n
    hidden = hidden_margins(flat)
    _assert_nothing_derivable(flat, hidden)
    together = sum(n for (region, _), n in flat.items() if region in hidden.rows)
    assert hidden.total or together == 0 or together >= SMALL_CELL


def test_distributions() -> None:
    assert safe_counts([0, 0, 0, 3, 5]) and not safe_counts([1, 0, 0, 0, 3])


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from("fmuN"),
        st.lists(st.integers(min_value=0, max_value=5), min_size=4, max_size=4),
        max_size=4,
    )
)
def test_rows_with_known_column_totals(rows: dict[str, list[int]]) -> None:
    """Every shown row, and what the hidden rows add up to (totals minus shown), is 0 or ≥ 3
    in each column; otherwise everything is hidden."""
    hidden = hidden_rows(rows)
    for key, counts in rows.items():
        if key not in hidden:
            assert safe_counts(counts)
    if hidden and hidden != set(rows):
        together = [sum(column) for column in zip(*(rows[key] for key in hidden), strict=True)]
        assert safe_counts(together)
