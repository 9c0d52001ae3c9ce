"""Indicator 1's rule (`meeting_rule.meeting_hides`) hides the same figures whatever order
the invitations come in. They come from a query with no order (PostgreSQL returns a table's
rows as its plan and its pages have them: an invitation answered is a row rewritten), and
the graphs' cut found first decided which meeting of a region was hidden next: two
downloads of one report could differ, and a coordinator could put the two together (as
tests/test_small_cells_order.py for `small_cells`)."""

from __future__ import annotations

import random

import pytest

from bot.services.indicators import build_report
from bot.services.indicators.meeting_rule import meeting_hides
from bot.services.indicators.periods import Period
from storage.db import Database
from storage.migrate import upgrade
from tests import templates
from tests.helpers import CHECKED_AT
from tests.rule_inputs import invitations, orders
from tests.test_period_disclosure import T
from tests.test_recoverable_order import canonical
from tests.test_union_random import Dataset, installed
from tests.union_dataset import seed_database

R, S = "Reunión de unión", "Segunda reunión"
# Reduced from union seed 4 with people invited twice: Piura's part of R (three people,
# one light cut away from S's) was hidden in 7 of 12 orders and shown in the other 5.
INVITATIONS = [
    ("c1", "X2", "cusco", "female"),
    ("c2", R, "cusco", "female"),
    ("c3", S, "cusco", "female"),
    ("p1", R, "piura", None),
    ("p2", S, "piura", "female"),
    ("p3", S, "piura", "male"),
    ("p4", S, "piura", "undisclosed"),
    ("p4", "X1", "piura", "undisclosed"),
    ("p5", R, "piura", "undisclosed"),
    ("p6", R, "piura", "undisclosed"),
    ("t1", R, "tacna", "male"),
    ("t2", S, "tacna", "male"),
    ("t3", S, "tacna", "male"),
    ("t4", S, "tacna", "undisclosed"),
]


def test_meeting_hides_is_the_same_in_any_order() -> None:
    """Failed before the fix: two different sets of (meeting, region) hidden over 12 orders."""
    found = {meeting_hides(rows) for rows in orders(INVITATIONS, 12)}
    assert len(found) == 1
    (hides,) = found
    assert hides == meeting_hides(sorted(INVITATIONS, key=repr))
    # It hides something, and more than the cells of 1 or 2 people (the cuts decide that).
    small = {("X1", "piura"), ("X2", "cusco"), (R, "cusco"), (R, "tacna"), (S, "cusco")}
    assert small < hides.in_region
    assert {R, "X1", "X2"} <= hides.meetings


@pytest.mark.parametrize("seed", [4, 6, 9])
def test_random_unions_hide_the_same_in_any_order(seed: int) -> None:
    """Union seeds whose invitations (with some people invited twice) hid different
    meetings of a region by the order of the rows, before the fix."""
    rows = invitations(Dataset(seed), seed)
    found = {meeting_hides(shuffled) for shuffled in orders(rows, 8, seed)}
    assert found == {meeting_hides(rows)}
    (hides,) = found
    assert hides.in_region and hides.meetings


def _stored(seed: int, order: int) -> Dataset:
    """Union seed `seed` with 8 people invited to both meetings, its people, invitations and
    groups listed (so stored, and read back by a query with no order) in order `order`."""
    data = Dataset(seed)
    rng = random.Random(7)
    first, second = data.meetings
    for name in rng.sample(sorted(data.people), 8):
        title = second if name in data.meetings[first] else first
        data.meetings[title].append(name)
        if name not in data.groups["invitees"]:
            data.groups["invitees"].append(name)
    rng = random.Random(order)
    if order:
        people = list(data.people.items())
        rng.shuffle(people)
        data.people = dict(people)
        for names in [*data.meetings.values(), data.groups["invitees"], data.leaders]:
            rng.shuffle(names)
    return data


async def _reports(db: Database, data: Dataset) -> list[str]:
    found = []
    with installed(data):
        await seed_database(db)
        for scope in (None, "puno"):
            async with db.session() as session:
                report = await build_report(session, Period.quarter(2026, 2), scope, T, CHECKED_AT)
            found += [canonical((i.headlines, i.tables)) for i in report.indicators]
    return found


async def test_two_downloads_agree_whatever_order_the_rows_are_stored_in(
    db: Database, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Union seed 3, stored in two orders (two databases): before the fix Puno's own report
    showed «Reunión de unión»'s answers (4 invited, 2 confirmed, 1 attended) from one and
    hid them in the other; the national report and Puno's now agree to the last figure."""
    other = tmp_path_factory.mktemp("stored") / "minka.sqlite3"
    await templates.copy_sqlite(other, tmp_path_factory.getbasetemp())
    second = Database(f"sqlite+aiosqlite:///{other}")
    await upgrade(second.engine)
    try:
        first = await _reports(db, _stored(3, 0))
        assert first == await _reports(second, _stored(3, 1))
    finally:
        await second.dispose()
    assert any("Reunión de unión" in text for text in first)
