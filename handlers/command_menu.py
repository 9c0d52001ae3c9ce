"""Telegram's command menu (setMyCommands): everyone's commands for all private chats, and
each coordinator's and admin's own chat scope with their extra commands: set for every staff
member at start-up, and owed through the outbox when someone's role changes."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import RetryAfter, TelegramError

from bot.i18n import LANGUAGES, Translator, translator
from bot.outbox import Outgoing
from bot.ratelimit import retry_after
from bot.services.roles import Role, allows
from storage.db import Database
from storage.repositories import people
from storage.repositories.outbox import OwedMessage

log = logging.getLogger(__name__)
_UTC = ZoneInfo("UTC")  # command descriptions contain no dates
MENU_TRIES = 5  # a chat's menu under flood control: tries, each after Telegram's retry_after


def commands_for(role: Role | None, language: str) -> list[BotCommand]:
    from handlers import all_commands  # the registry imports this module

    t = translator(language, _UTC)
    return [
        BotCommand(command.name, t.gettext(command.description))
        for command in all_commands()
        if command.in_menu
        and (command.role is None or (role is not None and allows(role, command.role)))
    ]


async def set_defaults(bot: Bot, default_language: str) -> None:
    """Everyone's menu, in the default language and in each other language Telegram may ask."""
    scope = BotCommandScopeAllPrivateChats()
    await _set(bot, commands_for(None, default_language), scope)
    for language in LANGUAGES:
        if language != default_language:
            await _set(bot, commands_for(None, language), scope, language)


async def set_for_chat(bot: Bot, chat_id: int, role: Role, language: str) -> bool:
    """The staff menu in one person's chat; False when Telegram refuses (e.g. no chat yet)."""
    try:
        await _set(bot, commands_for(role, language), BotCommandScopeChat(chat_id))
    except TelegramError as error:
        # Expected for someone who has not opened a chat with Minka yet.
        log.info("command menu for chat %s not set: %s", chat_id, error)
        return False
    return True


async def _set(
    bot: Bot, commands: list[BotCommand], scope: BotCommandScope, language: str | None = None
) -> None:
    """setMyCommands, which under flood control past the rate limiter's retries waits
    Telegram's retry_after and tries again, MENU_TRIES times: else people keep a menu
    that is not theirs (an old role's) until the next start."""
    for attempt in range(1, MENU_TRIES + 1):
        try:
            await bot.set_my_commands(commands, scope=scope, language_code=language)
            return
        except RetryAfter as error:
            if attempt == MENU_TRIES:
                raise
            await asyncio.sleep(retry_after(error).total_seconds())


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


async def sync_staff(bot: Bot, db: Database, admin_ids: frozenset[int], language: str) -> None:
    """At start-up: every coordinator's and admin's chat gets the menu of their role."""
    async with db.session() as session:
        staff = {tid: (role, locale) for tid, role, locale in await people.staff(session)}
    for telegram_id in sorted(set(staff) | admin_ids):
        stored_role, locale = staff.get(telegram_id, (Role.OFFICIAL.value, language))
        role = Role.ADMIN if telegram_id in admin_ids else Role(stored_role)
        await set_for_chat(bot, telegram_id, role, locale)
