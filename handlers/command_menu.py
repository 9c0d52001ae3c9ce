"""Telegram's command menu (setMyCommands): everyone's commands for all private chats, and
each coordinator's and admin's own chat scope with their extra commands: set at start-up by a
job that outlasts flood control, and owed through the outbox when someone's role changes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes, JobQueue

from bot import metrics
from bot.i18n import LANGUAGES, Translator, translator
from bot.outbox import Outgoing
from bot.ratelimit import retry_after
from bot.runtime import Runtime
from bot.services.roles import Role, allows
from storage.repositories import people
from storage.repositories.outbox import OwedMessage

log = logging.getLogger(__name__)
_UTC = ZoneInfo("UTC")  # command descriptions contain no dates
START_UP = "command menus"  # the start-up job's name
AGAIN = timedelta(seconds=30)  # after a database error, the start-up job's next run


def commands_for(role: Role | None, language: str) -> list[BotCommand]:
    from handlers import all_commands  # the registry imports this module

    t = translator(language, _UTC)
    return [
        BotCommand(command.name, t.gettext(command.description))
        for command in all_commands()
        if command.in_menu
        and (command.role is None or (role is not None and allows(role, command.role)))
    ]


def set_at_start(application: Application) -> None:
    """Everyone's menu (in each language Telegram may ask) and each staff member's own, set by
    a job, so that start-up waits for none of it. Under flood control past the rate
    limiter's retries the job runs again after Telegram's retry_after, for as long as
    Telegram refuses, going on where it stopped: with five tries it gave up after ~20 s of
    429s, and people kept an old menu until the next start."""
    runtime: Runtime = application.bot_data["runtime"]
    default = runtime.settings.bot_locale
    languages = [default, *(language for language in LANGUAGES if language != default)]
    assert application.job_queue is not None
    _schedule(application.job_queue, _Owed(languages), 0.0)


@dataclass(slots=True)
class _Owed:
    """What start-up has still to set: everyone's menu in `languages` (the default one
    first), then the menus of the staff `chats` (None: not listed yet)."""

    languages: list[str]
    chats: list[int] | None = None


def _schedule(job_queue: JobQueue, owed: _Owed, delay: float) -> None:
    # No misfire grace: scheduled before the job queue starts (post_init), it must still run.
    job_queue.run_once(
        _set_owed, delay, data=owed, name=START_UP, job_kwargs={"misfire_grace_time": None}
    )


async def _set_owed(context: ContextTypes.DEFAULT_TYPE) -> None:
    runtime: Runtime = context.bot_data["runtime"]
    owed = context.job.data if context.job else None
    assert isinstance(owed, _Owed) and context.job_queue is not None
    settings = runtime.settings
    try:
        while owed.languages:
            language = owed.languages[0]
            await context.bot.set_my_commands(
                commands_for(None, language),
                scope=BotCommandScopeAllPrivateChats(),
                language_code=None if language == settings.bot_locale else language,
            )
            owed.languages.pop(0)
        if owed.chats is None:
            async with runtime.db.session() as session:
                staff = {telegram_id for telegram_id, _role, _locale in await people.staff(session)}
            owed.chats = sorted(staff | settings.bot_admin_ids)
        while owed.chats:
            await _set_for_staff(context.bot, runtime, owed.chats[0])
            owed.chats.pop(0)
    except RetryAfter as error:  # after the rate limiter's retries: again when Telegram allows
        wait = retry_after(error).total_seconds()
        metrics.flood_round("start_menus")
        log.info("command menus: flood control, trying again in %g s", wait)
        _schedule(context.job_queue, owed, wait)
    except SQLAlchemyError as error:  # the database away: look again soon
        log.warning("command menus: database error (%r), trying again", error)
        _schedule(context.job_queue, owed, AGAIN.total_seconds())
    except TelegramError as error:
        log.warning("could not set the command menu: %s", error)


async def _set_for_staff(bot: Bot, runtime: Runtime, chat_id: int) -> None:
    """The menu of the role the person has now (read at the call, so a role changed since
    start-up is not undone: that change owes its own menu through the outbox)."""
    settings = runtime.settings
    async with runtime.db.session() as session:
        person = await people.get(session, chat_id)
    if chat_id in settings.bot_admin_ids:
        role = Role.ADMIN
    elif person is not None and person.role != Role.OFFICIAL.value:
        role = Role(person.role)
    else:
        return  # no longer staff: taking the role away owed their menu
    language = person.locale if person is not None else settings.bot_locale
    try:
        await bot.set_my_commands(commands_for(role, language), scope=BotCommandScopeChat(chat_id))
    except RetryAfter:
        raise
    except TelegramError as error:
        # Expected for someone who has not opened a chat with Minka yet.
        log.info("command menu for chat %s not set: %s", chat_id, error)


async def render(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing:
    """A menu owed to a person's chat (bot/services/staff.py: `owe_menu`): the commands of
    the role they were given, set by the outbox, which puts it back under flood control."""
    commands = commands_for(Role(owed.payload["role"]), str(owed.payload["language"]))
    scope = BotCommandScopeChat(owed.telegram_id)

    async def call(bot: Bot, limits: dict[str, object]) -> None:
        await bot.set_my_commands(commands, scope=scope, rate_limit_args=limits)

    return Outgoing("", call=call)
