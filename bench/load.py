"""Two ways to load a bot for bench.throughput, whatever the bot.

- `closed_loop`: every simulated person acts as soon as their previous action was answered.
  The bot is saturated, so the rate measured is its capacity; latency there is mostly queueing.
- `open_loop`: actions arrive at a fixed rate whatever the bot does, as people do. Latency at a
  realistic rate is what a person feels: Telegram lets one bot send about 30 messages per
  second in all, so about 25 updates per second is as busy as any one bot gets.

Each starts with the bench process's own heap collected and frozen (bench.own_gc): its full
collections walked the whole simulated Telegram and were counted as the bot's latency.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench import own_gc


@dataclass
class Actor:
    user_id: int
    menu_id: int = 0
    invitation_id: int = 0
    meeting_id: int = 0
    menu_state: str = "main"
    rsvp: str = "no"
    latencies: list[float] = field(default_factory=list)


# One action of one person, returning once the bot has answered it.
# A step returns None, or how late (s) its completion was read after it happened (`Completions`):
# that lag is not the person's wait and is taken off.
Step = Callable[[Actor, random.Random], Awaitable[float | None]]


def summary(latencies: list[float], elapsed: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "rate": len(ordered) / elapsed,
        "p50": 1000 * statistics.median(ordered),
        "p99": 1000 * ordered[max(0, int(len(ordered) * 0.99) - 1)],
        "max": 1000 * ordered[-1],
        "updates": len(ordered),
    }


async def _timed(actor: Actor, step: Step, rng: random.Random, into: list[float]) -> None:
    started = time.perf_counter()
    lag = await step(actor, rng)
    into.append(time.perf_counter() - started - (lag or 0.0))


async def closed_loop(actors: list[Actor], step: Step, updates: int) -> dict[str, float]:
    remaining = [updates]
    latencies: list[float] = []

    async def person(actor: Actor, seed: int) -> None:
        rng = random.Random(seed)
        while remaining[0] > 0:
            remaining[0] -= 1
            await _timed(actor, step, rng, latencies)

    own_gc.settle()
    started = time.perf_counter()
    await asyncio.gather(*(person(actor, n) for n, actor in enumerate(actors)))
    return summary(latencies, time.perf_counter() - started)


async def open_loop(actors: list[Actor], step: Step, updates: int, rate: float) -> dict[str, float]:
    """`updates` actions at `rate` per second, each by someone not waiting for an answer (a
    person does one thing at a time). "late" counts the actions that found nobody free."""
    idle = asyncio.Queue[Actor]()
    for actor in actors:
        idle.put_nowait(actor)
    latencies: list[float] = []
    rng = random.Random(7)
    tasks: list[asyncio.Task[None]] = []
    late = 0

    async def one(actor: Actor) -> None:
        await _timed(actor, step, rng, latencies)
        idle.put_nowait(actor)

    own_gc.settle()
    started = time.perf_counter()
    for n in range(updates):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if idle.empty():
            late += 1
        tasks.append(asyncio.create_task(one(await idle.get())))
    await asyncio.gather(*tasks)
    result = summary(latencies, time.perf_counter() - started)
    result["late"] = late
    result["bench_gc"] = own_gc.longest_since(started)  # the bench's own stop, if one was felt
    return result


async def steady(
    actors: list[Actor], step: Step, rate: float | Callable[[], float], stop: asyncio.Event
) -> list[tuple[float, float]]:
    """Actions at `rate` per second, as in `open_loop`, until `stop` is set; each one as
    (when it was sent, seconds until answered), so that a bench can tell which of the bot's
    background work it ran beside. `rate` may be a function, asked before each action: a
    bench raises it for a moment it must sample densely (bench.broadcast's «Enviar»)."""
    idle = asyncio.Queue[Actor]()
    for actor in actors:
        idle.put_nowait(actor)
    samples: list[tuple[float, float]] = []
    rng = random.Random(11)
    tasks: set[asyncio.Task[None]] = set()

    async def one(actor: Actor) -> None:
        started = time.perf_counter()
        lag = await step(actor, rng)
        samples.append((started, time.perf_counter() - started - (lag or 0.0)))
        idle.put_nowait(actor)

    own_gc.settle()
    due = time.perf_counter()
    while not stop.is_set():
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        actor = await idle.get()
        task = asyncio.create_task(one(actor))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        due += 1 / (rate() if callable(rate) else rate)
    await asyncio.gather(*tasks)
    return samples
