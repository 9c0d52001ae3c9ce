"""Keyboards the local server accepts or refuses, and edits and deletions of sent messages.

Tests of the local Telegram Bot API server, over real HTTP, with python-telegram-bot's `Bot` and
raw aiohttp requests (`wire.raw`)."""

from __future__ import annotations

from typing import Any

import pytest
import telegram
from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest

from bot.local_api import LocalBotApi
from tests.local_api.wire import keyboard, raw

# -- keyboards ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("button", "description"),
    [
        ({"text": "x", "callback_data": "ñ" * 33}, "Bad Request: BUTTON_DATA_INVALID"),
        (
            {"text": "x", "url": "ftp://example.com"},
            "Bad Request: inline keyboard button URL 'ftp://example.com' is invalid: "
            "Unsupported URL protocol",
        ),
        (
            {"text": "x", "url": "not-a-url"},
            "Bad Request: inline keyboard button URL 'not-a-url' is invalid: Wrong HTTP URL",
        ),
        (
            {"text": "x"},
            "Bad Request: can't parse inline keyboard button: Text buttons are "
            "unallowed in the inline keyboard",
        ),
        (
            {"text": "x", "callback_data": ""},
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        ),
        (
            {"text": "x", "callback_data": "a", "url": "https://example.com"},
            "Bad Request: can't parse inline keyboard button: exactly one of the optional fields "
            "must be used",
        ),
        ({"text": "", "callback_data": "a"}, "Bad Request: BUTTON_TEXT_INVALID"),
        (
            {"callback_data": "a"},
            "Bad Request: can't parse inline keyboard button: Can't find field \"text\"",
        ),
    ],
)
async def test_invalid_inline_buttons(
    api: LocalBotApi, chat: int, button: dict[str, Any], description: str
) -> None:
    markup = {"inline_keyboard": [[button]]}
    status, body = await raw(
        api, "sendMessage", json={"chat_id": chat, "text": "x", "reply_markup": markup}
    )
    assert (status, body["description"]) == (400, description)


async def test_valid_keyboards(api: LocalBotApi, bot: telegram.Bot, chat: int) -> None:
    limit = "ñ" * 32  # 64 UTF-8 bytes
    buttons = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Datos", callback_data=limit)],
            [InlineKeyboardButton("Web", url="https://minem.gob.pe")],
            [InlineKeyboardButton("Buscar", switch_inline_query_current_chat="")],
        ]
    )
    sent = await bot.send_message(chat, "menú", reply_markup=buttons)
    assert sent.reply_markup == buttons
    reply_keyboard = ReplyKeyboardMarkup([[KeyboardButton("Sí"), "No"]], resize_keyboard=True)
    for markup in (reply_keyboard, ReplyKeyboardRemove(), ForceReply()):
        message = await bot.send_message(chat, "pregunta", reply_markup=markup)
        assert message.reply_markup is None  # only inline keyboards belong to a message
    events = api.drain(chat)
    assert events[0].button_texts() == ["Datos", "Web", "Buscar"]
    assert events[1].reply_markup == {
        "keyboard": [[{"text": "Sí"}, {"text": "No"}]],
        "resize_keyboard": True,
    }
    assert [e.buttons for e in events[1:]] == [[], [], []]


# -- edits and deletions --------------------------------------------------------------------


async def test_edit_text_updates_the_stored_message(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    sent = await bot.send_message(chat, "Paso 1", reply_markup=keyboard(("Siguiente", "next")))
    edited = await bot.edit_message_text(
        "<b>Paso 2</b>",
        chat,
        sent.message_id,
        parse_mode="HTML",
        reply_markup=keyboard(("Fin", "end")),
    )
    assert isinstance(edited, telegram.Message) and edited.edit_date is not None
    current = api.messages(chat)[-1]
    assert current["text"] == "Paso 2"
    assert current["entities"] == [{"type": "bold", "offset": 0, "length": 6}]
    assert current["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "end"
    await bot.edit_message_text("Paso 3", chat, sent.message_id)  # no markup: keyboard removed
    assert "reply_markup" not in api.messages(chat)[-1]
    events = api.drain(chat)
    assert [(e.method, e.message_id) for e in events] == [
        ("sendMessage", sent.message_id),
        ("editMessageText", sent.message_id),
        ("editMessageText", sent.message_id),
    ]
    assert events[1].text == "Paso 2" and events[1].html == "<b>Paso 2</b>"
    assert events[2].buttons == []


async def test_edit_errors(api: LocalBotApi, bot: telegram.Bot, chat: int) -> None:
    sent = await bot.send_message(chat, "igual", reply_markup=keyboard(("A", "a")))
    with pytest.raises(BadRequest, match="Message is not modified: specified new message"):
        await bot.edit_message_text(
            "igual", chat, sent.message_id, reply_markup=keyboard(("A", "a"))
        )
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat, 999)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", chat, 1)  # the user's /start
    status, body = await raw(api, "editMessageText", json={"text": "x"})
    assert (status, body["description"]) == (
        400,
        "Bad Request: message identifier is not specified",
    )
    assert api.drain(chat)[-1].method == "sendMessage"


async def test_edit_reply_markup(api: LocalBotApi, bot: telegram.Bot, chat: int) -> None:
    sent = await bot.send_message(chat, "elige", reply_markup=keyboard(("A", "a")))
    await bot.edit_message_reply_markup(chat, sent.message_id, reply_markup=keyboard(("B", "b")))
    assert api.messages(chat)[-1]["reply_markup"]["inline_keyboard"] == [
        [{"text": "B", "callback_data": "b"}]
    ]
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(
            chat, sent.message_id, reply_markup=keyboard(("B", "b"))
        )
    await bot.edit_message_reply_markup(chat, sent.message_id)
    last = api.drain(chat)[-1]
    assert (last.method, last.text, last.buttons) == ("editMessageReplyMarkup", "elige", [])


async def test_delete_message(api: LocalBotApi, bot: telegram.Bot, chat: int) -> None:
    sent = await bot.send_message(chat, "temporal")
    assert await bot.delete_message(chat, sent.message_id) is True
    assert [m["text"] for m in api.messages(chat)] == ["/start"]
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(chat, sent.message_id)
    assert api.drain(chat)[-1].method == "deleteMessage"


async def test_a_message_sent_48_hours_ago_cannot_be_deleted(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    """deleteMessage: «A message can only be deleted if it was sent less than 48 hours
    ago» (Bot API); Telegram answers «message can't be deleted», the message's age, not
    the request's fault."""
    first = await bot.send_message(chat, "anteayer, primero")
    second = await bot.send_message(chat, "anteayer, segundo")
    api.advance_time(48 * 3600 - 60)
    assert await bot.delete_message(chat, first.message_id) is True
    api.advance_time(60)
    with pytest.raises(BadRequest, match="Message can't be deleted"):
        await bot.delete_message(chat, second.message_id)
    start = next(m for m in api.messages(chat) if m.get("text") == "/start")
    with pytest.raises(BadRequest, match="Message can't be deleted"):
        await bot.delete_message(chat, start["message_id"])  # incoming ones too
    fresh = await bot.send_message(chat, "hoy")
    assert await bot.delete_message(chat, fresh.message_id) is True
    assert [m["text"] for m in api.messages(chat)] == ["/start", "anteayer, segundo"]
    assert api.malformed_requests == []
