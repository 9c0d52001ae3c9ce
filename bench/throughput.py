"""End-to-end capacity of one Minka process, next to the framework's ceiling.

    python -m bench.throughput [--updates 10000] [--users 40] [--rate 25] [--runs 5] [--no-postgres]
                               [--soak MINUTES] [--rounds N]

The local Bot API server runs here; Minka (`python -m bot run`) and a bare python-telegram-bot
echo bot (`bench.echo_bot`) run as their own processes against it, one after the other. `users`
simulated officials act in a closed loop (each waits for Minka's answer before the next
action): 70 % free-text questions, 20 % menu buttons, 10 % meeting RSVPs. Printed: updates per
second, p50/p99 latency (from sending an update to the last message it causes), the ratio to
the echo bots, each bot's CPU-seconds per 1,000 updates (its own process time: the figure a
busy machine barely moves), Minka's resident memory after start and after all updates, and
on PostgreSQL its round trips to the server per update (counted by bench.roundtrips).
Then latency at a steady, realistic rate (`--rate`, see bench.load), `--runs` times in a row,
each run printed beside the goals of issue #17 (met or not, as measured). Telegram's own limit
(about 30 messages per second per bot) is lifted on both sides here: this measures what the
process can handle, not what Telegram lets through. `--soak MINUTES` then keeps Minka at
`--rate` for that long, the questions typed anew (a letter dropped or swapped half the time,
as people do, so that whatever grows with new texts shows), printing RSS and the minute's
latency each minute, and at the end whether RSS stayed flat and under #17's goal.
`--rounds N` alternates the full-load phase N times (httpx echo, SQLite, PostgreSQL, httpx
echo, ...), each Minka run compared with its round's echo run, then the median and the lowest
ratio (bench.rounds_report): on a noisy box one run each says little; the last round alone runs
the paced phase, the soak and the aiohttp echo bot.
With `BENCH_HEAPDIFF=DIR` the bot runs under tracemalloc (bench.heapdiff), snapshots taken.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench import heapdiff, roundtrips
from bench.bot_process import TOKEN, start
from bench.full_load_report import ECHO_VARIANTS, GOAL_VS_HTTPX, print_full_load
from bench.load import Actor, Step, closed_loop, open_loop
from bench.observe import (
    Completions,
    cpu_seconds,
    print_calls,
    print_round_trips,
    py_spy,
    server_cpu_seconds,
)
from bench.officials import FIRST_ID, act, prepare, seed
from bench.paced_report import print_paced
from bench.rounds_report import print_rounds
from bench.soak import print_soak, rss_mib, soak
from bot import heap
from bot.local_api import LocalBotApi
from tests.postgres import PostgresServer, start_server
from tests.templates import create_postgres

MIX = (("question", 0.7), ("menu", 0.2), ("rsvp", 0.1))


async def measure(
    api: LocalBotApi,
    pid: int,
    actors: list[Actor],
    step: Step,
    args: argparse.Namespace,
    trips: Path | None = None,
    server: Path | None = None,
) -> dict[str, float]:
    """Capacity (closed loop), then latency at a fixed rate (open loop) `args.runs` times in a
    row, on one running bot: a stall shows in the run it happened in, not averaged away.
    `trips`: the file where bench.roundtrips counts the bot's requests to PostgreSQL;
    `server`: its data folder, whose processes' CPU is the database's work (on SQLite, the
    bot's own)."""
    rss_start, cpu_start, wall_start = rss_mib(pid), cpu_seconds(pid), time.perf_counter()
    server_start = server_cpu_seconds(server) if server else 0.0
    calls_before = len(api.calls)
    trips_before = roundtrips.read(trips) if trips else 0
    spy = await py_spy(pid)
    result = await closed_loop(actors, step, args.updates)
    if spy is not None:  # stopped by SIGINT, py-spy writes its profile
        spy.send_signal(signal.SIGINT)
        await spy.wait()
    print_calls(api.calls[calls_before:], result["updates"])
    if trips:
        result["trips"] = print_round_trips(roundtrips.read(trips) - trips_before, result)
    used = cpu_seconds(pid) - cpu_start
    result["cpu"] = used / (time.perf_counter() - wall_start)
    result["cpu_per_k"] = 1000 * used / result["updates"]  # barely moved by a busy machine
    result.update(rss_start=rss_start, rss_end=rss_mib(pid))
    log = f"  full load: {result['rate']:.1f} updates/s, {result['cpu_per_k']:.2f} CPU s/1k"
    if server:
        served = server_cpu_seconds(server) - server_start
        result["server_per_k"] = 1000 * served / result["updates"]
        log += f", the PostgreSQL server's {result['server_per_k']:.2f} more"
    print(log, file=sys.stderr, flush=True)  # as it ends: a run cut short keeps its figures
    result["paced"] = []  # type: ignore[assignment]
    result["paced_since"] = time.time()
    for n in range(1, args.runs + 1):
        run = await open_loop(actors, step, args.paced_updates, args.rate)
        result["paced"].append(run)  # type: ignore[attr-defined]
        log = f"  run {n}: p50 {run['p50']:.1f}, p99 {run['p99']:.1f}, max {run['max']:.0f} ms"
        if run["bench_gc"]:
            log += f" (the bench's own collection stopped it {run['bench_gc']:.0f} ms)"
        print(log, file=sys.stderr, flush=True)
    return result


async def run_minka(
    url: str, args: argparse.Namespace, workdir: Path, server: Path | None = None
) -> dict[str, float]:
    """`server`: PostgreSQL's data folder (its CPU is counted apart)."""
    async with LocalBotApi(token=TOKEN, bot_username="minka_bench_bot") as api:
        meeting_id = await seed(url, api, args.users)
        traced = bool(os.environ.get("BENCH_HEAPDIFF"))  # bench.heapdiff: no round trips then
        trips = None if url.startswith("sqlite") or traced else workdir / "roundtrips"
        module = ["-m", "bench.heapdiff" if traced else "bench.roundtrips" if trips else "bot"]
        module.append("run")
        counting = {"BENCH_ROUNDTRIPS": str(trips)} if trips else {}
        process = await start(module, api, url, None, **counting)
        done = Completions()
        assert process.stdout is not None
        reader = asyncio.create_task(done.follow(process.stdout, workdir / "minka.log"))
        kinds, weights = zip(*args.mix, strict=True)

        soaking = [False]  # the soak's questions are typed anew (bench.soak.typed)

        async def step(actor: Actor, rng: random.Random) -> float:
            return await act(api, actor, rng.choices(kinds, weights)[0], done, rng, soaking[0])

        try:
            actors = [Actor(FIRST_ID + n) for n in range(args.users)]
            await asyncio.gather(*(prepare(api, actor, meeting_id, done) for actor in actors))
            heapdiff.snapshot(process.pid)
            result = await measure(api, process.pid, actors, step, args, trips, server)
            heapdiff.snapshot(process.pid)
            if args.soak:
                soaking[0] = True
                result["soak"] = await soak(actors, step, process.pid, args)  # type: ignore[assignment]
            for handler, values in sorted(done.durations.items()):
                values.sort()
                print(
                    f"  inside Minka, {handler:<16} n={len(values):<5} "
                    f"p50 {values[len(values) // 2]:.0f} ms, max {values[-1]:.0f} ms",
                    file=sys.stderr,
                )
            pauses = sorted(done.gc_pauses)
            print(
                f"  garbage collections over {heap.FELT_MS:g} ms: {len(pauses)}"
                + (f", longest {pauses[-1]:.0f} ms" if pauses else ""),
                file=sys.stderr,
            )
            print(f"  {done.stall_line()}", file=sys.stderr)
            for line in done.slow_lines(result["paced_since"]):
                print(f"  {line}", file=sys.stderr)
            return result
        finally:
            process.terminate()
            await process.wait()
            await reader


async def run_echo(args: argparse.Namespace, workdir: Path, transport: str) -> dict[str, float]:
    async with LocalBotApi(token=TOKEN, bot_username="echo_bench_bot") as api:
        url = f"sqlite+aiosqlite:///{workdir / 'unused.sqlite3'}"
        os.environ["BENCH_TRANSPORT"] = transport
        process = await start(["-m", "bench.echo_bot"], api, url, workdir / "echo.log")

        async def step(actor: Actor, rng: random.Random) -> None:
            if rng.random() < 0.7:
                await api.send_message(actor.user_id, "que es el reinfo")
            else:
                await api.press_button(actor.user_id, actor.menu_id, "echo")
            await api.next_event(actor.user_id, timeout=60)

        try:
            actors = []
            for n in range(args.users):
                api.add_user(FIRST_ID + n, f"Persona {n}")
                actor = Actor(FIRST_ID + n)
                await api.send_message(actor.user_id, "hola")
                actor.menu_id = (await api.next_event(actor.user_id, timeout=60)).message_id or 0
                actors.append(actor)
            return await measure(api, process.pid, actors, step, args)
        finally:
            process.terminate()
            await process.wait()


def run_round(
    args: argparse.Namespace, workdir: Path, server: PostgresServer | None, n: int
) -> dict[str, dict[str, float]]:
    """Round `n` of `args.rounds`: the httpx echo bot, then Minka on SQLite and on PostgreSQL,
    each at full load. Only the last round runs the paced phase, the soak and the aiohttp echo
    bot: the rounds before it alternate the full load alone (bench.rounds_report)."""
    last = n == args.rounds
    phase = args if last else argparse.Namespace(**{**vars(args), "runs": 0, "soak": 0})
    results: dict[str, dict[str, float]] = {}
    for name, transport in [] if args.no_echo else ECHO_VARIANTS[: None if last else 1]:
        results[name] = asyncio.run(run_echo(phase, workdir, transport))
    if not args.no_sqlite:
        url = f"sqlite+aiosqlite:///{workdir / f'minka-{n}.sqlite3'}"
        results["Minka, SQLite"] = asyncio.run(run_minka(url, phase, workdir))
    if server is not None:
        database = "postgres" if n == 1 else f"round{n}"  # each round seeds its own
        if n > 1:
            asyncio.run(create_postgres(server, database, migrated=False))
        results["Minka, PostgreSQL"] = asyncio.run(
            run_minka(server.url(database), phase, workdir, server.datadir)
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Capacidad de un proceso de Minka")
    parser.add_argument("--updates", type=int, default=10_000, help="a plena carga")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--rate", type=float, default=25.0, help="updates/s de la fase a ritmo")
    parser.add_argument("--paced-updates", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=5, help="fases a ritmo seguidas")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-echo", action="store_true", help="sin los bots eco (sin techo)")
    parser.add_argument(
        "--soak", type=int, default=0, metavar="MINUTES", help="al final, minutos a --rate (RSS)"
    )
    parser.add_argument(
        "--mix",
        type=_mix,
        default=MIX,
        help="kind=weight,... (question, menu, rsvp): one kind alone gives its CPU per update",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="plena carga alternada N veces (eco httpx, SQLite, PostgreSQL, ...): mediana y mínimo",
    )
    args = parser.parse_args(argv)
    rounds: list[dict[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory(prefix="minka-throughput-") as tmp:
        workdir = Path(tmp)
        server = None
        if not args.no_postgres:
            server = start_server()
            if isinstance(server, str):
                print(f"PostgreSQL skipped: {server}")
                server = None
        try:
            for n in range(1, args.rounds + 1):
                rounds.append(run_round(args, workdir, server, n))
        finally:
            if server is not None:
                server.stop()
    rows = list(rounds[-1].items())  # the last round's: the paced runs, the soak, aiohttp
    print_full_load(rounds, args)
    if len(rounds) > 1:
        print_rounds(rounds, GOAL_VS_HTTPX)
    print_paced(rows, args)
    print_soak(rows, args)
    return 0


def _mix(text: str) -> tuple[tuple[str, float], ...]:
    """`question=0.7,menu=0.2,rsvp=0.1` as MIX writes it."""
    known = {kind for kind, _weight in MIX}
    pairs = [part.partition("=") for part in text.split(",")]
    if any(kind not in known or not weight for kind, _eq, weight in pairs):
        raise argparse.ArgumentTypeError(f"kind=weight,... with kinds {sorted(known)}")
    return tuple((kind, float(weight)) for kind, _eq, weight in pairs)


if __name__ == "__main__":
    sys.exit(main())
