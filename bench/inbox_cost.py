"""The CPU that keeping updates in hand costs (bot/inbox.py): batches of updates written as
getUpdates brings them, each batch's handled updates deleted with the next, against reading
the same updates without it. Prints the process's CPU per update (the database server's own
not counted), for batches of 12 (a busy bot: bench.throughput's getUpdates brought about
that many) and of 1 (a quiet bot: each update alone).

    python -m bench.inbox_cost                      # a SQLite file in a temporary folder
    python -m bench.inbox_cost --postgres           # also a PostgreSQL started for it
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime
from typing import Any

from telegram import Update

from bench.databases import bench_urls
from bot.inbox import Inbox
from storage.db import Database
from storage.migrate import upgrade

TEXT = "¿qué deben declarar los inscritos en el reinfo? ley 32537"


def _message(update_id: int) -> dict[str, Any]:
    user = {"id": 1000 + update_id % 40, "is_bot": False, "first_name": "Ana"}
    chat = {"id": user["id"], "type": "private", "first_name": "Ana"}
    message = {"message_id": update_id, "date": 1, "chat": chat, "from": user, "text": TEXT}
    return {"update_id": update_id, "message": message}


def _read(first: int, size: int) -> tuple[list[dict[str, Any]], list[Update]]:
    raw = [_message(first + n) for n in range(size)]
    return raw, [Update.de_json(data, None) for data in raw]


async def measure(url: str, batches: int, size: int) -> float:
    """CPU ms per update that the inbox adds, in `batches` batches of `size`."""
    db = Database(url)
    try:
        await upgrade(db.engine)
        inbox = Inbox(db, lambda: datetime.now(UTC))
        first, previous = 1_000_000 * size, []
        started = time.process_time()
        for _ in range(batches):
            raw, updates = _read(first, size)
            first += size
            inbox.arrived(raw)
            for update in updates:
                inbox.keep(update)
            await inbox.settled()
            for update in previous:  # handled meanwhile: deleted with the next batch
                inbox.finished(update)
            previous = updates
        with_inbox = time.process_time() - started
        for update in previous:
            inbox.finished(update)
        await inbox.flush()
        started = time.process_time()
        for _ in range(batches):
            _read(first, size)
            first += size
        without = time.process_time() - started
    finally:
        await db.dispose()
    return 1000 * (with_inbox - without) / (batches * size)


async def _report(urls: dict[str, str], batches: int) -> None:
    for name, url in urls.items():
        for size in (12, 1):
            cost = await measure(url, batches, size)
            print(f"{name:<11} batches of {size:>2}: {cost:.3f} ms of CPU per update")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with bench_urls("inbox.db", args.postgres) as urls:
        asyncio.run(_report(urls, args.batches))


if __name__ == "__main__":
    main()
