"""The error handler: log with context, apologise in Spanish, mark people who blocked Minka."""

from __future__ import annotations

import logging
from pathlib import Path

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bot import follow_ups, held, metrics
from bot.i18n import translator
from bot.updates import answering
from handlers.base import runtime_of
from handlers.delivery import ANSWERED, too_old
from handlers.dispatch import HANDLING, SPEAKING
from handlers.update_keys import update_key
from storage.errors import database_busy, database_down
from storage.repositories import people

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent


def cause(error: BaseException | None) -> str:
    """The error in one line: its type, the first line of its message (SQLAlchemy's go on
    with the statement and its parameters) and where it was raised."""
    if error is None:
        return "unknown error"
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    trace = error.__traceback__
    while trace is not None and trace.tb_next is not None:
        trace = trace.tb_next
    if trace is not None:
        path = Path(trace.tb_frame.f_code.co_filename)
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        text += f" ({where}:{trace.tb_lineno})"
    return text


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    user = update.effective_user if isinstance(update, Update) else None
    update_id = update.update_id if isinstance(update, Update) else None
    runtime = runtime_of(context)
    if isinstance(error, Forbidden) and user is not None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is not None and chat.type == ChatType.PRIVATE:
            async with runtime.db.session() as session:
                if await people.mark_blocked(session, user.id, runtime.clock.now()):
                    log.info("user %s blocked Minka; marked inactive", user.id)
        else:  # «bot was kicked from the group chat»: the group's doing, not the person's
            log.info("update %s: chat %s refused: %s", update_id, chat and chat.id, error.message)
        return
    handler = HANDLING.get()
    log.error(
        "update %s (%s) from user %s failed: %s",
        update_id,
        handler,
        user.id if user else None,
        cause(error),
        # A traceback only for what looks like a bug: not for Telegram's or the network's
        # refusals, nor for a database that cannot be reached or is busy (the line says it).
        exc_info=None if _operational(error) else error,
        extra={
            "update_id": update_id,
            "user_id": user.id if user else None,
            "handler": handler,
            "failure": error,
        },
    )
    if not isinstance(update, Update) or update.effective_chat is None or user is None:
        return
    # The person's /perfil choice when the update got that far (the database, where it is,
    # may be the very failure), else BOT_LOCALE; never the Telegram app's language.
    t = translator(SPEAKING.get() or runtime.settings.bot_locale, runtime.settings.timezone)
    apology = (
        t.gettext("I am very busy right now, so nothing was saved. Please try again in a minute.")
        if database_busy(error)
        else t.gettext(
            "I cannot reach my database right now, so nothing was saved. Please try again "
            "in a minute."
        )
        if database_down(error)
        else t.gettext(
            "Sorry, something went wrong on my side. It has been recorded; please try "
            "again in a moment."
        )
    )
    chat_id = update.effective_chat.id
    try:
        query = update.callback_query
        if query is not None and ANSWERED.get() != query.id and answering(query.id):
            await _answer_if_still_open(update)
        await context.bot.send_message(chat_id, apology, parse_mode=ParseMode.HTML)
    except RetryAfter as refusal:  # after the rate limiter's retries: kept, not dropped
        metrics.flood_round("reply")
        key = f"{update_key(update, runtime.settings.pseudonym_secret)}:apology"
        try:
            await held.tell(context.application, chat_id=chat_id, text=apology, key=key)
        except Exception as failure:  # the database away too: sent from memory when allowed
            log.warning("apology for update %s not kept (%r): in memory", update_id, failure)
            bot = context.bot
            follow_ups.start(
                context.application,
                chat_id=chat_id,
                calls=[lambda: bot.send_message(chat_id, apology, parse_mode=ParseMode.HTML)],
                refused=refusal,
                what=f"update {update_id} (apology)",
                key=key,
                notice=apology,
            )
    except TelegramError:
        log.warning("could not send the apology for update %s", update_id)


def _operational(error: BaseException | None) -> bool:
    return isinstance(error, TelegramError) or database_down(error) or database_busy(error)


async def _answer_if_still_open(update: Update) -> None:
    """Stop the button's spinner when the handler failed before answering it; if Telegram
    says the query is too old (answered by an earlier try), the apology goes out all the same."""
    assert update.callback_query is not None
    try:
        await update.callback_query.answer()
    except BadRequest as error:
        if not too_old(error):
            raise
