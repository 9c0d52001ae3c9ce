"""The rule of registered people read at several dates (`registered_history`) on its own: a
/perfil move of one person, and a property test that no pair of dates shows a change of 1 or
2, nor leaves a change told by the hidden rows' sum."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.registered_history import hidden_over_time
from bot.services.small_cells import too_small

REGIONS = ("puno", "cusco", "piura", "tacna", "junin")


def test_a_move_of_sex_in_perfil_hides_its_region() -> None:
    """Cusco's one man who says he is a woman in /perfil: women 3 -> 4, men 4 -> 3, the total
    unchanged; shown at both dates, the move would tell whose sex changed."""
    before = {"cusco": [3, 4, 0, 0], "puno": [5, 5, 0, 0], "piura": [4, 3, 3, 0]}
    after = {**before, "cusco": [4, 3, 0, 0]}
    first, second = hidden_over_time([before, after])
    assert first == frozenset()
    assert "cusco" in second and len(second) >= 2, second


def test_a_sex_of_one_newcomer_is_hidden_with_another() -> None:
    """National men 3 -> 4 beside women 7 -> 7: men hidden alone would be the total less the
    women, so «Prefiero no decir» (0) goes with them."""
    before = {"female": [7], "male": [3], "undisclosed": [0], None: [0]}
    after = {**before, "male": [4]}
    assert hidden_over_time([before, after], totals_known=False)[1] == {"male", "undisclosed"}


growth = st.lists(
    st.fixed_dictionaries({region: st.tuples(*[st.integers(0, 4)] * 3) for region in REGIONS[:4]}),
    min_size=2,
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(growth, st.fixed_dictionaries({r: st.tuples(*[st.integers(0, 6)] * 3) for r in REGIONS}))
def test_no_pair_of_dates_tells_a_small_change(months: list, start: dict) -> None:
    """Random monthly registrations: between any two dates, no region shown at both changed by
    1 or 2 in a sex, and the regions hidden at either that changed are never just one whose
    change is small (their sum, from the totals, would be its change)."""
    tables = []
    current = {region: [*counts, 0] for region, counts in start.items()}
    tables.append({region: list(row) for region, row in current.items()})
    for month in months:
        for region, added in month.items():
            current[region] = [a + b for a, b in zip(current[region], [*added, 0], strict=True)]
        tables.append({region: list(row) for region, row in current.items()})
    hidden = hidden_over_time(tables)
    for j, k in combinations(range(len(tables)), 2):
        changes = {
            region: [a - b for a, b in zip(tables[k][region], tables[j][region], strict=True)]
            for region in REGIONS
        }
        for region, change in changes.items():
            if region not in hidden[j] | hidden[k] and any(tables[k][region]):
                assert not any(too_small(abs(n)) for n in change), (j, k, region, change)
        moved = [r for r in hidden[j] | hidden[k] if any(changes[r])]
        if len(moved) == 1 and any(too_small(abs(n)) for n in changes[moved[0]]):
            # Only where no other region changed at all: the national sexes hide it then.
            others = [r for r in REGIONS if r not in moved and any(changes[r])]
            assert not others, (j, k, moved, changes)
