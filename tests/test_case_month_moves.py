"""`case_month_moves.Moves` (indicator 4's months: whether hidden sums of supported cases stay
unpinned) agrees with a reader that lists every whole-number table the figures allow: for
random region × sex × month cells, margins of cases, sums of supported shown and hidden, a
hidden sum is free by `Moves` exactly when two of the tables give it two values. Both ways
matter: a sum the reader pins must never pass as free (the safe side), and one it does not
pin should not be hidden for nothing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.indicators.case_month_moves import Moves

Cell = tuple[str, str, int]
REGIONS, SEXES, MONTHS = ("puno", "cusco"), ("female", "male"), (0, 1)
CELLS: list[Cell] = list(product(REGIONS, SEXES, MONTHS))
# The figures of the reports, each a sum of cells: a region, a sex, a region's sex, a
# region's month, a month, the total.
FIGURES = [
    *(frozenset(c for c in CELLS if c[0] == r) for r in REGIONS),
    *(frozenset(c for c in CELLS if c[1] == s) for s in SEXES),
    *(frozenset(c for c in CELLS if c[:2] == (r, s)) for r, s in product(REGIONS, SEXES)),
    *(frozenset(c for c in CELLS if (c[0], c[2]) == (r, m)) for r, m in product(REGIONS, MONTHS)),
    *(frozenset(c for c in CELLS if c[2] == m) for m in MONTHS),
    frozenset(CELLS),
]
MARGINS = [f for f in FIGURES if len({c[0] for c in f}) == 1 and len(f) == 2]  # cases'


@st.composite
def readings(draw: st.DrawFn) -> tuple[dict[Cell, tuple[int, int]], list, list]:
    cells = {}
    for cell in CELLS:
        cases = draw(st.integers(0, 2))
        cells[cell] = (cases, draw(st.integers(0, cases)))
    shown = draw(st.lists(st.sampled_from(FIGURES), unique=True))
    hidden = [f for f in FIGURES if f not in shown]
    hidden = draw(st.lists(st.sampled_from(hidden), unique=True, min_size=1)) if hidden else []
    return cells, shown, hidden


def _tables(cells: Mapping[Cell, tuple[int, int]], shown: list) -> Iterator[dict[Cell, int]]:
    """Every table of supported (with some cases behind it) the reader cannot tell from the
    true one: each margin's cases and each figure shown as they are."""
    ranges = [range(min(sum(cells[c][0] for c in m) for m in MARGINS if cell in m) + 1)
              for cell in CELLS]  # fmt: skip
    for cases in product(*ranges):
        n = dict(zip(CELLS, cases, strict=True))
        if any(sum(n[c] for c in m) != sum(cells[c][0] for c in m) for m in MARGINS):
            continue
        for supported in product(*(range(n[c] + 1) for c in CELLS)):
            s = dict(zip(CELLS, supported, strict=True))
            if all(sum(s[c] for c in f) == sum(cells[c][1] for c in f) for f in shown):
                yield s


@settings(max_examples=150, deadline=None)
@given(readings())
def test_a_hidden_sum_is_free_exactly_when_the_reader_cannot_pin_it(reading: tuple) -> None:
    cells, shown, hidden = reading
    values: dict[frozenset, set[int]] = {f: set() for f in hidden}
    for table in _tables(cells, shown):
        for f in hidden:
            values[f].add(sum(table[c] for c in f))
    free = all(len(found) > 1 for found in values.values())
    assert Moves(cells, MARGINS).all_free(shown, hidden) == free


def test_a_lone_case_of_a_month_is_pinned_by_the_months() -> None:
    """Puno's one case of April, supported, beside Cusco's two and the months shown: April
    less Cusco's April is Puno's (session 19's leak, 2eeb329: a hidden region's supported
    from the national months less the regions shown)."""
    cells = {c: (0, 0) for c in CELLS}
    cells["puno", "female", 0] = (1, 1)
    cells["cusco", "male", 0] = (2, 1)
    cusco_april = frozenset(c for c in CELLS if (c[0], c[2]) == ("cusco", 0))
    april = frozenset(c for c in CELLS if c[2] == 0)
    puno = frozenset(c for c in CELLS if c[0] == "puno")
    moves = Moves(cells, MARGINS)
    assert moves.all_free([cusco_april], [puno])
    assert not moves.all_free([cusco_april, april], [puno])
