"""`bot.services.exact_parts` (the exact reader in parts, for indicator 3's reports past
`training_exact.MOST_CELLS` cells) pins every cell the integer programs of the tests
(`tests.derivation.pinned`) pin over the whole system, whatever the parts' size: a move
found in a part is one of the whole, so it reads more cells as pinned, never fewer; parts
as large as the whole read it exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services import exact_parts
from bot.services.exact_cells import Moved
from bot.services.integer_moves import OutOfTime
from tests.test_exact_cells import _read, systems
from tests.test_exact_scale import quarter


@settings(max_examples=300, deadline=None)
@given(systems(), st.integers(min_value=1, max_value=6))
def test_parts_pin_every_cell_the_whole_pins(system: tuple[dict, list], size: int) -> None:
    cells, figures = system
    whole = _read(cells, figures)
    assert set(exact_parts.each_given_away(cells, figures, 1, 5, size, Moved())) >= whole
    assert set(exact_parts.each_given_away(cells, figures, 1, 5, len(cells), Moved())) == whole


def test_past_the_safety_net_the_parts_give_no_partial_answer() -> None:
    """Past `Moved.deadline` (the safety net's wall clock) the parts raise `OutOfTime`, as the
    integer programs do, and `training_exact` hides everything the check covers; they once
    stopped reading and counted every cell left as pinned: a partial answer that hung on
    the machine's load (a quiet moment's download could complete it)."""
    raters = quarter(1)
    cells: dict = {}
    for region, sex, workshop, score in raters:
        total, n = cells.get((region, sex, workshop), (0, 0))
        cells[(region, sex, workshop)] = (total + score, n + 1)
    figures = [[k for k in cells if k[2] == w] for w in {k[2] for k in cells}] + [list(cells)]
    assert list(exact_parts.each_given_away(cells, figures, 1, 5, 20, Moved())) == []
    with pytest.raises(OutOfTime):
        list(exact_parts.each_given_away(cells, figures, 1, 5, 20, Moved(seconds=-1.0)))
