"""The error handler: log with context, apologise in Spanish, mark people who blocked Minka."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.i18n import translator
from handlers.base import runtime_of
from storage.errors import database_busy, database_down
from storage.repositories import people
from storage.types import utcnow

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    user = update.effective_user if isinstance(update, Update) else None
    update_id = update.update_id if isinstance(update, Update) else None
    runtime = runtime_of(context)
    if isinstance(error, Forbidden) and user is not None:
        async with runtime.db.session() as session:
            if await people.mark_blocked(session, user.id, utcnow()):
                log.info("user %s blocked Minka; marked inactive", user.id)
        return
    log.error(
        "update %s from user %s failed: %r",
        update_id,
        user.id if user else None,
        error,
        exc_info=error if not isinstance(error, NetworkError) else None,
    )
    if not isinstance(update, Update) or update.effective_chat is None or user is None:
        return
    language = user.language_code if user.language_code == "en" else runtime.settings.bot_locale
    t = translator(language, runtime.settings.timezone)
    try:
        if update.callback_query is not None:
            await _answer_if_still_open(update)
        await context.bot.send_message(
            update.effective_chat.id,
            t.gettext(
                "I am very busy right now, so nothing was saved. Please try again in a minute."
            )
            if database_busy(error)
            else t.gettext(
                "I cannot reach my database right now, so nothing was saved. Please try again "
                "in a minute."
            )
            if database_down(error)
            else t.gettext(
                "Sorry, something went wrong on my side. It has been recorded; please try "
                "again in a moment."
            ),
            parse_mode=ParseMode.HTML,
        )
    except TelegramError:
        log.warning("could not send the apology for update %s", update_id)


async def _answer_if_still_open(update: Update) -> None:
    """Stop the button's spinner; the handler has often answered it already (Telegram then
    says the query is too old), and the apology must go out all the same."""
    assert update.callback_query is not None
    try:
        await update.callback_query.answer()
    except BadRequest as error:
        if "query is too old" not in error.message.lower():
            raise
