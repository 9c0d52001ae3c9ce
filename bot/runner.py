"""Starting and stopping Minka inside an asyncio loop (used by `run`, the demo and the tests)."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from telegram.error import Conflict, TelegramError
from telegram.ext import Application

from bot import metrics
from bot.app import ALLOWED_UPDATES, build_application
from bot.config import Settings
from bot.startup import announce, load_toolkit, open_database
from knowledge.base import KnowledgeBase
from storage.db import Database

log = logging.getLogger(__name__)


class PollingErrors:
    """getUpdates failures as one log line, at most one a minute for each kind (with how many
    were not shown), instead of python-telegram-bot's traceback every few seconds. The usual
    one is a second process polling with the same token (409 Conflict): the service and a
    `minka run` started by hand; Telegram then gives the updates to each in turn."""

    def __init__(self, every: float = 60.0) -> None:
        self.every = every
        self.shown: dict[str, float] = {}
        self.hidden: Counter[str] = Counter()

    def __call__(self, error: TelegramError) -> None:
        kind = type(error).__name__
        now = time.monotonic()
        if now - self.shown.get(kind, -self.every) < self.every:
            self.hidden[kind] += 1
            return
        self.shown[kind] = now
        hidden = self.hidden.pop(kind, 0)
        more = f" ({hidden} veces más en el último minuto)" if hidden else ""
        if isinstance(error, Conflict):
            log.warning(
                "Otro proceso hace long polling con este mismo token (Telegram: 409 "
                "Conflict)%s: detenga el otro (¿el servicio y un `minka run` a mano?); "
                "varias réplicas van con `run --webhook`.",
                more,
            )
        else:
            log.warning("getUpdates falló (%s: %s)%s; se reintenta.", kind, error.message, more)


@asynccontextmanager
async def polling(application: Application, *, poll_timeout: int = 10) -> AsyncIterator[None]:
    """Initialise, announce commands, long-poll and process updates until the block ends."""
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0,
            timeout=poll_timeout,
            allowed_updates=list(ALLOWED_UPDATES),
            error_callback=PollingErrors(),
        )
        await application.start()
        try:
            yield
        finally:
            application.bot_data["runtime"].stopping.set()  # the outbox ends its round
            await application.updater.stop()
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()


@asynccontextmanager
async def minka(
    settings: Settings,
    *,
    poll_timeout: int = 10,
    wait_seconds: float = 0.0,
    stop: asyncio.Event | None = None,
    knowledge: KnowledgeBase | None = None,
) -> AsyncIterator[Application]:
    """Migrate the database (waiting up to `wait_seconds` for it to answer, unless `stop` is
    set meanwhile: `startup.Stopped`), then run the bot until the block ends. `knowledge`: a
    Tool Kit loaded already (read-only, so the tests share one), else it is loaded here."""
    db = Database(settings.database_url, settings.db_timeouts, settings.db_pool_size)
    try:
        await open_database(db, wait_seconds=wait_seconds, stop=stop)
        knowledge = knowledge or await load_toolkit(settings)
        application = build_application(settings, db, knowledge)
        announce(application, f"long polling de {settings.telegram_api_base_url}")
        async with AsyncExitStack() as stack:
            if settings.metrics_port is not None:
                runtime = application.bot_data["runtime"]
                await stack.enter_async_context(
                    metrics.serving(runtime, settings.host, settings.metrics_port)
                )
            await stack.enter_async_context(polling(application, poll_timeout=poll_timeout))
            yield application
    finally:
        await db.dispose()


async def run_until_signal(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with minka(settings, wait_seconds=settings.db_startup_timeout, stop=stop):
        await stop.wait()
