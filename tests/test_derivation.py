"""The small-cell tests' reader (`tests.derivation`): its quick look at the null space only
skips sets the brute-force rank test would not find, so both name the same people."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.derivation import singled_out, singled_out_slowly

UNKNOWNS = [(person, variable) for person in range(6) for variable in "abc"]

systems = st.lists(st.frozensets(st.sampled_from(UNKNOWNS), min_size=1), max_size=14)


@settings(max_examples=100, deadline=None)
@given(systems)
def test_the_quick_reader_finds_whom_the_brute_force_one_finds(known: list[frozenset]) -> None:
    assert singled_out(known) == singled_out_slowly(known)


def test_a_difference_of_two_sums_gives_away_the_one_person_between_them() -> None:
    everyone = {(p, "x") for p in range(5)}
    assert singled_out([everyone, everyone - {(3, "x")}]) == (3,)
    assert singled_out_slowly([everyone, everyone - {(3, "x")}]) == (3,)


def test_two_people_counted_only_together_are_given_away_as_a_pair() -> None:
    everyone = {(p, "x") for p in range(5)}
    known = [everyone, everyone - {(1, "x"), (4, "x")}]
    assert singled_out(known) == (1, 4)
    assert singled_out([everyone]) is None
    assert singled_out([]) is None
