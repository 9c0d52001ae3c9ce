"""`bot.services.exact_cells.each_given_away` (the cells of 1 or 2 ratings that figures read as
whole numbers pin) agrees with the bounds reader of the tests (`tests.derivation.pinned`),
which solves each rating (1 to 5) exactly with an integer program."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.exact_cells import each_given_away
from tests.derivation import pinned

REGIONS, SEXES, WORKSHOPS = ("puno", "cusco", "piura"), ("female", "male"), (1, 2, 3)
KEYS = [(r, s, w) for r in REGIONS for s in SEXES for w in WORKSHOPS]


@st.composite
def systems(draw: st.DrawFn) -> tuple[dict, list]:
    """A few cells of region × sex × workshop (1 to 3 ratings each, mostly high), and sums
    of them a reader sees: some regions, sexes, workshops, parts and the total."""
    cells = {}
    for key in draw(st.lists(st.sampled_from(KEYS), min_size=3, max_size=9, unique=True)):
        ratings = draw(st.lists(st.sampled_from([1, 3, 4, 5, 5]), min_size=1, max_size=3))
        cells[key] = (sum(ratings), len(ratings))
    groups = [
        *((lambda k, r=r: k[0] == r) for r in REGIONS),
        *((lambda k, s=s: k[1] == s) for s in SEXES),
        *((lambda k, w=w: k[2] == w) for w in WORKSHOPS),
        *((lambda k, r=r, w=w: k[::2] == (r, w)) for r in REGIONS for w in WORKSHOPS),
        lambda _k: True,
    ]
    shown = draw(st.lists(st.sampled_from(range(len(groups))), max_size=9, unique=True))
    figures = [[k for k in cells if groups[g](k)] for g in shown]
    return cells, [f for f in figures if f]


def _read(cells: dict, figures: list) -> set:
    """The cells of 1 or 2 ratings the integer programs pin (a cell's sum is an unknown from
    1 to 5 times its ratings): one rating at any value, two at an end."""
    read = pinned(
        [([(k, "sum") for k in figure], sum(cells[k][0] for k in figure)) for figure in figures],
        lambda unknown: (cells[unknown[0]][1], 5 * cells[unknown[0]][1]),
    )
    return {
        key
        for (key, _name), value in read.items()
        if cells[key][1] == 1 or (cells[key][1] == 2 and value in (2, 10))
    }


@settings(max_examples=300, deadline=None)
@given(systems())
def test_the_exact_reader_agrees_with_the_integer_programs(system: tuple[dict, list]) -> None:
    cells, figures = system
    assert set(each_given_away(cells, figures, 1, 5, budget=10**6)) == _read(cells, figures)


def test_three_one_way_tables_pin_a_rating() -> None:
    """Dataset 72 of tests/test_bounded_averages.py, its ratings per (region, sex, workshop):
    W2 (21 over 5) less the women (15 over 4) plus Cusco (13 over 3) is 19, twice Cusco's
    man of W2 plus Puno's «no dice» of W2 and Cusco's man of W1 (5 at most each): twice his
    rating is 9 or more, so he rated 5. Read as real numbers, 4.5 would do: the bounds
    rules do not see it."""
    cells = {
        ("cusco", "male", 2): (5, 1),
        ("cusco", "male", 1): (4, 1),
        ("cusco", "female", 1): (4, 1),
        ("puno", "undisclosed", 1): (1, 1),
        ("piura", "female", 2): (3, 1),
        ("puno", "undisclosed", 2): (5, 1),
        ("piura", "male", 1): (5, 1),
        ("junin", "female", 2): (8, 2),
    }
    cusco = [k for k in cells if k[0] == "cusco"]
    women = [k for k in cells if k[1] == "female"]
    figures = [[k for k in cells if k[2] == w] for w in (1, 2)] + [cusco, women, list(cells)]
    assert set(each_given_away(cells, figures, 1, 5)) == {("cusco", "male", 2)}
    assert _read(cells, figures) == {("cusco", "male", 2)}
