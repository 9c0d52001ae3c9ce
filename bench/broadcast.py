"""A broadcast to thousands, created through the running bot, beside people asking questions.

    python -m bench.broadcast [--people 10000] [--users 40] [--rate 10] [--instant-rate 15]
        [--workbooks 3] [--workbook-delay 0] [--no-postgres] [--no-sqlite] [--no-kill]
        [--only-kill] [--log DIR] [--cut SECONDS]

The database holds a programme of `--people` people (`bench.seed_indicators`: workshops,
meetings, cases, Tool Kit use), every one of them registered and reachable; on PostgreSQL it is
a copy of the same data (`bench.postgres_copy`). Minka runs as a real process (`python -m bot
run`) against the in-process Bot API server, which answers 429 beyond 30 messages per second
overall, as Telegram does. `--users` people ask Tool Kit questions at a steady `--rate` per
second from start to end (each waits for the answer before asking again), and one coordinator
sends `/difundir` to everyone registered, step by step, as in the chat; when they press
«Enviar» (or `--workbook-delay` seconds later), a second coordinator asks `/indicadores` for
the year, all regions (summary, charts and the workbook), `--workbooks` times in a row.

Printed per run: the broadcast's delivery (rate, 429s, copies lost and duplicated), how long
it took from «Enviar» to the last copy, and the reply latency of the people asking (from
sending the question to Minka's "update handled", as bench.throughput) in each phase:
before the broadcast, (a) while its copies are written (its outbox rows), (a') the second
after «Enviar», with questions at `--instant-rate` (`bench.broadcast_instant`), (b) while the
copies are sent, (c) while a workbook is built; beside issue #17's goal. A question counts in
every phase that was going on when it was sent (`bench.broadcast_report`). Then, per run, the
load average (the box may be shared), Minka's own time for the coordinators' steps and its
garbage collections over 50 ms, its stalls (and what its loop's thread did meanwhile) and the
updates it logged as slow from «Enviar» on, the slowest with what they waited for (the write
turn, commits, the WAL's fdatasync, the send). The kill run kills Minka with SIGKILL half way
through the sending and starts it again (the questions sent meanwhile are a phase of their own).
`--cut` stops following the sending that many seconds after «Enviar» (the copies left are not
counted as lost: «nan»), for phases (a) and (c) alone in a few minutes instead of ten.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, insert, select

from bench import postgres_copy, seed_indicators
from bench.bot_process import start
from bench.broadcast_instant import WRITTEN, Instant
from bench.broadcast_report import LIMIT, LIMITED, PHASES, latencies, report
from bench.load import Actor, steady
from bench.observe import Completions
from bench.officials import QUESTIONS, official
from bot.config import Settings
from bot.local_api import BotEvent, LocalBotApi
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Person
from storage.types import utcnow
from tests.chat import Person as Chatter

TOKEN = "555000111:BENCHbenchBENCHbenchBENCHbench1234"
TEXT = "Recordatorio: la reunión de coordinación es mañana a las 10:00."
STALLED = 150.0  # seconds without a new copy: the run is given up
# A report's next message may come after all its small-cell checks (REPORT_SECONDS, 300 s by
# default; its worker at nice 10) and then its charts and workbook: waiting 300 s, the bench
# gave up on a report that was keeping the bot's own limit (load 13-27, --people 2000).
REPORT_WAIT = Settings.model_fields["report_seconds"].default + 300.0


async def seed(path: Path, people: int) -> list[int]:
    """The programme's data for `people` (SQLite file at `path`), topped up so that exactly
    `people` are registered and reachable; their Telegram ids, in order."""
    database = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(database.engine)
    await database.dispose()
    seed_indicators.seed(path, people)
    with sqlite3.connect(path) as connection:  # nobody is owed a survey, reminder or result
        connection.execute(
            "UPDATE workshops SET reminders_sent_at = coalesce(reminders_sent_at, ends_at),"
            " results_sent_at = coalesce(results_sent_at, ends_at),"
            " surveys_sent_at = coalesce(surveys_sent_at, ends_at)"
        )
    database = Database(f"sqlite+aiosqlite:///{path}")
    reachable = (
        Person.telegram_id.is_not(None), Person.registered_at.is_not(None), Person.active
    )  # fmt: skip
    try:
        async with database.session() as session:
            count = await session.scalar(select(func.count(Person.id)).where(*reachable))
            last = await session.scalar(select(func.max(Person.telegram_id)))
            now = utcnow()
            extra = [official(last + n, last + n, now) for n in range(1, people - (count or 0) + 1)]
            if extra:
                await session.execute(insert(Person), extra)
        async with database.session() as session:
            query = select(Person.telegram_id).where(*reachable).order_by(Person.id)
            return list(await session.scalars(query))
    finally:
        await database.dispose()


def delivered(api: LocalBotApi) -> Counter[int]:
    return Counter(e.chat_id for e in api.events if e.text == TEXT)


def limited(api: LocalBotApi) -> int:
    """The calls so far that the server's limit counts, copies or not (LIMITED)."""
    return sum(e.method in LIMITED for e in api.events)


