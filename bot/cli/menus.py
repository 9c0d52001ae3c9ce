"""`python -m bot admin restablecer-menu ID`: one chat's command menu and menu button set again
to what the person can use now, from the shell. For a chat no record names: an administrator
taken out of BOT_ADMIN_IDS before start-up kept the chats given an admin's menu, who never
registered nor left a trace (storage/repositories/staff_traces.py), keeps /auditoria... in
their menu; the commands are refused, but the menu shows them."""

from __future__ import annotations

import sys

from telegram import MenuButtonDefault
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import ExtBot

from bot.cli.commands import migrated, telegram_unreachable
from bot.config import Settings
from bot.ratelimit import retry_after
from bot.transport import AiohttpRequest
from handlers.command_menu import ADMIN_MENU, own_menu, set_own_menu
from storage.repositories import app_state


async def reset_menu(settings: Settings, telegram_id: int) -> int:
    """deleteMyCommands (or the person's own menu, when they have one: a registered official's,
    a staff member's) in the chat's scope, and the chat's menu button back to the default;
    both harmless on a chat that has none of its own."""
    if settings.token is None:
        print("Falta TELEGRAM_BOT_TOKEN: sin él no se puede hablar con Telegram.", file=sys.stderr)
        return 2
    async with migrated(settings) as db, db.session() as session:
        commands = await own_menu(session, telegram_id, settings)
    # ExtBot: the calls shared with start-up name their rate limiter's arguments (none here).
    bot = ExtBot(settings.token, base_url=settings.telegram_api_base_url, request=AiohttpRequest())
    try:
        async with bot:
            await set_own_menu(bot, telegram_id, commands, {})
            await bot.set_chat_menu_button(chat_id=telegram_id, menu_button=MenuButtonDefault())
    except RetryAfter as error:
        wait = round(retry_after(error).total_seconds())
        print(
            f"Telegram pide esperar {wait} s (control de flujo): repita la orden después.",
            file=sys.stderr,
        )
        return 1
    except (BadRequest, Forbidden) as error:
        print(
            f"Telegram no cambió el menú de {telegram_id} ({error.message}): si esa persona "
            "nunca escribió a Minka, no tiene un menú propio que quitar.",
            file=sys.stderr,
        )
        return 1
    except (InvalidToken, NetworkError) as error:
        print(telegram_unreachable(error, settings), file=sys.stderr)
        return 2
    async with migrated(settings) as db, db.session() as session:
        await app_state.drop(session, f"{ADMIN_MENU}{telegram_id}")  # nothing left to reset
    if telegram_id in settings.bot_admin_ids:
        print(
            f"Aviso: {telegram_id} está en BOT_ADMIN_IDS: el próximo arranque le devolverá el "
            "menú de administrador; quítelo de allí primero.",
            file=sys.stderr,
        )
    kept = f"su menú propio ({len(commands)} órdenes)" if commands else "el menú de todos"
    print(f"Listo: el chat {telegram_id} tiene ahora {kept} y el botón de menú por defecto.")
    return 0
