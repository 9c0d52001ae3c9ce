"""Starting and stopping Minka inside an asyncio loop (used by `run`, the demo and the tests)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from telegram import Update
from telegram.ext import Application

from bot import metrics
from bot.app import build_application
from bot.config import Settings
from bot.startup import announce, open_database
from storage.db import Database


@asynccontextmanager
async def polling(application: Application, *, poll_timeout: int = 10) -> AsyncIterator[None]:
    """Initialise, announce commands, long-poll and process updates until the block ends."""
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
        )
        await application.start()
        try:
            yield
        finally:
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
) -> AsyncIterator[Application]:
    """Migrate the database (waiting up to `wait_seconds` for it to answer, unless `stop` is
    set meanwhile: `startup.Stopped`), then run the bot until the block ends."""
    db = Database(settings.database_url, settings.db_timeouts, settings.db_pool_size)
    try:
        await open_database(db, wait_seconds=wait_seconds, stop=stop)
        application = build_application(settings, db)
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
