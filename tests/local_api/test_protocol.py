"""The Bot API's protocol as the local server speaks it: methods, tokens, parameter encodings,
errors; and which chats a bot can reach (blocked people, groups).

Tests of the local Telegram Bot API server, over real HTTP, with python-telegram-bot's `Bot` and
raw aiohttp requests (`wire.raw`)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
import telegram
from telegram.error import BadRequest, Forbidden, InvalidToken

from bot.local_api import LocalBotApi
from tests.local_api.wire import USER, raw

# -- protocol -------------------------------------------------------------------------------


async def test_get_me_describes_the_bot(api: LocalBotApi, bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (
        123456789,
        "minka_test_bot",
        "Minka",
        True,
    )
    assert me.supports_inline_queries is True
    assert me.can_read_all_group_messages is False
    assert api.bot_user["id"] == me.id


async def test_unknown_method_is_telegrams_404(api: LocalBotApi) -> None:
    status, body = await raw(api, "sendTelepathy", json={"chat_id": USER})
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_wrong_and_malformed_tokens(api: LocalBotApi) -> None:
    status, body = await raw(api, "getMe", token="987654321:OTHER")
    assert (status, body["description"]) == (401, "Unauthorized")
    status, body = await raw(api, "getMe", token="not-a-token")
    assert (status, body["description"]) == (404, "Not Found")
    wrong = telegram.Bot("987654321:OTHER", base_url=api.base_url)
    with pytest.raises(InvalidToken, match="rejected by the server"):
        await wrong.initialize()
    await wrong.shutdown()


async def test_method_names_are_case_insensitive(api: LocalBotApi, chat: int) -> None:
    status, body = await raw(api, "GETME")
    assert status == 200 and body["result"]["username"] == "minka_test_bot"
    status, body = await raw(api, "sendmessage", json={"chat_id": chat, "text": "hola"})
    assert status == 200 and body["result"]["text"] == "hola"
    assert [name for name, _ in api.calls] == ["getMe", "sendMessage"]


async def test_parameters_from_every_encoding_are_coerced(api: LocalBotApi, chat: int) -> None:
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    await raw(api, "sendMessage", http_method="GET", params={"chat_id": str(chat), "text": "q"})
    await raw(
        api,
        "sendMessage",
        json={"chat_id": chat, "text": "j", "disable_notification": True, "reply_markup": markup},
    )
    await raw(
        api,
        "sendMessage",
        data={
            "chat_id": str(chat),
            "text": "f",
            "protect_content": "true",
            "reply_markup": json.dumps(markup),
        },
    )
    form = aiohttp.FormData()
    form.add_field("chat_id", str(chat))
    form.add_field("text", "m")
    await raw(api, "sendMessage", data=form)

    sent = [params for name, params in api.calls if name == "sendMessage"]
    assert [params["text"] for params in sent] == ["q", "j", "f", "m"]
    assert all(params["chat_id"] == chat for params in sent)
    assert sent[1]["disable_notification"] is True and sent[1]["reply_markup"] == markup
    assert sent[2]["protect_content"] is True and sent[2]["reply_markup"] == markup
    assert [m["text"] for m in api.messages(chat)] == ["/start", "q", "j", "f", "m"]
    assert api.messages(chat)[3]["has_protected_content"] is True


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"chat_id": USER}, "Bad Request: message text is empty"),
        ({"chat_id": USER, "text": ""}, "Bad Request: message text is empty"),
        ({"text": "hola"}, "Bad Request: chat_id is empty"),
        ({"chat_id": USER, "text": " \n "}, "Bad Request: text must be non-empty"),
        # What TDLib counts as nothing (is_empty_string): zero-width and direction marks, the
        # Braille blank, no-break and other Unicode spaces, the BOM, even inside formatting.
        (
            {"chat_id": USER, "text": "\u200b\u200c\u200d\u200e\u200f\u2800\u00a0\u3000\ufeff"},
            "Bad Request: text must be non-empty",
        ),
        (
            {"chat_id": USER, "text": "<b>\u200b</b> \u2003", "parse_mode": "HTML"},
            "Bad Request: text must be non-empty",
        ),
        (
            {"chat_id": USER, "text": "x", "parse_mode": "BBCode"},
            "Bad Request: unsupported parse_mode",
        ),
        (
            {"chat_id": USER, "text": "x", "disable_notification": "maybe"},
            'Bad Request: parameter "disable_notification" must be a Boolean',
        ),
        (
            {"chat_id": USER, "text": "x", "reply_markup": "{oops"},
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
    ],
)
async def test_send_message_parameter_errors(
    api: LocalBotApi, chat: int, params: dict[str, Any], description: str
) -> None:
    status, body = await raw(api, "sendMessage", data={k: str(v) for k, v in params.items()})
    assert (status, body) == (400, {"ok": False, "error_code": 400, "description": description})


# -- chats ----------------------------------------------------------------------------------


async def test_chat_reachability(api: LocalBotApi, bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hola")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(USER, "hola")  # registered, but never wrote to the bot
    await api.send_message(USER, "hola bot")
    sent = await bot.send_message(USER, "hola Ana")
    assert sent.chat.id == USER and sent.from_user.id == api.bot_user["id"]


async def test_blocked_user_gets_403_until_unblocked(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    api.block(USER)
    status, body = await raw(api, "sendMessage", json={"chat_id": chat, "text": "x"})
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(chat, "typing")
    api.unblock(USER)
    assert (await bot.send_message(chat, "back")).text == "back"


async def test_group_chats_and_addressed_commands(api: LocalBotApi, bot: telegram.Bot) -> None:
    message = await api.send_message(USER, "/help@minka_test_bot now", chat_id=-100)
    assert message["chat"] == {"id": -100, "title": "Group 100", "type": "group"}
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 20}]
    reply = await bot.send_message(-100, "ayuda", reply_parameters={"message_id": 1})
    assert reply.chat.type == "group" and reply.reply_to_message.text.startswith("/help")
