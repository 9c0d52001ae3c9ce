"""The event loop thread's CPU per database session (storage/db.py `Database.session`), in
process: empty, with the person's read, with an update's claim and its end (a write and its
commit), and with its reply kept too (bot/owed_replies.py); each against the same session
closed as SQLAlchemy's `async with session, session.begin()` closes it (in a task of its own,
shielded), rounds alternated so that a busy machine moves both alike. Prints the median µs of
CPU per session of each.

    python -m bench.session_cost                 # a SQLite file in a temporary folder
    python -m bench.session_cost --postgres      # also a PostgreSQL started for it
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from itertools import count

from sqlalchemy.ext.asyncio import AsyncSession

from bench.databases import bench_urls
from storage.db import Database
from storage.migrate import upgrade
from storage.repositories import owed_replies, people, updates

# A reply as bot/owed_replies.py keeps it (`reply_data.payload_of`): a short text, one button.
REPLIES = '[{"text": "¿Desea continuar?", "markup": [[["Sí", "c:yes"]]]}]'
Opener = Callable[[], AbstractAsyncContextManager[AsyncSession]]
_keys = count()


async def _empty(_session: AsyncSession) -> None:
    return None


async def _read(session: AsyncSession) -> None:
    await people.get_with_form(session, 424242)


async def _claim(session: AsyncSession) -> None:
    key, now = f"{next(_keys)}:{'ab' * 16}", datetime.now(UTC)
    await updates.begin(session, 424242, key, now)
    await updates.end(session, key, now)


async def _owing(session: AsyncSession) -> None:
    """As an update that replies: the claim, its reply kept (bot/owed_replies.py), its end."""
    update_id = next(_keys)
    key, now = f"{update_id}:{'ab' * 16}", datetime.now(UTC)
    await updates.begin(session, 424242, key, now)
    await owed_replies.owe(
        session,
        update_id=update_id,
        telegram_id=424242,
        chat_id=424242,
        person_id=None,
        key=key,
        replies=REPLIES,
        replica="0123456789abcdef0123456789abcdef",
        at=now,
    )
    await updates.end(session, key, now)


WORK: dict[str, Callable[[AsyncSession], Awaitable[None]]] = {
    "empty": _empty,
    "the person's read": _read,
    "the claim and its end": _claim,
    "with an owed reply": _owing,
}


def _shielded(db: Database) -> Opener:
    """The session as SQLAlchemy's `async with` closes it (before f15d6d8 and after 4010828)."""

    @asynccontextmanager
    async def session() -> AsyncIterator[AsyncSession]:
        async with db._sessions() as opened, opened.begin():
            yield opened

    return session


async def _round(
    open_session: Opener, work: Callable[[AsyncSession], Awaitable[None]], n: int
) -> float:
    """µs of this thread's CPU per session, over `n` sessions one after the other."""
    started = time.thread_time()
    for _ in range(n):
        async with open_session() as session:
            await work(session)
    return 1e6 * (time.thread_time() - started) / n


async def _report(name: str, url: str, sessions: int, rounds: int) -> None:
    db = Database(url)
    try:
        await upgrade(db.engine)
        ways: dict[str, Opener] = {"in place": db.session, "shielded task": _shielded(db)}
        for label, work in WORK.items():
            for open_session in ways.values():  # warm: statements compiled, the pool filled
                await _round(open_session, work, 50)
            figures: dict[str, list[float]] = {way: [] for way in ways}
            for _ in range(rounds):
                for way, open_session in ways.items():
                    figures[way].append(await _round(open_session, work, sessions))
            medians = "  ".join(
                f"{way} {statistics.median(values):6.1f}" for way, values in figures.items()
            )
            print(f"{name:<10} {label:<22} µs of loop CPU per session: {medians}")
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2000, help="per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with bench_urls("sessions.db", args.postgres) as urls:
        for name, url in urls.items():
            asyncio.run(_report(name, url, args.sessions, args.rounds))


if __name__ == "__main__":
    main()