async def ask(api: LocalBotApi, actor: Actor, done: Completions, rng: random.Random) -> float:
    """One question; a lost answer (a killed process) counts as a 60 s wait, not a crash.
    Returns how late its completion was read (`Completions`)."""
    finished = done.expect(actor.user_id)
    await api.send_message(actor.user_id, rng.choice(QUESTIONS))
    lag = 0.0
    with contextlib.suppress(TimeoutError):
        lag = await asyncio.wait_for(finished, 60)
    api.drain(actor.user_id)
    return lag


class Coordinator(Chatter):
    """A coordinator is in the audience: their copy of the broadcast is not a reply. A press
    waits a minute for its answer (5 s ran out on a loaded machine)."""

    async def reply(self, timeout: float = 5.0) -> BotEvent:
        while (event := await super().reply(timeout)).text == TEXT:
            pass
        return event

    async def press(self, event: BotEvent, label: str) -> dict:
        data = event.find_button(label)["callback_data"]
        assert event.message_id is not None
        return await self.api.callback_answer(
            await self.api.press_button(self.id, event.message_id, data), 60
        )


async def broadcast(coordinator: Chatter) -> dict:
    """/difundir to everyone registered, now; stops at the summary (returned) before «Enviar»."""
    await coordinator.say("/difundir", 2, timeout=30)
    (audience,) = await coordinator.say(TEXT, timeout=30)
    await coordinator.choose(audience, "Todas las personas registradas")
    when = await coordinator.reply(30)
    await coordinator.choose(when, "Ahora")
    _preview, summary = await coordinator.replies(2, 60)
    return summary


async def workbooks(
    coordinator: Chatter, count: int, delay: float, windows: list[tuple[float, float]]
) -> None:
    """After `delay` s, /indicadores for this year, all regions, `count` times in a row;
    each build's (start, end)."""
    await asyncio.sleep(delay)
    for _ in range(count):
        (periods,) = await coordinator.say("/indicadores", timeout=60)
        await coordinator.press(periods, "Año ")
        scope = await coordinator.reply(60)
        started = time.perf_counter()
        await coordinator.press(scope, "Todas las regiones")
        while True:
            event = await coordinator.reply(REPORT_WAIT)
            if event.method == "editMessageText" and "listo" in (event.text or ""):
                break
        windows.append((started, time.perf_counter()))


