"""The small-cell tests' reader (`tests.derivation`): its quick look at the null space only
skips sets the brute-force rank test would not find, so both name the same people."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.derivation import pinned, pinned_slowly, singled_out, singled_out_slowly

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


# The bounds reader (`pinned`) on tiny systems: 5 people, a count (0 or 1) and a rating (1-3)
# each, a true value for each, and sums of some of them shown with their true values.
BOUNDED = [(person, variable) for person in range(5) for variable in ("count", "rating")]


def _range(unknown: tuple) -> tuple[int, int]:
    return (0, 1) if unknown[1] == "count" else (1, 3)


@st.composite
def bounded_systems(draw: st.DrawFn) -> list[tuple[frozenset, int]]:
    truth = {u: draw(st.integers(*_range(u))) for u in BOUNDED}
    sums = draw(st.lists(st.frozensets(st.sampled_from(BOUNDED), min_size=1), max_size=8))
    return [(chosen, sum(truth[u] for u in chosen)) for chosen in sums]


@settings(max_examples=150, deadline=None)
@given(bounded_systems())
def test_the_bounds_reader_finds_what_listing_every_solution_finds(figures: list) -> None:
    assert pinned(figures, _range) == pinned_slowly(figures, _range)


def test_hidden_groups_that_add_up_to_their_whole_are_each_given_away() -> None:
    """Indicator 8's attack: 8 reached of 11, Piura 1 of 4 and Puno 4 of 4 shown; the three
    hidden regions of one person each reached 3, so each was reached. Puno's four are known
    from their own figure at its end (4 of 4): the documented limit, not reported."""
    region = {0: "piura", 1: "piura", 2: "piura", 3: "piura", 4: "puno", 5: "puno"}
    region |= {6: "puno", 7: "puno", 8: "cusco", 9: "pasco", 10: "moquegua"}
    reached = {p: (p, "reached") for p in region}
    everyone = set(reached.values())
    piura = {reached[p] for p in region if region[p] == "piura"}
    puno = {reached[p] for p in region if region[p] == "puno"}
    figures = [(everyone, 8), (piura, 1), (puno, 4)]
    assert pinned(figures) == {(8, "reached"): 1, (9, "reached"): 1, (10, "reached"): 1}
    assert pinned(figures) == pinned_slowly(figures)
    assert singled_out([sums for sums, _value in figures]) is None  # no rank test sees it
    assert pinned([(everyone, 7), (piura, 1), (puno, 4)]) == {}  # 2 of 3: any two
    assert pinned([(everyone, 5), (piura, 1), (puno, 4)]) == {  # 0 of 3: none
        (8, "reached"): 0, (9, "reached"): 0, (10, "reached"): 0,
    }  # fmt: skip


def test_ratings_at_their_least_sum_are_given_away() -> None:
    """Three ratings of 1 to 5 that add up to 3 are each 1; a sum shown at its end is known
    openly (the documented limit), one derived so is not."""
    everyone = {(p, "rating") for p in range(5)}
    shown = {(3, "rating"), (4, "rating")}
    figures = [(everyone, 3 + 9), (shown, 9)]

    def rating(_u: tuple) -> tuple[int, int]:
        return (1, 5)

    assert pinned(figures, rating) == {(0, "rating"): 1, (1, "rating"): 1, (2, "rating"): 1}
    assert pinned([(everyone, 5)], rating) == {}  # shown at its least: told openly
    assert pinned([], rating) == {}


@st.composite
def ordered_systems(draw: st.DrawFn) -> tuple[list[tuple[frozenset, int]], list]:
    """`bounded_systems` whose counts keep some orders too (who rated attended: rated <=
    attended), true of the true values."""
    truth = {u: draw(st.integers(*_range(u))) for u in BOUNDED}
    counts = [u for u in BOUNDED if u[1] == "count"]
    pairs = draw(st.lists(st.tuples(st.sampled_from(counts), st.sampled_from(counts)), max_size=4))
    lowered = True
    while lowered:  # to a fixed point: a pair lowered later can break one met before it
        lowered = False
        for low, high in pairs:
            if truth[low] > truth[high]:
                truth[low], lowered = truth[high], True
    rules = [({low: 1.0, high: -1.0}, 0.0) for low, high in pairs if low != high]
    sums = draw(st.lists(st.frozensets(st.sampled_from(BOUNDED), min_size=1), max_size=8))
    return [(chosen, sum(truth[u] for u in chosen)) for chosen in sums], rules


@settings(max_examples=100, deadline=None)
@given(ordered_systems())
def test_the_bounds_reader_keeps_what_else_it_knows(system: tuple) -> None:
    figures, rules = system
    assert pinned(figures, _range, at_most=rules) == pinned_slowly(figures, _range, rules)


def test_who_rated_attended() -> None:
    """Two people: one of them attended (1), and one rated (1), and who rated attended: the
    same one, so each is known though no figure alone tells it."""
    attended = {(0, "count"), (1, "count")}
    rated = {(0, "rating"), (1, "rating")}
    ranges = lambda _u: (0, 1)  # noqa: E731
    rules = [({(p, "rating"): 1.0, (p, "count"): -1.0}, 0.0) for p in (0, 1)]
    figures = [(attended, 1), (rated, 1)]
    assert pinned(figures, ranges) == {}
    assert pinned(figures, ranges, at_most=rules) == {}  # either of them, both ways
    figures.append(({(0, "count")}, 1))  # shown at its end: told; the other did not attend,
    expected = {(1, "count"): 0, (0, "rating"): 1, (1, "rating"): 0}  # so did not rate
    assert pinned(figures, ranges, at_most=rules) == expected
