"""The indicator report built in a worker process (bot/workers.py), not on the bot's event loop.

Its queries, the rows they bring and the small-cell rules took 2-3 s of the event loop's CPU
for a year of 10,000 people, in stretches of 100-300 ms between two awaits (on a loaded
2-core machine): every reply meanwhile waited for them (bench.broadcast, while a workbook was
built). In a worker the report only shares the CPU, at a lower priority. The worker opens its
own connection to the same database (a file or a server: an in-memory database is the bot's
alone, `Database.shareable`) and reads the whole report in one transaction, as the bot did.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

from bot import workers
from bot.i18n import Translator
from bot.services.indicators import Report, build_report
from bot.services.indicators.periods import Period
from storage.db import Database, Timeouts

# A worker's event loop and its database, kept from one report to the next.
_loops: list[asyncio.AbstractEventLoop] = []
_databases: dict[tuple[str, Timeouts], Database] = {}


def build(
    url: str,
    timeouts: Timeouts,
    period: Period,
    region: str | None,
    t: Translator,
    now: datetime,
    until: float | None = None,
) -> Report:
    """In the worker: `build_report`, its progress told to the bot (`workers.progress`);
    `until`: the bot's `time.monotonic()` past which the exact check reads no more (the
    clock is the machine's, the same in every process)."""
    if not _loops:
        _loops.append(asyncio.new_event_loop())
    database = _databases.get((url, timeouts))
    if database is None:  # one at a time: workers outlive a bot (the tests start many)
        for old in _databases.values():
            with contextlib.suppress(Exception):  # one gone meanwhile must not fail this report
                _loops[0].run_until_complete(old.dispose())
        _databases.clear()
        database = _databases[(url, timeouts)] = Database(url, timeouts, pool_size=1)

    async def progress(done: int, total: int) -> None:
        workers.progress(done, total)

    async def report() -> Report:
        async with database.session() as session:
            return await build_report(
                session,
                *(period, region, t, now),
                progress=progress,
                until=until,
            )

    return _loops[0].run_until_complete(report())
