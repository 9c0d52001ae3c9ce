"""Retention: what Minka no longer needs is deleted (Ley 29733 keeps personal data only as
long as its purpose requires). Once a day the scheduler (PTB's JobQueue) forgets processed-
update records, finished outbox rows and audit entries past their periods (settings
RETENTION_*_DAYS); /privacidad states the periods."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import ContextTypes

from bot.runtime import Runtime
from storage.repositories import audit, inbox, outbox, updates

log = logging.getLogger(__name__)

EVERY = timedelta(days=1)


async def prune(runtime: Runtime) -> tuple[int, int, int]:
    """Delete what is past its period, as of the runtime's clock; returns (processed
    updates, outbox messages, audit entries) removed."""
    now, settings = runtime.clock.now(), runtime.settings
    async with runtime.db.session() as session:
        removed = (
            await updates.prune(session, now - timedelta(days=settings.retention_updates_days)),
            await outbox.prune(session, now - timedelta(days=settings.retention_outbox_days)),
            await audit.prune(session, now - timedelta(days=settings.retention_audit_days)),
        )
        # An update's own row goes once it is handled; one left behind goes with the records.
        await inbox.prune(session, now - timedelta(days=settings.retention_updates_days))
    if any(removed):
        log.info(
            "retention: forgot %s processed updates, %s outbox messages, %s audit entries",
            *removed,
        )
    return removed


async def job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue callback; a failed round is retried the next day."""
    try:
        await prune(context.bot_data["runtime"])
    except Exception:
        log.exception("retention round failed")
