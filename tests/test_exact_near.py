"""`bot.services.exact_near`: the integer programs of `exact_cells` over the cells around a
cell, before the whole system's, and a single push of them all past `exact_near.SIZES[-1]`
cells. A move found around a cell keeps every figure of the whole (the cells left out do not
move), so reading there first frees only what is free and pins nothing: on small systems,
with every threshold brought down so that every path runs (programs pushed from the first
cell, neighbourhoods of 2 and 4 cells, no search of its own), the reader still agrees with
the tests' integer programs (`tests.derivation.pinned`)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from bot.services import exact_cells, exact_near
from bot.services.exact_cells import Moved, each_given_away
from tests.test_exact_cells import _read, systems


@settings(max_examples=300, deadline=None)
@given(systems())
def test_programs_around_a_cell_agree_with_the_integer_programs(
    system: tuple[dict, list],
) -> None:
    cells, figures = system
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exact_cells, "PUSHED", 0)  # programs push from the first cell
        patch.setattr(exact_cells, "LINKED", 0)  # every cell's move by the programs
        patch.setattr(exact_near, "SIZES", (2, 4))  # around it first; one push past 4
        read = set(each_given_away(cells, figures, 1, 5, moved=Moved(programs=10**6)))
    assert read == _read(cells, figures)


def test_around_takes_the_smallest_figures_first() -> None:
    """The cells of a cell's smallest figure come before those of a larger one, and a
    figure larger than the size asked for (the total) is left out."""
    cells = [("a", 1), ("a", 2), ("b", 1), ("b", 2), ("c", 1)]
    figures = sorted([[("a", 1), ("a", 2)], [("a", 1), ("b", 1), ("c", 1)], cells], key=len)
    of: dict = {}
    for index, figure in enumerate(figures):
        for key in figure:
            of.setdefault(key, []).append(index)
    assert exact_near.around(("a", 1), of, figures, 2) == [("a", 1), ("a", 2)]
    assert exact_near.around(("a", 1), of, figures, 4) == [("a", 1), ("a", 2), ("b", 1), ("c", 1)]
    assert ("b", 2) not in exact_near.around(("a", 1), of, figures, 4)
