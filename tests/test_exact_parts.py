"""`bot.services.exact_parts` (the exact reader in parts, for indicator 3's reports past
`training_exact.MOST_CELLS` cells) pins every cell the integer programs of the tests
(`tests.derivation.pinned`) pin over the whole system, whatever the parts' size: a move
found in a part is one of the whole, so it reads more cells as pinned, never fewer; parts
as large as the whole read it exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services import exact_parts
from bot.services.exact_cells import Moved
from tests.test_exact_cells import _read, systems


@settings(max_examples=300, deadline=None)
@given(systems(), st.integers(min_value=1, max_value=6))
def test_parts_pin_every_cell_the_whole_pins(system: tuple[dict, list], size: int) -> None:
    cells, figures = system
    whole = _read(cells, figures)
    assert set(exact_parts.each_given_away(cells, figures, 1, 5, size, Moved())) >= whole
    assert set(exact_parts.each_given_away(cells, figures, 1, 5, len(cells), Moved())) == whole
