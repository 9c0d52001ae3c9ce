"""What an owed message becomes when it cannot go: Telegram cannot deliver to the person, or
its renderer fails. Split from bot/outbox.py, which sends."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.runtime import Runtime
from storage.repositories import outbox, people
from storage.repositories.outbox import OwedMessage

log = logging.getLogger("bot.outbox")
RENDER_ATTEMPTS = 3  # a message whose renderer raises is tried this often, then failed


async def undeliverable(
    runtime: Runtime, message: OwedMessage, reason: str, now: datetime, forget: bool
) -> None:
    """Telegram cannot deliver to this person (403: blocked, deactivated; 400: no such chat):
    the message failed, and the person is skipped until they write again."""
    async with runtime.db.session() as session:
        await people.mark_blocked(session, message.telegram_id, now)
        await outbox.finish(session, message.id, "failed", now, error=reason, forget=forget)


async def render_failed(
    runtime: Runtime, message: OwedMessage, error: Exception, now: datetime
) -> None:
    """Try again later (the cause may pass), up to RENDER_ATTEMPTS claims; then mark the
    message failed and log it, once. Nothing of it reached the chat, and it may never be
    sendable: it gives up its place, the chat's next messages go on."""
    final = message.attempts >= RENDER_ATTEMPTS
    async with runtime.db.session() as session:
        await outbox.finish(
            session,
            message.id,
            "failed" if final else "pending",
            now,
            error=f"render: {error!r}",
            retry_at=None if final else now + timedelta(seconds=30 * 2**message.attempts),
        )
    if final:
        log.error(
            "outbox message %s (%s) could not be rendered in %s attempts; marked failed",
            message.id,
            message.kind,
            message.attempts,
            exc_info=error,
        )
