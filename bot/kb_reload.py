"""Publishing Tool Kit edits without a restart (`python -m bot kb recargar`).

The CLI checks the folder (`kb revisar`'s checks) and, if it is sound, records a request in
the database (`app_state`). Every running process, however many replicas share the database,
looks for a new request every KB_RELOAD_SECONDS, checks its KB_DIR again and only then swaps
in the new Tool Kit; otherwise it keeps serving the last good version and logs why in one
line (file:line). Reading, checking and indexing run in a thread: replies do not stall.
An explicit request, rather than watching the files, never publishes an edit half-saved.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

import yaml
from sqlalchemy.exc import SQLAlchemyError
from telegram.ext import Application, ContextTypes

from bot import heap
from bot.runtime import Runtime
from knowledge.base import KnowledgeBase
from knowledge.check import check_dates, check_structure
from knowledge.loader import ContentError, Problem
from storage.db import Database
from storage.repositories import app_state

log = logging.getLogger(__name__)
REQUEST_KEY = "kb_reload_request"
SEEN = "kb_reload_seen"  # the last request this process acted on (kept in bot_data)


async def request(db: Database) -> str:
    """Ask every running Minka to reload its Tool Kit; the request's id."""
    request_id = uuid.uuid4().hex
    async with db.session() as session:
        await app_state.put(session, REQUEST_KEY, request_id)
    return request_id


def load_checked(folder: Path) -> KnowledgeBase | list[Problem]:
    """The Tool Kit in `folder` if it is sound, otherwise the problems found.

    Stale dates (an expired deadline, a passed `review_by`) are logged, not refused: the edit
    being published may be the one that fixes them, and CI's `kb revisar` fails on them anyway.
    """
    try:
        problems = check_structure(folder)
        if problems:
            return problems
        for stale in check_dates(folder):
            log.warning("Tool Kit content out of date (publish a fix soon): %s", stale)
        # Not written to the cache here: pickling the kit holds the GIL for tens of ms, a
        # stall of the running bot's loop; the next start builds and keeps it.
        return KnowledgeBase.load(folder, keep=False)
    except ContentError as error:
        return error.problems
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        return [Problem(folder, 1, f"no se pudo leer: {error}")]


async def reload(runtime: Runtime) -> bool:
    """Check and load the Tool Kit off the event loop; swap it in only when sound."""
    folder = runtime.settings.content_dir
    result = await asyncio.to_thread(load_checked, folder)
    if isinstance(result, KnowledgeBase):
        runtime.knowledge = result
        heap.settle()  # one full collection frees the old kit; the new one is frozen
        log.info("Tool Kit reloaded from %s: %s articles", folder, len(result.kit.articles))
        return True
    more = f" (and {len(result) - 1} more: run `python -m bot kb revisar`)" if result[1:] else ""
    log.warning("Tool Kit NOT reloaded, still serving the last good version: %s%s", result[0], more)
    return False


def join(application: Application) -> None:
    """Look for reload requests every KB_RELOAD_SECONDS (requests older than this process
    are already in the Tool Kit it loaded at start)."""
    runtime: Runtime = application.bot_data["runtime"]
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        _poll_job,
        interval=runtime.settings.kb_reload_seconds,
        first=0,
        name="kb_reload",
    )


async def _poll_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await poll(context.application.bot_data["runtime"], context.application.bot_data)


async def poll(runtime: Runtime, memory: dict) -> bool | None:
    """One look for a new request (`memory` keeps the last one seen by this process):
    True or False when a reload was tried and succeeded or not, None when nothing was new."""
    try:
        async with runtime.db.session() as session:
            current = await app_state.get(session, REQUEST_KEY)
    except (SQLAlchemyError, OSError) as error:  # the database is away: ask again later
        log.warning("could not look for Tool Kit reload requests: %s", error)
        return None
    if SEEN not in memory:  # first look: the start-up load is current
        memory[SEEN] = current
        return None
    if current == memory[SEEN]:
        return None
    memory[SEEN] = current
    return await reload(runtime)
