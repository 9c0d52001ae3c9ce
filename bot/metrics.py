"""Prometheus metrics: what a person running Minka watches and alerts on.

Counters and the histogram live in this process (prometheus-client's default registry); the
outbox and the replicas are read from the database when `/metrics` is scraped, so every
replica reports the same database-wide figures (alert on `max`, not `sum`). Labels are bounded
sets: handler names, Bot API method names, HTTP statuses, outbox kinds and states. Never a
person, a chat or a text.

Served by the webhook's HTTP server (`GET /metrics`) and, in polling mode, by a server of its
own on METRICS_PORT.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext

from bot.listen import listen
from bot.runtime import Runtime
from storage.db import Database
from storage.repositories import outbox, replicas

log = logging.getLogger(__name__)

UPDATES = Counter(
    "minka_updates_handled",
    "Updates handled, by handler and outcome (ok, duplicate, busy, database_down, error).",
    ["handler", "outcome"],
)
HANDLING = Histogram(
    "minka_update_handling_seconds",
    "Time to handle one update, replies included, by handler.",
    ["handler"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BOT_API_CALLS = Counter(
    "minka_bot_api_calls",
    "Bot API calls, by method and result (the HTTP status, or 'network' when none came).",
    ["method", "result"],
)
BOT_API_429 = Counter(
    "minka_bot_api_flood_limited",
    "Bot API calls answered 429 Too Many Requests (flood control), by method.",
    ["method"],
)
FLOOD_ROUNDS = Counter(
    "minka_flood_rounds",
    "Calls Telegram still refused with 429 after the rate limiter's retries, each kept to be "
    "made once it allows (a round of waiting out flood control), by what was kept: an outbox "
    "kind, 'reply' (a reply held for the outbox), 'later' (a file or photo waiting in "
    "memory), 'start_menus' (the command menus set at start-up), 'start_description' (the bot's "
    "description, set at start-up).",
    ["kept"],
)
DATABASE_ERRORS = Counter(
    "minka_database_errors", "Database errors, by SQLAlchemy exception class.", ["error"]
)
OUTBOX = Gauge(
    "minka_outbox_messages",
    "Owed messages in the outbox table, by kind and state (pending, claimed, sending, sent, "
    "failed, skipped, unknown); finished ones are kept RETENTION_OUTBOX_DAYS.",
    ["kind", "state"],
)
REPLICAS = Gauge(
    "minka_replicas_alive", "Minka processes that recorded a heartbeat recently (all replicas)."
)


# Each update's labelled series, looked up once (`labels` takes a lock and builds a key: 4 µs).
_handled: dict[tuple[str, str], tuple[Counter, Histogram]] = {}


def update_handled(handler: str, outcome: str, seconds: float) -> None:
    series = _handled.get((handler, outcome))
    if series is None:
        series = _handled[handler, outcome] = (
            UPDATES.labels(handler, outcome),
            HANDLING.labels(handler),
        )
    series[0].inc()
    series[1].observe(seconds)


def bot_api_call(url: str, result: str) -> None:
    """`url` ends in the method's name (…/bot<token>/sendMessage); the token is never a label."""
    method = url.rsplit("/", 1)[-1].split("?", 1)[0] or "?"
    BOT_API_CALLS.labels(method, result).inc()
    if result == "429":
        BOT_API_429.labels(method).inc()


def flood_round(kept: str) -> None:
    """One more round of waiting out flood control for `kept` (see FLOOD_ROUNDS)."""
    FLOOD_ROUNDS.labels(kept).inc()


def watch_database(db: Database) -> None:
    """Count every error the engine raises (once per engine)."""
    if not event.contains(db.engine.sync_engine, "handle_error", _database_error):
        event.listen(db.engine.sync_engine, "handle_error", _database_error)


def _database_error(context: ExceptionContext) -> None:
    error = context.sqlalchemy_exception or context.original_exception
    DATABASE_ERRORS.labels(type(error).__name__).inc()


async def refresh(runtime: Runtime, silent: timedelta) -> None:
    """Read the database-wide gauges (a scrape every 15–60 s; the outbox is retention-bound)."""
    async with runtime.db.session() as session:
        counts = await outbox.counts(session)
        alive = await replicas.alive(session, runtime.clock.now() - silent)
    OUTBOX.clear()
    for (kind, state), count in counts.items():
        OUTBOX.labels(kind, state).set(count)
    REPLICAS.set(alive)


def handler(runtime: Runtime) -> web.RequestHandler:
    """GET /metrics. A database that does not answer leaves the gauges as they were (the
    counters still tell what happened, `minka_database_errors` why)."""
    silent = timedelta(seconds=replicas.SILENT_BEATS * runtime.settings.heartbeat_seconds)

    async def metrics(_request: web.Request) -> web.Response:
        try:
            await refresh(runtime, silent)
        except Exception as error:  # the scrape must still answer
            log.warning("metrics: database gauges not refreshed: %r", error)
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    return metrics


@asynccontextmanager
async def serving(runtime: Runtime, host: str, port: int) -> AsyncIterator[None]:
    """Polling mode's own listener on METRICS_PORT (GET /metrics only)."""
    app = web.Application()
    app.router.add_get("/metrics", handler(runtime))
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2)
    await runner.setup()
    try:
        await listen(runner, host, port, "METRICS_PORT")
        log.info("metrics on http://%s:%s/metrics", host, port)
        yield
    finally:
        await runner.cleanup()
