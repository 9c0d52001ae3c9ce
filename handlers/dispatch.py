"""The road of one update through Minka: its key for duplicate detection
(`update_keys.update_key`), one transaction in which the person and their role are read, the
role checked and the handler run, its replies written as owed (bot/owed_replies.py) and the
update recorded as processed last in that same transaction, then the replies sent
(`delivery.deliver`), with a metric and one log line per update (a slow one's says what it
waited for: `storage.waits`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update, User
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot import metrics, owed_replies
from bot.i18n import translator
from bot.reply_data import needing
from bot.runtime import Runtime
from bot.services.roles import Role, authorize, effective_role
from handlers import delivery
from handlers.base import Ctx, HandlerFn, runtime_of
from handlers.refusals import refuse
from handlers.update_keys import update_key
from storage import errors
from storage.repositories import people, updates
from storage.repositories.people import PersonRecord
from storage.waits import WAITS, Waits

log = logging.getLogger(__name__)

SLOW_MS = 100.0  # an update this slow logs what it waited for (`_waited`)


# The handler of the update being handled (for the error handler's one-line report).
HANDLING: ContextVar[str | None] = ContextVar("handling", default=None)
# The language the person reads (their /perfil choice, else BOT_LOCALE), once known: the error
# handler's apology speaks it; never the Telegram app's language, which no one chose for Minka.
SPEAKING: ContextVar[str | None] = ContextVar("speaking", default=None)


class _Duplicate(Exception):
    """This update was already handled (by this process or another replica)."""


def make_callback(
    handler: HandlerFn, required: Role | None, action: str
) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    """Turn a `Ctx` handler into a PTB callback with a session, role check and deferred replies."""

    async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None:
            return
        HANDLING.set(action)  # the update's own task: the error handler reads it there
        SPEAKING.set(None)  # not known until the person is read
        waits = Waits()
        WAITS.set(waits)
        started = time.perf_counter()
        outcome = "error"
        try:
            outcome = await _handle(update, context, user, waits)
        except Exception as error:
            outcome = errors.outcome(error)
            raise
        finally:
            seconds = time.perf_counter() - started
            metrics.update_handled(action, outcome, seconds)
            extra = {
                "update_id": update.update_id,
                "user_id": user.id,
                "handler": action,
                "duration_ms": round(1000 * seconds, 1),
            }
            if 1000 * seconds >= SLOW_MS:
                extra.update(_waited(waits, started))
            log.info("update handled", extra=extra)

    async def _handle(
        update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, waits: Waits
    ) -> str:
        runtime = runtime_of(context)
        # Before the transaction: no CPU inside SQLite's write turn.
        key = update_key(update, runtime.settings.pseudonym_secret)
        try:
            async with runtime.db.session() as session:
                # Claimed in the same transaction as the handler's effects (first on
                # PostgreSQL, with the person's lock; last on SQLite, where the write lock is
                # then taken only for the end): a repeat of this update rolls back
                # everything it did and sends nothing.
                now = runtime.clock.now()
                if not await updates.begin(session, user.id, key, now):
                    raise _Duplicate
                ctx = await _run(update, context, user, session, runtime)
                await _owe(ctx, key)  # with the commit: a kill before the send loses none
                if not await updates.end(session, key, now):
                    raise _Duplicate
        except _Duplicate:
            log.info("duplicate update %s ignored", update.update_id)
            return "duplicate"
        waits.ended = time.perf_counter()
        await delivery.deliver(ctx)
        return "ok"

    async def _run(
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        user: User,
        session: AsyncSession,
        runtime: Runtime,
    ) -> Ctx:
        person, form = await people.get_with_form(session, user.id)
        if person is not None and _stale(person, user):
            # Only a person acting in their private chat has come back: one who blocked
            # Minka may still add it to a group, and their own membership change says itself.
            chat = update.effective_chat
            await people.touch(
                session,
                user.id,
                username=user.username,
                telegram_name=user.full_name,
                reactivate=chat is not None
                and chat.type == ChatType.PRIVATE
                and update.my_chat_member is None,
            )
        role = effective_role(
            user.id, person.role if person else None, runtime.settings.bot_admin_ids
        )
        language = person.locale if person else runtime.settings.bot_locale
        SPEAKING.set(language)
        ctx = Ctx(
            update=update,
            context=context,
            session=session,
            settings=runtime.settings,
            user=user,
            person=person,
            role=role,
            t=translator(language, runtime.settings.timezone),
            args=list(context.args or []),
            action=action,
            form=form,
        )
        if required is not None and not await authorize(
            session,
            telegram_id=user.id,
            role=role,
            required=required,
            action=action,
            now=runtime.clock.now(),
        ):
            refuse(ctx, required)
        else:
            ctx.authorised(required)
            await handler(ctx)
        for owe in ctx.owed:  # in this transaction: what its later calls owe if cut short
            await owe()
        return ctx

    callback.__name__ = getattr(handler, "__name__", action)
    return callback


async def _owe(ctx: Ctx, key: str) -> None:
    """The replies kept as data (bot/owed_replies.py), in the update's transaction."""
    if not ctx.keep_replies:
        return
    await owed_replies.owe(
        ctx.session,
        ctx.context.application,
        update_id=ctx.update.update_id,
        telegram_id=ctx.user.id,
        chat_id=ctx.chat_id,
        person_id=ctx.person.id if ctx.person else None,
        key=key,
        replies=needing(
            [action.reply for action in ctx.calls if action.reply is not None], ctx.needs
        ),
    )


def _waited(waits: Waits, started: float) -> dict[str, float]:
    """A slow update's time by cause, in ms: its transaction (to the end of its commit;
    none if it failed), of which waiting for SQLite's write turn and in commits (of
    which the WAL's fdatasync), and after it (its replies sent)."""
    now, ended = time.perf_counter(), waits.ended
    fields = {
        "turn_ms": waits.turn,
        "commit_ms": waits.commit,
        "sync_ms": waits.sync,
    }
    if ended:
        fields.update(transaction_ms=ended - started, send_ms=now - ended)
    return {name: round(1000 * seconds, 1) for name, seconds in fields.items()}


def _stale(person: PersonRecord, user: User) -> bool:
    return (
        not person.active
        or person.username != user.username
        or person.telegram_name != user.full_name
    )
