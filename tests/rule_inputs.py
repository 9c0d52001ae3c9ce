"""The pure small-cell rules' inputs (one row per invitation, rating, responsibility or
visit participant) drawn from the random union datasets of tests/test_union_random.py, and
the same rows in other orders, for the tests that the rules hide the same figures whatever
order their rows come in (tests/test_meeting_rule_order.py, tests/test_recoverable_order.py):
a database returns rows in no fixed order, and sets iterate by hash."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import TypeVar

from bot.services.indicators.meeting_rule import Invitation
from bot.services.indicators.row_rule import Responsibility
from bot.services.indicators.training_rule import Rating
from tests.test_union_random import Dataset

T = TypeVar("T")
SEEDS = (*range(7), 13, 25, 26, 33, 41, 43)  # test_union_random's seeds
EXTRA_MEETINGS = ("X0", "X1", "X2")


def orders(rows: Sequence[T], count: int, seed: int = 41) -> Iterator[list[T]]:
    """`rows` in `count` shuffled orders (the same ones in every run)."""
    rng = random.Random(seed)
    items = list(rows)
    for _ in range(count):
        rng.shuffle(items)
        yield list(items)


def invitations(data: Dataset, seed: int) -> list[Invitation]:
    """Each meeting's invitations, and up to 8 people invited once more, to one of three
    more meetings: a person invited several times is where the rule's graphs differ from
    `small_cells`' (an edge to EXCESS)."""
    rows = [(p, m, *data.people[p]) for m, people in data.meetings.items() for p in people]
    rng = random.Random(seed)
    again = rng.sample(sorted(data.people), min(8, len(data.people)))
    return rows + [(p, rng.choice(EXTRA_MEETINGS), *data.people[p]) for p in again]


def ratings(data: Dataset, scope: str | None) -> list[Rating]:
    """(person, region, sex, workshop, in scope) per rating; `scope`: a region's report."""
    return [
        (p, *data.people[p], w, scope is None or data.people[p][0] == scope)
        for w, people in data.workshops.items()
        for p in people
    ]


def responsibilities(data: Dataset) -> list[Responsibility]:
    """(row, region, person): meetings and workshops as the rows of a table."""
    units = {**data.meetings, **data.workshops}
    return [(row, data.people[p][0], p) for row, people in units.items() for p in people]


def visit_people(data: Dataset) -> list[tuple[str, str | None, set[str]]]:
    """(region, sex, marks) per person invited to the study visit (`visits.visit_cells`)."""
    found = []
    for p in data.groups["visit_invited"]:
        marks = {"invited"}
        marks |= {"accepted"} if p in data.groups["visit_accepted"] else set()
        marks |= {"travelled"} if p in data.groups["visit_travelled"] else set()
        if p in data.leaders:
            marks |= {f"leader_{key}" for key in set(marks)}
        found.append((*data.people[p], marks))
    return found
