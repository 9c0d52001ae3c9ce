"""A broadcast to thousands through the local Bot API server enforcing Telegram's limits.

    python -m bench.broadcast [--people 3000] [--no-kill]

Minka runs as a real process (`python -m bot run`) against the in-process server, which
answers 429 beyond 30 messages per second overall, as the issue specifies. While the
broadcast runs, one person keeps asking a question and we time Minka's reply. Printed: the
achieved rate as a share of the limit, 429s, messages lost and duplicated, reply p50/p99.
A second run kills Minka with SIGKILL half way and starts it again.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import insert

from bot.local_api import LocalBotApi
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Person
from storage.repositories import broadcasts
from storage.types import utcnow

TOKEN = "555000111:BENCHbenchBENCHbenchBENCHbench1234"
LIMIT = 30.0
TEXT = "Recordatorio: la reunión de coordinación es mañana a las 10:00."
ASKER = 99_000_001
FIRST_ID = 10_000_000
ASK_EVERY = 2.0  # seconds between questions: a person reads the answer before asking again


async def seed(url: str, api: LocalBotApi, count: int) -> None:
    db = Database(url)
    await upgrade(db.engine)
    now = utcnow()
    rows = [
        {
            "telegram_id": FIRST_ID + n,
            "telegram_name": f"Persona {n}",
            "full_name": f"Persona {n}",
            "region_code": "puno",
            "role": "official",
            "locale": "es",
            "consent_at": now,
            "registered_at": now,
            "active": True,
            "created_at": now,
        }
        for n in range(count)
    ]
    rows.append({**rows[0], "telegram_id": ASKER, "full_name": "Quien pregunta"})
    async with db.session() as session:
        await session.execute(insert(Person), rows)
    async with db.session() as session:
        from sqlalchemy import select

        ids = list(await session.scalars(select(Person.id).where(Person.telegram_id != ASKER)))
        await broadcasts.create(
            session, text=TEXT, audience={}, scheduled_at=now, person_ids=ids, created_by=None
        )
    await db.dispose()
    for n in range(count):
        api.add_user(FIRST_ID + n, f"Persona {n}")
        api.open_chat(FIRST_ID + n)
    api.add_user(ASKER, "Quien")


def start_minka(url: str, api: LocalBotApi, log: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        DATABASE_URL=url,
        OUTBOX_INTERVAL_SECONDS="0.5",
    )
    return asyncio.create_subprocess_exec(  # type: ignore[return-value]
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        stdout=log.open("ab"),
        stderr=asyncio.subprocess.STDOUT,
    )


def delivered(api: LocalBotApi) -> Counter[int]:
    return Counter(e.chat_id for e in api.events if e.text == TEXT and e.chat_id != ASKER)


async def ask_while_sending(api: LocalBotApi, done: asyncio.Event, latencies: list[float]) -> None:
    """One official keeps asking (every ASK_EVERY s); we time the first reply to each."""
    while not done.is_set():
        api.drain(ASKER)
        started = time.perf_counter()
        await api.send_message(ASKER, "que es el reinfo")
        try:
            await api.next_event(ASKER, timeout=20)
            latencies.append(time.perf_counter() - started)
        except TimeoutError:
            latencies.append(20.0)
        await asyncio.sleep(ASK_EVERY)


async def run(people: int, kill: bool, workdir: Path) -> dict[str, float]:
    url = f"sqlite+aiosqlite:///{workdir / ('kill' if kill else 'plain')}.sqlite3"
    log = workdir / "minka.log"
    async with LocalBotApi(token=TOKEN, bot_username="minka_bench_bot") as api:
        await seed(url, api, people)
        api.rate_limit(LIMIT, None)
        process = await start_minka(url, api, log)
        done = asyncio.Event()
        latencies: list[float] = []
        asker = asyncio.create_task(ask_while_sending(api, done, latencies))
        started = time.perf_counter()
        first_copy: float | None = None
        killed = False
        stalled_since = time.perf_counter()
        last = 0
        while True:
            await asyncio.sleep(0.25)
            count = len(delivered(api))
            if count and first_copy is None:
                first_copy = time.perf_counter()
            if count != last:
                last, stalled_since = count, time.perf_counter()
            if kill and not killed and count >= people // 2:
                process.send_signal(signal.SIGKILL)
                await process.wait()
                killed = True
                process = await start_minka(url, api, log)
            if count >= people or time.perf_counter() - stalled_since > 150:
                break
        finished = stalled_since  # when the last copy arrived
        elapsed = time.perf_counter() - started
        done.set()
        await asker
        process.send_signal(signal.SIGTERM)
        await process.wait()
        copies = delivered(api)
        sending = max(finished - (first_copy or started), 1e-9)
        return {
            "people": people,
            "delivered": len(copies),
            "lost": people - len(copies),
            "duplicated": sum(n - 1 for n in copies.values() if n > 1),
            "throttled": api.throttled,
            "rate": len(copies) / sending,
            "elapsed": elapsed,
            "p50": statistics.median(latencies) if latencies else float("nan"),
            "p99": sorted(latencies)[max(0, int(len(latencies) * 0.99) - 1)]
            if latencies
            else float("nan"),
            "questions": len(latencies),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Difusión masiva bajo los límites de Telegram")
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--no-kill", action="store_true", help="omite la corrida con kill -9")
    parser.add_argument("--only-kill", action="store_true", help="solo la corrida con kill -9")
    parser.add_argument("--log", metavar="DIR", help="carpeta para la base y el registro de Minka")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="minka-bench-") as tmp:
        tmp = args.log or tmp
        runs = [] if args.only_kill else [("normal", False)]
        runs += [] if args.no_kill else [("kill -9 at 50 %", True)]
        print(
            f"Broadcast to {args.people} people; server limit {LIMIT:.0f} msg/s overall "
            "(429 beyond it)"
        )
        print(
            f"{'run':<18}{'rate':>8}{'of limit':>10}{'429s':>7}{'lost':>6}{'dup':>5}"
            f"{'reply p50':>11}{'p99':>8}{'time':>8}"
        )
        for name, kill in runs:
            r = asyncio.run(run(args.people, kill, Path(tmp)))
            print(
                f"{name:<18}{r['rate']:>6.1f}/s{r['rate'] / LIMIT:>10.0%}{r['throttled']:>7.0f}"
                f"{r['lost']:>6.0f}{r['duplicated']:>5.0f}{r['p50']:>10.2f}s{r['p99']:>7.2f}s"
                f"{r['elapsed']:>7.0f}s"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
