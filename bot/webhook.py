"""Webhook mode: Telegram (or a load balancer in front of several replicas) posts updates to
us. Every replica is stateless: conversation state, processed updates and owed messages live
in the database, so any replica can take any update.

Routes: POST <path of WEBHOOK_URL> (the secret-token header is checked in constant time: wrong
or missing → 403, counted and logged at most once a minute; a body that is not an update
object → 400), GET /healthz (database reachable → 200, else 503), GET /metrics (Prometheus).
Shutdown is graceful: the listener closes first, then updates already accepted are handled.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import text
from telegram import Update
from telegram.ext import Application

from bot import metrics
from bot.app import ALLOWED_UPDATES, build_application, inbox_of
from bot.config import ConfigError, Settings
from bot.listen import listen
from bot.runtime import Runtime
from bot.services.text import sanitize_update
from bot.startup import announce, load_toolkit, open_database
from bot.update_trim import trimmed
from storage.db import Database

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_TIMEOUT = 3.0
REFUSALS_LOGGED_EVERY = timedelta(minutes=1)


class Refusals:
    """Requests with a wrong or missing secret: someone probing could fill the log, so they
    are counted and reported at most once per `REFUSALS_LOGGED_EVERY`, with the count."""

    def __init__(self) -> None:
        self.count = 0
        self.logged_at: datetime | None = None

    def add(self, now: datetime, remote: str | None) -> None:
        self.count += 1
        if self.logged_at is not None and now - self.logged_at < REFUSALS_LOGGED_EVERY:
            return
        log.warning(
            "webhook: %s request(s) with a wrong or missing secret since the last report "
            "(latest from %s)",
            self.count,
            remote,
        )
        self.count, self.logged_at = 0, now


def webhook_path(settings: Settings) -> str:
    return urlsplit(settings.webhook_url or "").path or "/"


def make_web_app(application: Application, settings: Settings) -> web.Application:
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    runtime: Runtime = application.bot_data["runtime"]
    refusals = Refusals()
    inbox = inbox_of(application)

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            refusals.add(runtime.clock.now(), request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            data = sanitize_update(trimmed(await request.json(loads=json.loads)))
            if not isinstance(data, dict):  # JSON, but `[]`, `1`, `"x"` or `null`
                return web.Response(status=400, text="bad update")
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):  # not the shape of an update
            return web.Response(status=400, text="bad update")
        if update is None:
            return web.Response(status=400, text="bad update")
        inbox.arrived(data)  # kept in the database before the 200 (bot/inbox.py)
        await application.update_queue.put(update)
        await inbox.settled()
        return web.Response(text="ok")

    async def health(_request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT), runtime.db.session() as session:
                await session.execute(text("SELECT 1"))
        except Exception as error:  # any failure means "not healthy"
            log.warning("health check: database unreachable: %r", error)
            return web.json_response({"status": "error", "database": "unreachable"}, status=503)
        return web.json_response({"status": "ok", "database": "ok"})

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(webhook_path(settings), receive)
    app.router.add_get("/healthz", health)
    app.router.add_get("/metrics", metrics.handler(runtime))
    return app


@asynccontextmanager
async def serving(
    settings: Settings,
    *,
    register_webhook: bool = True,
    wait_seconds: float = 0.0,
    stop: asyncio.Event | None = None,
) -> AsyncIterator[Application]:
    """Migrate, start the bot and the HTTP listener; on exit stop listening, then let the
    accepted updates finish, then stop the bot."""
    if not settings.webhook_url or not settings.webhook_secret:
        raise ConfigError(
            "El modo webhook necesita WEBHOOK_URL (https://…) y WEBHOOK_SECRET "
            "(de 32 a 256 letras sin tilde, números, _ y -)."
        )
    db = Database(settings.database_url, settings.db_timeouts, settings.db_pool_size)
    try:
        await open_database(db, wait_seconds=wait_seconds, stop=stop)
        application = build_application(settings, db, await load_toolkit(settings))
        announce(
            application, f"webhook en {settings.host}:{settings.port} ({settings.webhook_url})"
        )
        await application.initialize()
        try:
            if application.post_init is not None:
                await application.post_init(application)
            if register_webhook:
                await application.bot.set_webhook(
                    settings.webhook_url,
                    secret_token=settings.webhook_secret.get_secret_value(),
                    allowed_updates=list(ALLOWED_UPDATES),
                )
            await application.start()
            runner = web.AppRunner(
                make_web_app(application, settings), access_log=None, shutdown_timeout=5
            )
            await runner.setup()
            try:
                await listen(runner, settings.host, settings.port, "PORT")
                log.info("webhook listening on %s:%s", settings.host, settings.port)
                yield application
            finally:
                application.bot_data["runtime"].stopping.set()  # the outbox ends its round
                await runner.cleanup()  # no new updates; requests in progress are answered
                await application.stop()  # the accepted updates are handled first
                if application.post_stop is not None:
                    await application.post_stop(application)
        finally:
            await application.shutdown()
    finally:
        await db.dispose()


async def run_webhook_until_signal(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with serving(settings, wait_seconds=settings.db_startup_timeout, stop=stop):
        await stop.wait()
