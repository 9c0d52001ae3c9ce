"""No reply lost to a kill after its update's commit: the replies an update owes are written
(`inbox_replies`, as `reply_data.payload_of` makes them) in the transaction that records it handled
(handlers/dispatch.py), sent at once as always, and deleted with the update's row in hand
(bot/inbox.py: batched, with the next batch's write or within `inbox.FLUSH_AFTER`). When
flood control holds them for the outbox, the row goes in that same transaction
(`held.keep(owed=...)`): they are owed or held, never both.

A process killed before that deletion leaves its rows. Once it is seen dead (silent for
`replicas.SILENT_BEATS` heartbeats: bot/replicas.py; another replica alive sends its own), a
process takes them, at start-up and after each heartbeat, and keeps them for the outbox as
replies held back (bot/held.py): sent once, in order behind the chat's other held replies.
Replies sent in the moment between their send and the deletion (at most `FLUSH_AFTER`) are
sent once more at the next start; what is not a reply kept as data (a file over
`reply_data.FILE_LIMIT`, a later call, an inline answer) is not owed and a kill still loses it; nor
are the replies of the update that erases its sender (`Ctx.keep_replies`): nothing of theirs
is kept after its commit."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application, ContextTypes

from bot import held, replicas, reply_data
from bot.reply_data import Reply
from bot.runtime import Runtime
from bot.updates import inbox_in
from storage.repositories import owed_replies as rows

log = logging.getLogger(__name__)


async def owe(
    session: AsyncSession,
    application: Application,
    *,
    update_id: int,
    telegram_id: int,
    chat_id: int,
    person_id: int | None,
    key: str,
    replies: list[Reply],
) -> None:
    """Record `replies` in the update's transaction, if the update is in hand (its row then
    goes once it is handled: a reply sent outside the inbox is not kept)."""
    inbox = inbox_in(application)
    if not replies or inbox is None or not inbox.holds(update_id):
        return
    runtime: Runtime = application.bot_data["runtime"]
    await rows.owe(
        session,
        update_id=update_id,
        telegram_id=telegram_id,
        chat_id=chat_id,
        person_id=person_id,
        key=key,
        replies=json.dumps([reply_data.payload_of(reply) for reply in replies], ensure_ascii=False),
        replica=application.bot_data[replicas.KEY],
        at=runtime.clock.now(),
    )


def install(application: Application) -> None:
    """Take the replies a dead process owed after each heartbeat (`resend` at start-up)."""
    runtime: Runtime = application.bot_data["runtime"]
    interval = runtime.settings.heartbeat_seconds
    assert application.job_queue is not None
    application.job_queue.run_repeating(_job, interval=interval, first=interval, name="owed")


async def _job(context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        await resend(context.application)
    except Exception:  # the database away: the next heartbeat tries again
        log.exception("could not take the replies owed by a stopped process")


async def resend(application: Application) -> int:
    """Keep for the outbox the replies owed by processes seen dead; how many updates'."""
    runtime: Runtime = application.bot_data["runtime"]
    now = runtime.clock.now()
    silent = timedelta(seconds=replicas.SILENT_BEATS * runtime.settings.heartbeat_seconds)
    due = None
    async with runtime.db.session() as session:
        owed = await rows.take(session, now - silent, own=application.bot_data[replicas.KEY])
        for row in owed:
            try:
                replies = [reply_data.reply_of(payload) for payload in json.loads(row.replies)]
            except (ValueError, TypeError, KeyError) as error:
                log.error("replies owed by update %s unreadable: %r", row.update_id, error)
                continue
            at = await held.keep_in(
                session,
                now,
                chat_id=row.chat_id,
                person_id=row.person_id,
                replies=replies,
                key=row.key,
                wait=held.ZERO,
            )
            due = at if due is None else min(due, at)
    for row in owed:
        held.kept(runtime, row.chat_id)
    if due is not None:
        held.wake(application, due)
    if owed:
        log.warning("replies of %d updates a stopped process owed: sent now", len(owed))
    return len(owed)