class Minka:
    """The bot's process, restartable, its log read by one `Completions` throughout."""

    def __init__(self, api: LocalBotApi, url: str, log: Path, admins: list[int]) -> None:
        self.api, self.url, self.log, self.admins = api, url, log, admins
        self.done = Completions(watch=(WRITTEN,))
        self.readers: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.process = await start(
            ["-m", "bot", "run"],
            self.api,
            self.url,
            None,
            BOT_ADMIN_IDS=",".join(map(str, self.admins)),
            RATE_LIMIT_PER_SECOND="29.5",  # the production default: Telegram's limit applies
            OUTBOX_INTERVAL_SECONDS="0.5",
        )
        assert self.process.stdout is not None
        self.readers.append(asyncio.create_task(self.done.follow(self.process.stdout, self.log)))

    async def stop(self, signum: int = signal.SIGTERM) -> None:
        self.process.send_signal(signum)
        await self.process.wait()

    async def ended(self) -> None:
        """Stopped, if the run did not stop it (it failed): SIGTERM while the Bot API server
        still answers, so it ends its workers too; SIGKILL after a minute."""
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 60)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


def handled(minka: Minka) -> int:
    return sum(map(len, minka.done.durations.values()))


async def run(url: str, ids: list[int], args: argparse.Namespace, kill: bool, log: Path) -> dict:
    people = len(ids)
    askers, (sender, builder) = ids[: args.users], ids[args.users : args.users + 2]
    async with LocalBotApi(token=TOKEN, bot_username="minka_bench_bot") as api:
        for telegram_id in ids:
            api.add_user(telegram_id, f"Persona {telegram_id}")
            api.open_chat(telegram_id)
        api.rate_limit(LIMIT, None)
        minka = Minka(api, url, log, [sender, builder])
        await minka.start()
        try:
            windows: dict[str, list[tuple[float, float]]] = {phase: [] for phase in PHASES}
            stop = asyncio.Event()
            actors = [Actor(telegram_id) for telegram_id in askers]

            async def step(actor: Actor, rng: random.Random) -> float:
                return await ask(api, actor, minka.done, rng)

            instant = Instant(args.rate, args.instant_rate)
            rng = random.Random(3)  # each asks once first: Minka has started, caches are warm
            await asyncio.gather(*(ask(api, actor, minka.done, rng) for actor in actors))
            load = os.getloadavg()[0]
            asking = asyncio.create_task(steady(actors, step, instant.rate, stop))
            began = time.perf_counter()
            await asyncio.sleep(args.before)
            summary = await broadcast(Coordinator(api, sender, "Coordinadora"))
            windows["before"].append((began, time.perf_counter()))
            pressed = await instant.press(minka.process.pid, windows)
            sent = time.time()  # «Enviar»: the slow updates from here on are printed
            await Coordinator(api, sender, "Coordinadora").press(summary, "Enviar")
            building = asyncio.create_task(
                workbooks(
                    Coordinator(api, builder, "Coordinador"),
                    args.workbooks,
                    args.workbook_delay,
                    windows["workbook"],
                )
            )
            first = last = None
            count, killed, restarted, handled_before = 0, False, None, 0
            calls = {}  # the server's counted calls at the first copy and at the last seen
            cut = pressed + args.cut if args.cut else float("inf")
            while count < people and time.perf_counter() - (last or pressed) < STALLED:
                if time.perf_counter() >= cut:  # --cut: the rest of the sending is not followed
                    break
                await asyncio.sleep(0.25)
                now = time.perf_counter()
                instant.written(minka.done, windows)
                if (new := len(delivered(api))) != count:
                    count, last, first = new, now, first or now
                    calls["last"] = (count, limited(api))
                    calls.setdefault("first", calls["last"])
                if kill and not killed and count >= people // 2:
                    await minka.stop(signal.SIGKILL)
                    killed, restarted = True, time.perf_counter()
                    handled_before = handled(minka)
                    await minka.start()
                if restarted and handled(minka) > handled_before:  # the new process answers
                    windows["restart"].append((restarted, now))
                    restarted = None
            windows["sending"].append((first or pressed, last or time.perf_counter()))
            await asyncio.wait_for(building, 60 + args.workbooks * REPORT_WAIT)
            stop.set()
            samples = await asking
            await instant.finish()
            await minka.stop()
            for reader in minka.readers:
                await reader
        finally:  # a run that failed leaves no bot behind it (nor its workers)
            await minka.ended()
        copies = delivered(api)
        return {
            "people": people,
            "lost": people - len(copies) if not args.cut else float("nan"),
            "duplicated": sum(n - 1 for n in copies.values() if n > 1),
            "throttled": api.throttled,
            **_rates(calls, (last or pressed) - (first or pressed)),
            "sent_in": (last or time.perf_counter()) - pressed,
            "written_in": instant.written_in(windows),
            "phases": latencies(samples, windows, restart_apart=kill),
            "load": (load, os.getloadavg()[0]),
            "steps": {h: v for h, v in minka.done.durations.items() if h != "text"},
            "gc": sorted(minka.done.gc_pauses),
            "stalls": minka.done.stall_line(),
            "slow": minka.done.slow_lines(sent, during="from «Enviar» on"),
        }


