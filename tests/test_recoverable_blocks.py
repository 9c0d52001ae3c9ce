"""The exact check split into the blocks its sums link (`recoverable`) answers as the check on
the whole matrix at once (`_recoverable`): the split only saves time, a year's report whose
total is hidden and each quarter's being one block per workshop."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.recoverable import _recoverable, recoverable, workshop_sums
from bot.services.small_cells import Hidden

PEOPLE = 7
CLASSES = 8


@st.composite
def systems(draw: st.DrawFn) -> tuple[list[tuple[int, int]], list[set[int]]]:
    """People rating in a few classes each, and sums over a few classes: often several
    blocks, people rating in more than one, classes of 1 or 2 people, classes in no sum."""
    ratings = sorted(
        draw(
            st.sets(
                st.tuples(st.integers(0, PEOPLE - 1), st.integers(0, CLASSES - 1)),
                max_size=20,
            )
        )
    )
    known = draw(st.lists(st.sets(st.integers(0, CLASSES - 1), min_size=1, max_size=3), max_size=8))
    return ratings, known


@settings(max_examples=400, deadline=None)
@given(systems())
def test_the_blocks_answer_as_the_whole(system: tuple[list[tuple[int, int]], list[set[int]]]):
    ratings, known = system
    assert recoverable(ratings, known) == _recoverable(ratings, known)


def test_blocks_are_found_on_their_own():
    """Two workshops that no sum links: the second gives away person 5 (its sum and its
    sum less persons 3 and 4), the first gives away nobody; and the pair of the second
    workshop's people alone in their classes is found across the blocks' split."""
    ratings = [(0, "a"), (1, "a"), (2, "a"), (3, "b"), (4, "b"), (5, "c")]
    known = [{"a"}, {"b", "c"}, {"b"}]
    assert recoverable(ratings, known) and _recoverable(ratings, known)
    assert not recoverable(ratings, [{"a"}, {"b", "c"}])
    pairs = [(0, "p"), (1, "q"), (2, "r"), (2, "s"), (3, "s"), (4, "s")]
    known = [{"p", "q"}, {"r", "s"}, {"s"}]
    assert recoverable(pairs, known) == _recoverable(pairs, known)


def test_a_workshop_report_with_its_total_hidden():
    """The sums indicator 3's check reads, with the total hidden (one block per workshop) and
    shown (one block): the same answer split or whole, and the workshops' blocks do split."""
    ratings = [
        (person, region, sex, workshop, region == "puno")
        for person, (region, sex, workshops) in enumerate(
            [
                ("puno", "f", (1, 2)),
                ("puno", "m", (1,)),
                ("cusco", "f", (1, 3)),
                ("cusco", "m", (2, 3)),
                ("lima", "f", (2, 3)),
                ("lima", "m", (3,)),
                ("puno", "f", (2,)),
                ("cusco", "f", (1,)),
            ]
        )
        for workshop in workshops
    ]
    # One workshop, three women and a man of Puno: his rating is safe only while the
    # report's figures by sex are not all shown.
    alone = [(10 + n, "puno", "f", 4, True) for n in range(3)] + [(13, "puno", "m", 4, True)]
    answers = set()
    for example in (ratings, alone):
        for total in (False, True):
            for rows in (frozenset(), frozenset({"puno"})):
                classes, known = workshop_sums(example, Hidden(rows, frozenset(), total), {3})
                answers.add(recoverable(classes, known))
                assert recoverable(classes, known) == _recoverable(classes, known)
    assert answers == {True, False}, "both answers are exercised"
