"""Builds the python-telegram-bot Application: Bot API address, rate limiting, update
concurrency, every handler (registered in `handlers.register`) and the command menu."""

from __future__ import annotations

import html
import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes

import handlers
from bot import (
    follow_ups,
    heap,
    held,
    kb_reload,
    kb_reviews,
    metrics,
    outbox,
    owed_replies,
    replicas,
    retention,
    stalls,
    workers,
)
from bot.clock import Clock
from bot.config import ConfigError, Settings
from bot.i18n import translator, warm
from bot.inbox import Inbox
from bot.ratelimit import PriorityRateLimiter
from bot.runtime import Runtime
from bot.transport import AiohttpRequest
from bot.updates import (
    FloodGuard,
    PacedQueue,
    PerUserUpdateProcessor,
    UpdatesRequest,
    inbox_in,
)
from handlers import bot_description, broadcast_copies, command_menu
from handlers.update_keys import update_key
from knowledge.base import KnowledgeBase
from storage.db import Database
from storage.repositories import app_state
from storage.repositories import outbox as outbox_rows

log = logging.getLogger(__name__)
CHECKPOINT_SECONDS = 5  # the WAL stays small (a few hundred pages at 25 updates/s)


# The updates Minka asks Telegram for, from the handlers registered here; the runner and the
# webhook take it from this module so that only the application builder imports the handlers.
ALLOWED_UPDATES = handlers.ALLOWED_UPDATES


def file_url_for(base_url: str) -> str:
    """Telegram serves files under /file/bot<token>; self-hosted servers follow the same scheme."""
    return base_url[: -len("/bot")] + "/file/bot" if base_url.endswith("/bot") else base_url


def build_application(settings: Settings, db: Database, knowledge: KnowledgeBase) -> Application:
    if settings.token is None:
        raise ConfigError(
            "Falta TELEGRAM_BOT_TOKEN: pida un token a @BotFather en Telegram y defínalo en el "
            "entorno o en .env, o pruebe Minka sin token con `python -m bot demo`."
        )
    processor = PerUserUpdateProcessor(
        settings.concurrent_updates,
        FloodGuard(settings.flood_limit, settings.flood_window_seconds),
        settings.press_early_seconds,
    )
    updates_request = UpdatesRequest(connection_pool_size=1)
    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_url_for(settings.telegram_api_base_url))
        .request(AiohttpRequest())
        .get_updates_request(updates_request)
        .rate_limiter(PriorityRateLimiter(settings.rate_limit_per_second))
        .concurrent_updates(processor)
        .update_queue(PacedQueue(processor))
        .post_init(_announce_commands)
        .post_stop(_stopped)
        .build()
    )
    runtime = Runtime(
        settings=settings, db=db, knowledge=knowledge, clock=Clock(settings.clock_offset)
    )
    application.bot_data["runtime"] = runtime
    processor.inbox = updates_request.inbox = Inbox(db, runtime.clock.now)
    handlers.register(application)
    warm(settings.timezone)
    metrics.watch_database(db)
    processor.on_flood = lambda update: flood_notice(application, update, settings)
    processor.on_dropped = dropped_press
    processor.on_waiting_press = dropped_press  # answered silently, handled in its turn
    outbox.install(
        application,
        outbox.Senders(
            handlers.outbox_renderers(), handlers.outbox_after_send(), handlers.outbox_withhold()
        ),
        settings.outbox_interval_seconds,
    )
    assert application.job_queue is not None
    replicas.join(application)
    owed_replies.install(application)
    kb_reload.join(application)
    kb_reviews.install(application)
    application.job_queue.run_repeating(
        retention.job, interval=retention.EVERY, first=60, name="retention"
    )
    if db.engine.dialect.name == "sqlite":
        application.job_queue.run_repeating(
            _checkpoint, interval=CHECKPOINT_SECONDS, first=CHECKPOINT_SECONDS, name="checkpoint"
        )
    return application