def _rates(calls: dict[str, tuple[int, int]], seconds: float) -> dict[str, float]:
    """Copies a second, and the server's other counted calls a second (replies, progress,
    reports), over the same window: after the first copies seen, to the last. Copies sent after
    it (with `--cut`, while the workbooks were waited for) are not counted: counting every
    copy delivered by the end over that window gave session 23's 24.6/s with a 60 s cut, with
    replies taking ~10 of the 30 a second (NaN: no copy seen)."""
    if "last" not in calls or seconds <= 0:
        return {"rate": float("nan"), "others": float("nan")}
    (copies_0, calls_0), (copies_1, calls_1) = calls["first"], calls["last"]
    copies = copies_1 - copies_0
    return {"rate": copies / seconds, "others": (calls_1 - calls_0 - copies) / seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Difusión masiva creada en el chat, con preguntas")
    parser.add_argument("--people", type=int, default=10_000, help="destinatarios")
    parser.add_argument("--users", type=int, default=40, help="personas que preguntan")
    parser.add_argument("--rate", type=float, default=10.0, help="preguntas por segundo")
    parser.add_argument(
        "--instant-rate", type=float, default=15.0, help="preguntas por segundo tras «Enviar»"
    )
    parser.add_argument("--workbooks", type=int, default=3, help="informes de indicadores")
    parser.add_argument(
        "--workbook-delay", type=float, default=0.0, help="segundos tras «Enviar» (0: a la vez)"
    )
    parser.add_argument("--before", type=float, default=10.0, help="segundos antes de difundir")
    parser.add_argument(
        "--cut", type=float, default=0.0, help="deja de seguir el envío N s tras «Enviar»"
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-kill", action="store_true", help="omite la corrida con kill -9")
    parser.add_argument("--only-kill", action="store_true", help="solo la corrida con kill -9")
    parser.add_argument("--log", metavar="DIR", help="carpeta para las bases y el registro")
    args = parser.parse_args(argv)
    runs = [] if args.only_kill else [("normal", False)]
    runs += [] if args.no_kill else [("kill -9 at 50 %", True)]
    rows: list[tuple[str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="minka-bench-") as tmp:
        folder = Path(args.log or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        seeded = folder / "seeded.sqlite3"
        seeded.unlink(missing_ok=True)
        ids = asyncio.run(seed(seeded, args.people))
        log = folder / "minka.log"
        for name, kill in runs:
            if not args.no_sqlite:
                path = folder / f"{'kill' if kill else 'plain'}.sqlite3"
                path.unlink(missing_ok=True)
                with sqlite3.connect(seeded) as source, sqlite3.connect(path) as target:
                    source.backup(target)  # the WAL's pages too
                target.close()
                result = asyncio.run(run(f"sqlite+aiosqlite:///{path}", ids, args, kill, log))
                rows.append((f"SQLite, {name}", result))
            if not args.no_postgres:
                with postgres_copy.server() as server:
                    copy = postgres_copy.Copy(seeded, server)
                    asyncio.run(copy.run())
                    result = asyncio.run(run(copy.url, ids, args, kill, log))
                    rows.append((f"PostgreSQL, {name}", result))
    report(rows, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
