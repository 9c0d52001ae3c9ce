"""Injected faults (errors, stalls, flood control), the helpers tests use to watch the server,
and a real python-telegram-bot Application polling it end to end.

Tests of the local Telegram Bot API server, over real HTTP, with python-telegram-bot's `Bot` and
raw aiohttp requests (`wire.raw`)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import telegram
from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.local_api import BotEvent, Fault, LocalBotApi
from tests.local_api.wire import USER, keyboard, raw

# -- faults and flood control ---------------------------------------------------------------


# Issue #15: RetryAfter is read without PTB's deprecation warning (PTB_TIMEDELTA), not hidden.
@pytest.mark.filterwarnings("error::telegram.warnings.PTBDeprecationWarning")
async def test_injected_errors(api: LocalBotApi, bot: telegram.Bot, chat: int) -> None:
    api.inject("sendMessage", Fault.server_error(502))
    status, body = await raw(api, "sendMessage", json={"chat_id": chat, "text": "x"})
    assert (status, body) == (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    api.inject("*", Fault.forbidden(), times=2)
    for _ in range(2):
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.get_me()
    api.inject("sendmessage", Fault.too_many_requests(retry_after=3))
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(chat, "x")
    assert flood.value.retry_after == timedelta(seconds=3)  # PTB_TIMEDELTA: bot/__init__.py
    assert (await bot.send_message(chat, "ok")).text == "ok"
    assert [e.text for e in api.drain(chat)] == ["ok"]  # failed calls did nothing


async def test_stall_and_disconnect(api: LocalBotApi, bot: telegram.Bot, chat: int) -> None:
    api.inject("sendMessage", Fault.stall(0.3))
    with pytest.raises(TimedOut):
        await bot.send_message(chat, "lento", read_timeout=0.05)
    api.inject("sendMessage", Fault.disconnect())
    with pytest.raises(NetworkError):
        await bot.send_message(chat, "cortado")
    assert [name for name, _ in api.calls].count("sendMessage") == 2


async def test_flood_control(api: LocalBotApi, bot: telegram.Bot, chat: int) -> None:
    api.rate_limit(None, per_chat_per_second=1)
    await bot.send_message(chat, "uno")
    status, body = await raw(api, "sendMessage", json={"chat_id": chat, "text": "dos"})
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    api.rate_limit(None)
    assert (await bot.send_message(chat, "tres")).text == "tres"


# -- observation helpers --------------------------------------------------------------------


async def test_next_event_timeout_lists_recent_events(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    await bot.send_message(chat, "hola")
    with pytest.raises(TimeoutError, match=r"no bot action in chat 7 .*sendMessage→42: 'hola'"):
        await api.next_event(7, timeout=0.01)


async def test_wait_for_call_hands_out_each_call_once(api: LocalBotApi, bot: telegram.Bot) -> None:
    await bot.get_my_commands(language_code="es")
    english = asyncio.create_task(
        api.wait_for_call("GETMYCOMMANDS", lambda p: p.get("language_code") == "en", timeout=2)
    )
    await asyncio.sleep(0)
    assert not english.done()  # the past call does not match the predicate
    assert await api.wait_for_call("getMyCommands") == {"language_code": "es"}
    await bot.get_my_commands(language_code="en")
    assert await english == {"language_code": "en"}
    with pytest.raises(TimeoutError, match="no matching getMyCommands call"):
        await api.wait_for_call("getMyCommands", timeout=0.01)


def test_bot_event_button_helpers() -> None:
    markup = {
        "inline_keyboard": [
            [{"text": "Ver reporte", "callback_data": "r"}],
            [{"text": "Salir", "callback_data": "q"}],
        ]
    }
    event = BotEvent("sendMessage", 1, 1, "t", "t", markup, {})
    assert event.button_texts() == ["Ver reporte", "Salir"]
    assert event.find_button("REPORTE")["callback_data"] == "r"
    with pytest.raises(AssertionError, match=r"\['Ver reporte', 'Salir'\]"):
        event.find_button("Ayuda")


# -- a real python-telegram-bot Application -------------------------------------------------


async def test_user_ids_have_at_most_52_bits(api: LocalBotApi, bot: telegram.Bot) -> None:
    """User.id «has at most 52 significant bits»: the largest one is a user like any other;
    a test cannot make up an id Telegram never gives."""
    largest = 2**52 - 1
    api.add_user(largest, "Grande")
    await api.send_message(largest, "/start")
    sent = await bot.send_message(largest, "hola")
    assert sent.chat.id == largest
    for impossible in (0, -5, 2**52):
        with pytest.raises(ValueError, match="52"):
            api.add_user(impossible, "Nadie")


async def test_application_polling_end_to_end(api: LocalBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html(
            "<b>Bienvenida</b>", reply_markup=keyboard(("Continuar", "go"))
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("👍")
        await query.edit_message_text(f"Elegiste {query.data}")

    app = Application.builder().token(api.token).base_url(api.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await api.send_message(USER, "/start")
        welcome = await api.next_event(USER)
        assert (welcome.text, welcome.find_button("continuar")["callback_data"]) == (
            "Bienvenida",
            "go",
        )
        query_id = await api.press_button(USER, welcome.message_id, "go")
        assert (await api.callback_answer(query_id))["text"] == "👍"
        edited = await api.next_event(USER)
        assert (edited.method, edited.text, edited.buttons) == (
            "editMessageText",
            "Elegiste go",
            [],
        )
        await app.updater.stop()
        await app.stop()
