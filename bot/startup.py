"""Opening the database at start-up, and the log lines that tell the deployer what is in use.

A service may start before PostgreSQL (at boot, or after both restart): `open_database` waits
for it with backoff instead of failing at once. And a service started in the wrong working
directory would quietly create a new, empty SQLite file: the start-up lines name the database
(password hidden), say whether it was just created, the Tool Kit folder and the mode.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.engine import make_url
from telegram.ext import Application

from bot.config import Settings
from bot.runtime import Runtime
from knowledge.base import KnowledgeBase
from storage.db import Database
from storage.migrate import current_revision, upgrade
from storage.problems import explain, redacted, sqlite_path

log = logging.getLogger(__name__)

FIRST_PAUSE, LONGEST_PAUSE = 1.0, 10.0  # seconds between attempts: 1, 2, 4, 8, 10, 10…


async def load_toolkit(settings: Settings) -> KnowledgeBase:
    """The Tool Kit of KB_DIR, read and indexed in a thread: 1-1.5 CPU s of parsing that,
    on the event loop, stalled whatever else it ran (another replica in the same process: CI
    logged «event loop stalled for 2052 ms (running: … loader.py:218 parse_glossary)»)."""
    return await asyncio.to_thread(KnowledgeBase.load, settings.content_dir)


class Stopped(Exception):
    """Minka was told to stop (SIGTERM, Ctrl+C) while it waited for the database."""


async def _pause(seconds: float, stop: asyncio.Event | None) -> None:
    """Sleep between attempts, but raise `Stopped` as soon as `stop` is set: `systemctl stop`
    while PostgreSQL is down must not wait out DB_STARTUP_TIMEOUT (systemd kills at 30 s)."""
    if stop is None:
        await asyncio.sleep(seconds)
        return
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return
    raise Stopped


async def wait_until_reachable(
    db: Database, wait_seconds: float, stop: asyncio.Event | None = None
) -> None:
    """Try the database until it answers or `wait_seconds` pass; only causes that may go away
    by themselves (refused, unreachable, starting up) are retried, one log line each."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    pause, attempt = FIRST_PAUSE, 0
    while True:
        if stop is not None and stop.is_set():
            raise Stopped
        attempt += 1
        try:
            async with db.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return
        except Exception as error:
            problem = explain(error, db.url)
            remaining = deadline - loop.time()
            if problem is None or not problem.retryable or remaining <= 0:
                raise
            wait = min(pause, remaining)
            log.warning(
                "Intento %d: %s Nuevo intento en %.0f s (se espera hasta %.0f s, "
                "DB_STARTUP_TIMEOUT).",
                attempt,
                problem.line,
                wait,
                wait_seconds,
            )
            await _pause(wait, stop)
            pause = min(pause * 2, LONGEST_PAUSE)


async def open_database(
    db: Database, *, wait_seconds: float = 0.0, stop: asyncio.Event | None = None
) -> None:
    """Wait for the database (unless `stop` is set meanwhile), bring it to the newest schema
    and say which one it is."""
    url = make_url(db.url)
    path = sqlite_path(url) if url.drivername.startswith("sqlite") else None
    new_file = path is not None and not path.exists()
    await wait_until_reachable(db, wait_seconds, stop)
    async with db.engine.connect() as connection:
        before = await connection.run_sync(current_revision)
    await upgrade(db.engine)
    async with db.engine.connect() as connection:
        after = await connection.run_sync(current_revision)
    shown = redacted(db.url) + (f" (archivo {path})" if path else "")
    if new_file or before is None:
        log.warning(
            "Base de datos NUEVA: %s; se crearon sus tablas. Si esperaba datos existentes, "
            "detenga Minka y revise DATABASE_URL y el directorio de trabajo.",
            shown,
        )
    elif before != after:
        log.info("Base de datos: %s (esquema actualizado de %s a %s).", shown, before, after)
    else:
        log.info("Base de datos: %s (esquema al día, versión %s).", shown, after)


def announce(application: Application, mode: str) -> None:
    """Log the Tool Kit in use and the mode, once the bot is built."""
    runtime: Runtime = application.bot_data["runtime"]
    kit = runtime.knowledge.kit
    log.info(
        "Tool Kit: %s (%d artículos, %d términos del glosario).",
        runtime.settings.content_dir.absolute(),
        len(kit.articles),
        len(kit.glossary),
    )
    log.info("Modo: %s.", mode)
