"""`bot.services.bounded_cells.pinned_cells` (the cells of region and sex that the margins
shown pin at 0 or at all of their people) agrees with the bounds reader of the tests
(`tests.derivation.pinned`), which solves each person's answer (0 or 1) exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.bounded_cells import pinned_cells
from bot.services.small_cells import Hidden
from tests.derivation import pinned

ROWS, COLUMNS = ("puno", "cusco", "lima", "tacna"), ("female", "male", None)


@st.composite
def tables(draw: st.DrawFn) -> tuple[dict, Hidden]:
    cells = {}
    for key in ((row, column) for row in ROWS for column in COLUMNS):
        people = draw(st.integers(0, 3))
        cells[key] = (draw(st.integers(0, people)), people, people)
    hidden = Hidden(
        draw(st.frozensets(st.sampled_from(ROWS))),
        draw(st.frozensets(st.sampled_from(COLUMNS))),
        draw(st.booleans()),
    )
    return cells, hidden


def _read(cells: dict, hidden: Hidden) -> set:
    """The merged cells whose people the reader pins, reading each row and column shown (and
    the total) as the sum of its people's answers; a cell of 3 or more pinned whole is as
    if shown (the documented limit)."""
    people = [(key, i < done) for key, (done, n, _n) in cells.items() for i in range(n)]
    figures = []
    groups = [lambda k, r=row: k[0] == r for row in ROWS if row not in hidden.rows]
    groups += [lambda k, c=column: k[1] == c for column in COLUMNS if column not in hidden.columns]
    groups += [] if hidden.total else [lambda _k: True]
    for inside in groups:
        chosen = [i for i, (key, _yes) in enumerate(people) if inside(key)]
        figures.append(({(i, "yes") for i in chosen}, sum(people[i][1] for i in chosen)))
    found = pinned(figures, cells=lambda i: people[i][0])
    return {
        (
            row if row not in hidden.rows else "hidden",
            column if column not in hidden.columns else "hidden",
        )
        for (i, _yes) in found
        for row, column in [people[i][0]]
    }


def _merged(edges: set) -> set:
    return {
        tuple("hidden" if not isinstance(node[1], str | None) else node[1] for node in edge)
        for edge in edges
    }


@settings(max_examples=200, deadline=None)
@given(tables())
def test_the_cells_pinned_are_those_the_reader_pins(table: tuple[dict, Hidden]) -> None:
    cells, hidden = table
    assert _merged(pinned_cells(cells, hidden)) == _read(cells, hidden)


def test_the_sexes_blank_beside_a_region_shown() -> None:
    """Puno 3 confirmed of 6; its 3 men, shown, 3 of 3; the other sexes blank: Puno's women and
    the one of unrecorded sex confirmed none. Cusco's women and undisclosed, 3 of 3, are
    told by Cusco's row (the documented limit)."""
    cells = {
        ("puno", "female"): (0, 2, 2), ("puno", None): (0, 1, 1), ("puno", "male"): (3, 3, 3),
        ("cusco", "female"): (1, 1, 1), ("cusco", "undisclosed"): (2, 2, 2),
    }  # fmt: skip
    hidden = Hidden(frozenset(), frozenset({"female", "undisclosed", None}))
    assert _merged(pinned_cells(cells, hidden)) == {("puno", "hidden")}
    assert _read(cells, hidden) == {("puno", "hidden")}
    everything = Hidden(frozenset(), frozenset({"female", "undisclosed", None, "male"}))
    assert pinned_cells(cells, everything) == set()
    # Three women of Puno instead, pinned at 0 as a group: as if shown, 0 of 3.
    cells[("puno", "female")] = (0, 3, 3)
    del cells[("puno", None)]
    assert pinned_cells(cells, hidden) == set()
    assert _read(cells, hidden) == set()


def test_a_cell_of_one_person_pinned_between_its_ends() -> None:
    """Ratings less 1 (0 to 4), by sex and workshop: the men 11 (of 12), W3 16 (of 16: its
    two men and two women rated 5, told openly), W1 5 and the total 26 shown; the women and
    W2 hidden. The men's 11 less their 8 of W3 leaves 3 for the man of W2 (a rating of 4),
    and W2's 5 (the total less W1 and W3) less him leaves 2 for its woman: each of one
    person, at neither end. `between` finds them, the ends alone do not; the reader too."""
    cells = {
        ("male", "W2"): (3, 4, 1),
        ("male", "W3"): (8, 8, 2),
        ("female", "W3"): (8, 8, 2),
        ("female", "W2"): (2, 4, 1),
        ("female", "W1"): (5, 12, 3),
    }
    hidden = Hidden(frozenset({"female"}), frozenset({"W2"}))
    assert pinned_cells(cells, hidden) == set()
    assert _merged(pinned_cells(cells, hidden, between=True)) == {
        ("male", "hidden"),
        ("hidden", "hidden"),
    }
    people = [key for key, (_done, _whole, n) in cells.items() for _ in range(n)]
    values = {("male", "W2"): [3], ("male", "W3"): [4, 4], ("female", "W3"): [4, 4]}
    values |= {("female", "W2"): [2], ("female", "W1"): [1, 2, 2]}
    answers = [values[key][people[:i].count(key)] for i, key in enumerate(people)]
    figures = [
        ({(i, "r") for i, key in enumerate(people) if inside(key)}, total)
        for inside, total in (
            (lambda k: k[0] == "male", 11),
            (lambda k: k[1] == "W3", 16),
            (lambda k: k[1] == "W1", 5),
            (lambda _k: True, 26),
        )
    ]
    assert [sum(answers[i] for i, _r in who) for who, _total in figures] == [11, 16, 5, 26]
    found = pinned(figures, lambda _unknown: (0, 4))
    assert {people[i] for (i, _r) in found} >= {("male", "W2"), ("female", "W2")}
