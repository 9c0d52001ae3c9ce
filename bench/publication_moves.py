"""What indicator 8's search for people who moved costs (`publication_moves.moved_groups`): one
report's reading of every month's end since the first publication received, on SQLite.

    python -m bench.publication_moves [--people 10000] [--months 24] [--movers 20]

Seeds `--people` people registered before the first month, `--months` month ends of
`month_end_people` (one row per person each), `--movers` of them counted in another region
from the middle month on, and one publication received in the first month; then times
`moved_groups` as a year's report reads it: the year's reading (its last month's end), then
its four quarters', alone and as `build_report` reads them (`publication_moves.KEPT`: the
quarters filter the year's movers), wall and CPU seconds, and prints what it found.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bot.i18n import translator
from bot.services.indicators import publication_moves, query_for
from bot.services.indicators.common import Query
from bot.services.indicators.periods import Period
from bot.services.indicators.publication_moves import moved_groups
from bot.services.registered import month_ends
from storage.db import Database
from storage.migrate import upgrade
from storage.models import MonthEndPerson, Person, Publication, PublicationDelivery

LIMA = ZoneInfo("America/Lima")
REGIONS = ("puno", "cusco", "tacna", "piura", "lima")
SEXES = ("female", "male", "undisclosed", None)
FIRST = date(2025, 1, 1)
T = translator("es", LIMA)


async def _seed(db: Database, people: int, months: int, movers: int) -> date:
    """The rows above; the last month's end."""
    days = month_ends(FIRST, date(FIRST.year + (months // 12), months % 12 + 1, 1))[:months]
    long_ago = datetime(2024, 12, 1, tzinfo=LIMA)
    async with db.session() as session:
        await session.execute(
            insert(Person),
            [
                {"telegram_id": 1_000_000 + n, "full_name": "P", "region_code": REGIONS[n % 5],
                 "sex": SEXES[n % 4], "consent_at": long_ago, "registered_at": long_ago}
                for n in range(people)
            ],
        )  # fmt: skip
        publication = Publication(
            title="Guía", summary="Resumen", published_on=FIRST, filename="g.pdf",
            content=b"%PDF-1.4", size=8,
        )  # fmt: skip
        session.add(publication)
        await session.flush()
        session.add(
            PublicationDelivery(
                publication_id=publication.id, person_id=1, source="chat",
                delivered_at=datetime(FIRST.year, FIRST.month, 11, tzinfo=LIMA),
            )
        )  # fmt: skip
        for k, day in enumerate(days):
            await session.execute(
                insert(MonthEndPerson),
                [
                    {"day": day, "person_id": n + 1, "sex": SEXES[n % 4],
                     "region_code": REGIONS[(n + (n < movers and 2 * k >= months)) % 5]}
                    for n in range(people)
                ],
            )  # fmt: skip
        await session.commit()
    return days[-1]


async def main(people: int, months: int, movers: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'moves.sqlite3'}")
        await upgrade(db.engine)
        try:
            last = await _seed(db, people, months, movers)
            year = last.replace(month=1, day=1)
            ends = month_ends(year, last + timedelta(days=1))
            days = [last, *(day for day in ends if day.month % 3 == 0)]
            now = datetime.combine(last + timedelta(days=5), datetime.min.time(), LIMA)
            times = {}
            async with db.session() as session:
                q = await query_for(session, Period(year, last), None, T, now)
                for name, kept in (("alone", None), ("in a report", {})):
                    token = publication_moves.KEPT.set(kept)
                    try:
                        times[name] = [await _timed(q, day) for day in days]
                    finally:
                        publication_moves.KEPT.reset(token)
        finally:
            await db.dispose()
    print(f"{people:,} people, {months} month ends ({people * months:,} rows), {movers} moved")
    for name, readings in times.items():
        print(f"  {name}: the year, then its quarters")
        for day, wall, cpu, found in readings:
            print(f"    {day}: {wall * 1000:7.1f} ms wall, {cpu * 1000:7.1f} ms CPU, {found}")


async def _timed(q: Query, day: date) -> tuple[date, float, float, str]:
    wall, cpu = time.perf_counter(), time.process_time()
    regions, sexes = await moved_groups(q, day)
    found = f"regions {sorted(regions)}, sexes {sorted(map(str, sexes))}"
    return day, time.perf_counter() - wall, time.process_time() - cpu, found

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--movers", type=int, default=20)
    options = parser.parse_args()
    asyncio.run(main(options.people, options.months, options.movers))