def inbox_of(application: Application) -> Inbox:
    """The application's updates in hand (bot/inbox.py)."""
    inbox = inbox_in(application)
    assert inbox is not None
    return inbox


async def _stopped(application: Application) -> None:
    """Leave the replicas' count; abandon report jobs under way (bot/workers.py), their
    people told at the next start (bot/follow_ups.py); no more stall watching; a broadcast's
    copies being written end at their batch (resumed at the next start)."""
    await broadcast_copies.stopped()
    await inbox_of(application).flush()  # the handled updates' rows: none kept after a stop
    workers.released()
    await follow_ups.stopped(application)
    stalls.stop()
    await replicas.leave(application)


async def _checkpoint(context: ContextTypes.DEFAULT_TYPE) -> None:
    """SQLite's WAL copied into the database file off the write turn (storage/sqlite.py)."""
    try:
        await context.bot_data["runtime"].db.checkpoint()
    except (SQLAlchemyError, OSError) as error:  # the commits' backstop still applies
        log.warning("WAL checkpoint failed: %s", error)


async def flood_notice(application: Application, update: Update, settings: Settings) -> None:
    """Tell someone who sends too much, once, to wait (their extra updates are dropped); in
    BOT_LOCALE, not their Telegram app's language, which no one chose for Minka (nothing is
    read from the database here, where their /perfil choice is)."""
    user = update.effective_user
    text = translator(settings.bot_locale, settings.timezone).gettext(
        "You are sending many messages in a row. Please wait a moment, then try again."
    )
    log.info("flood from user %s: updates dropped for a while", user.id if user else None)
    chat = update.effective_chat
    private = chat is not None and chat.type == "private"
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif private:
            await application.bot.send_message(chat.id, text)
    except RetryAfter:  # after the rate limiter's retries: kept for the outbox, not dropped
        metrics.flood_round("reply")
        if private:  # a press's alert cannot wait: the notice comes in the chat instead
            key = f"{update_key(update, settings.pseudonym_secret)}:flood"
            try:
                await held.tell(application, chat_id=chat.id, text=html.escape(text), key=key)
            except Exception as failure:  # the database away: nothing left to keep it in
                log.warning("could not keep the flood notice: %r", failure)
    except TelegramError as error:
        log.warning("could not send the flood notice: %s", error)


async def dropped_press(update: Update) -> None:
    """A press dropped by the anti-flood is still answered, silently: else the button spins
    on the person's phone until Telegram gives up (the notice was given once already)."""
    if update.callback_query is None:
        return
    try:
        await update.callback_query.answer()
    except TelegramError as error:
        log.info("could not answer a dropped press: %s", error)


async def _announce_commands(application: Application) -> None:
    """Set Telegram's command menus (a job, outlasting flood control), remember the bot's
    @username for the links the CLI prints, and which chats have replies held back from
    before a restart (their new replies queue behind them)."""
    heap.settle()  # full collections no longer walk the Tool Kit and the modules
    heap.watch()  # from now on: the start-up collection is no reply's pause
    stalls.watch()  # any stretch of 100 ms or more without the event loop, logged
    runtime: Runtime = application.bot_data["runtime"]
    workers.prepare(runtime.settings.worker_nice)  # the report workers' pool, before any update
    async with runtime.db.session() as session:
        await app_state.put(session, "bot_username", application.bot.username)
        runtime.held.chats = await outbox_rows.chats_waiting(session, held.KIND)
    await broadcast_copies.resume(runtime.db)  # copies a stop interrupted
    await owed_replies.resend(application)  # replies a killed process owed, then:
    await inbox_of(application).replay(application)  # updates a killed process left
    await replicas.beat_now(application)  # at once: the job's first beat is an interval away
    command_menu.set_at_start(application)  # a job: start-up does not wait for Telegram
    bot_description.set_at_start(application)  # a job too: where none is set yet
