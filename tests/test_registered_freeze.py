"""The months past frozen before a report (`registered.freeze_months`, /indicadores): each
month's counts and its people in a transaction of its own. In one transaction, the first
report on a database whose two years of months were never frozen wrote 150,000 rows of
`month_end_people` at once, on SQLite on the event loop's thread, and every reply waited
(#17). Split, each month must still be counted as its rows say, and the months frozen, their
counts and their people are those one transaction wrote."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, select

from bot.services.registered import freeze_months, history
from storage.db import Database
from storage.models import MonthEndPerson, Person

LIMA = ZoneInfo("America/Lima")
NOW = datetime(2026, 5, 20, 12, tzinfo=LIMA)  # /registrados reads 30 April
IDS = count(9300)
# (region, sex, registered at): four months' ends to freeze, January's to April's
PEOPLE = [
    *[("puno", "female", datetime(2026, 1, 10, 9, tzinfo=LIMA))] * 3,
    *[("cusco", "male", datetime(2026, 1, 31, 23, 30, tzinfo=LIMA))] * 2,  # Lima's 31 January
    ("puno", "male", datetime(2026, 2, 15, 9, tzinfo=LIMA)),
    *[("cusco", "female", datetime(2026, 3, 20, 9, tzinfo=LIMA))] * 2,
    ("tacna", "undisclosed", datetime(2026, 4, 5, 9, tzinfo=LIMA)),
    ("tacna", "female", datetime(2026, 5, 2, 9, tzinfo=LIMA)),  # after April's end: not yet
]
DAYS = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


def _expected(day: date) -> dict[str | None, dict[str | None, int]]:
    """Each region's people by sex registered by the end of `day` in Lima."""
    found: dict[str | None, dict[str | None, int]] = {}
    for region, sex, at in PEOPLE:
        if at.date() <= day:
            found.setdefault(region, {}).setdefault(sex, 0)
            found[region][sex] += 1
    return found


async def test_each_month_is_frozen_in_a_transaction_of_its_own(db: Database) -> None:
    async with db.session() as session:
        session.add_all(
            Person(
                telegram_id=next(IDS),
                full_name="Persona",
                region_code=region,
                sex=sex,
                consent_at=at,
                registered_at=at,
            )
            for region, sex, at in PEOPLE
        )
    steps: list[str] = []  # what reached the database, in order: a month's rows, a commit

    def executed(*args: Any) -> None:
        statement = str(args[2]).lstrip().upper()
        if statement.startswith("INSERT") and "MONTH_END_PEOPLE" in statement:
            steps.append("rows")

    def committed(*_: Any) -> None:
        steps.append("commit")

    engine = db.engine.sync_engine
    event.listen(engine, "after_cursor_execute", executed)
    event.listen(engine, "commit", committed)
    try:
        await freeze_months(db, NOW, LIMA)
        assert steps.count("rows") == len(DAYS)
        assert "rows,rows" not in ",".join(steps)  # a commit after every month's rows
        assert steps[-1] == "commit"
        steps.clear()
        await freeze_months(db, NOW, LIMA)  # nothing left to freeze
        assert "rows" not in steps
    finally:
        event.remove(engine, "after_cursor_execute", executed)
        event.remove(engine, "commit", committed)

    async with db.session() as session:
        snapshots = await history(session, NOW, LIMA, freeze=False)  # frozen: only read
        people = Counter(
            {
                (day, region, sex): n
                for day, region, sex, n in await session.execute(
                    select(
                        MonthEndPerson.day,
                        MonthEndPerson.region_code,
                        MonthEndPerson.sex,
                        func.count(),
                    ).group_by(MonthEndPerson.day, MonthEndPerson.region_code, MonthEndPerson.sex)
                )
            }
        )
    assert [s.day for s in snapshots] == DAYS
    for snapshot in snapshots:
        shown = {r: {s: n for s, n in row.items() if n} for r, row in snapshot.splits.items()}
        assert shown == _expected(snapshot.day)
    assert people == Counter(
        {
            (day, region, sex): n
            for day in DAYS
            for region, by_sex in _expected(day).items()
            for sex, n in by_sex.items()
        }
    )
