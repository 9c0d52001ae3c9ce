"""Tests of the local Telegram Bot API server, over real HTTP.

Two kinds of clients are used: python-telegram-bot's ``Bot``/``Application`` (what Minka runs) and
raw aiohttp requests, to pin down the wire format (parameter encodings, JSON error bodies).
"""

from __future__ import annotations

import asyncio
import json
import struct
import time
import zlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import telegram
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.local_api import BotEvent, Fault, LocalBotApi

USER = 42


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi() as server:
        server.add_user(USER, "Ana", username="ana_q")
        yield server


@pytest.fixture
async def bot(api: LocalBotApi) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        api.token, base_url=api.base_url, base_file_url=api.base_file_url
    ) as client:
        yield client


@pytest.fixture
async def chat(api: LocalBotApi) -> int:
    """The private chat of USER, opened by the user writing /start."""
    await api.send_message(USER, "/start")
    return USER


async def raw(
    api: LocalBotApi,
    method: str,
    *,
    token: str | None = None,
    http_method: str = "POST",
    **request: Any,
) -> tuple[int, dict[str, Any]]:
    """One raw HTTP call; returns (status, decoded JSON body)."""
    url = f"{api.base_url}{api.token if token is None else token}/{method}"
    async with (
        aiohttp.ClientSession() as session,
        session.request(http_method, url, **request) as response,
    ):
        return response.status, await response.json()


def png(width: int, height: int) -> bytes:
    """A real (tiny, grey) PNG image of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def keyboard(*labels_and_data: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data)] for label, data in labels_and_data]
    )


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


# -- text formatting ------------------------------------------------------------------------


async def test_html_is_parsed_into_text_and_utf16_entities(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    html = (
        '😀 <b>Hola</b> <a href="https://example.com/?a=1&amp;b=2">web</a> &lt;3\n'
        '<pre><code class="language-python">x = 1</code></pre>'
        "<tg-spoiler>s</tg-spoiler><blockquote expandable>q</blockquote>"
    )
    sent = await bot.send_message(chat, html, parse_mode="HTML")
    assert sent.text == "😀 Hola web <3\nx = 1sq"
    stored = api.last_bot_message(chat)
    assert stored is not None
    assert stored["entities"] == [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "text_link", "offset": 8, "length": 3, "url": "https://example.com/?a=1&b=2"},
        {"type": "pre", "offset": 15, "length": 5, "language": "python"},
        {"type": "spoiler", "offset": 20, "length": 1},
        {"type": "expandable_blockquote", "offset": 21, "length": 1},
    ]
    event = await api.next_event(chat)
    assert (event.text, event.html) == (sent.text, html)


async def test_entities_follow_tdlib_rules(api: LocalBotApi, chat: int) -> None:
    html = (
        '<b>Ho</b><b>la</b> <pre><code>x</code></pre> <a href="tg://user?id=42">Ana</a> '
        '<a href="javascript:alert(1)">js</a>'
    )
    status, body = await raw(
        api, "sendMessage", json={"chat_id": chat, "text": html, "parse_mode": "HTML"}
    )
    assert status == 200 and body["result"]["text"] == "Hola x Ana js"
    assert body["result"]["entities"] == [
        {"type": "bold", "offset": 0, "length": 4},  # touching same-type entities merge
        {"type": "pre", "offset": 5, "length": 1},  # the nested <code> cannot overlap it
        {
            "type": "text_mention",
            "offset": 7,
            "length": 3,
            "user": {
                "id": 42,
                "is_bot": False,
                "first_name": "Ana",
                "username": "ana_q",
                "language_code": "es",
            },
        },
    ]  # invalid link targets are dropped silently, as Telegram does


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<b>sin cerrar", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("ñ <br>", 'Unsupported start tag "br" at byte offset 3'),
        ("Tom & Jerry", 'Unescaped "&" at byte offset 4; use "&amp;"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
    ],
)
async def test_invalid_html_is_rejected_like_telegram(
    api: LocalBotApi, chat: int, html: str, reason: str
) -> None:
    status, body = await raw(
        api, "sendMessage", json={"chat_id": chat, "text": html, "parse_mode": "HTML"}
    )
    assert status == 400
    assert body["description"] == f"Bad Request: can't parse entities: {reason}"
    assert api.events == []


@pytest.mark.parametrize("mode", ["Markdown", "MarkdownV2"])
async def test_markdown_modes_get_a_clear_400(api: LocalBotApi, chat: int, mode: str) -> None:
    """Minka sends HTML only: the local server does not imitate Telegram's Markdown modes."""
    status, body = await raw(
        api, "sendMessage", json={"chat_id": chat, "text": "*negrita*", "parse_mode": mode}
    )
    assert (status, body["description"]) == (
        400,
        f"Bad Request: parse_mode {mode} is not supported by the local Bot API server "
        "(it supports HTML only)",
    )
    status, body = await raw(
        api, "sendMessage", json={"chat_id": chat, "text": "x", "parse_mode": "Texto"}
    )
    assert (status, body["description"]) == (400, "Bad Request: unsupported parse_mode")
    assert api.events == []


async def test_length_is_counted_in_utf16_units_after_parsing(bot: telegram.Bot, chat: int) -> None:
    assert len((await bot.send_message(chat, "😀" * 2048)).text) == 2048  # 4096 units
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(chat, "😀" * 2048 + "x")
    markup_only = "<b>" + "a" * 4096 + "</b>"  # tags do not count
    assert len((await bot.send_message(chat, markup_only, parse_mode="HTML")).text) == 4096


async def test_text_is_normalised_and_entities_checked(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    sent = await bot.send_message(chat, "  \n hola\r\n  ")
    assert sent.text == "hola"
    with pytest.raises(BadRequest, match="ends after the end of the text"):
        await bot.send_message(chat, "hola", entities=[telegram.MessageEntity("bold", 0, 9)])
    status, body = await raw(
        api,
        "sendMessage",
        json={
            "chat_id": chat,
            "text": "hi",
            "entities": [{"type": "shout", "offset": 0, "length": 2}],
        },
    )
    assert (status, body["description"]) == (
        400,
        "Bad Request: can't parse MessageEntity: Unsupported type specified",
    )


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


# -- callback and inline queries --------------------------------------------------------------


async def test_button_press_round_trip(api: LocalBotApi, bot: telegram.Bot, chat: int) -> None:
    sent = await bot.send_message(chat, "¿Seguimos?", reply_markup=keyboard(("Sí", "yes")))
    await bot.edit_message_text(
        "¿Seguro?", chat, sent.message_id, reply_markup=keyboard(("Sí", "y2"))
    )
    query_id = await api.press_button_text(USER, sent.message_id, "Sí")
    updates = await bot.get_updates(offset=2)
    query = updates[-1].callback_query
    assert (query.id, query.data, query.from_user.id) == (query_id, "y2", USER)
    assert query.message.text == "¿Seguro?"  # the current content, not the original
    await bot.answer_callback_query(query_id, text="Hecho", show_alert=True)
    assert await api.callback_answer(query_id) == {
        "callback_query_id": query_id,
        "text": "Hecho",
        "show_alert": True,
    }
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)


async def test_only_real_buttons_can_be_pressed(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    sent = await bot.send_message(chat, "menú", reply_markup=keyboard(("A", "a")))
    with pytest.raises(ValueError, match=r"no button with callback_data 'b'.*\('A', 'a'\)"):
        await api.press_button(USER, sent.message_id, "b")
    with pytest.raises(ValueError, match="no callback button labelled 'B'"):
        await api.press_button_text(USER, sent.message_id, "B")
    with pytest.raises(ValueError, match="no message 77"):
        await api.press_button(USER, 77, "a")


async def test_callback_answer_limits(api: LocalBotApi, bot: telegram.Bot, chat: int) -> None:
    sent = await bot.send_message(chat, "menú", reply_markup=keyboard(("A", "a")))
    query_id = await api.press_button(USER, sent.message_id, "a")
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")
    with pytest.raises(TimeoutError, match="not answered"):
        await api.callback_answer(query_id, timeout=0.01)


async def test_inline_queries(api: LocalBotApi, bot: telegram.Bot) -> None:
    query_id = await api.send_inline_query(USER, "arequipa")
    update = (await bot.get_updates())[0]
    assert update.inline_query.query == "arequipa"
    article = InlineQueryResultArticle("1", "Arequipa", InputTextMessageContent("Arequipa"))
    with pytest.raises(BadRequest, match="Results_too_much"):
        await bot.answer_inline_query(query_id, [article] * 51)
    await bot.answer_inline_query(query_id, [article], cache_time=0)
    answer = await api.inline_answer(query_id)
    assert answer["results"][0]["id"] == "1" and answer["cache_time"] == 0


# -- updates --------------------------------------------------------------------------------


async def test_get_updates_offsets_and_limits(api: LocalBotApi, bot: telegram.Bot) -> None:
    for text in ("uno", "dos", "tres"):
        await api.send_message(USER, text)
    assert [u.message.text for u in await bot.get_updates(limit=2)] == ["uno", "dos"]
    assert [u.message.text for u in await bot.get_updates(offset=2)] == ["dos", "tres"]
    assert [u.message.text for u in await bot.get_updates()] == ["dos", "tres"]  # 1 confirmed
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["tres"]
    assert await bot.get_updates(offset=4) == ()
    raw_id = await api.send_update({"my_chat_member": {"unused": True}})
    assert raw_id == 4
    assert (await raw(api, "getUpdates"))[1]["result"][0]["update_id"] == 4


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    api: LocalBotApi, bot: telegram.Bot
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for_call("getUpdates")
    await api.send_message(USER, "ya")
    updates = await poll
    assert updates[0].message.text == "ya"
    assert time.monotonic() - started < 2


async def test_second_poller_terminates_the_first(api: LocalBotApi, bot: telegram.Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for_call("getUpdates")
    status, body = await raw(api, "getUpdates", json={"timeout": 0})  # e.g. a second instance
    assert (status, body) == (200, {"ok": True, "result": []})
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_allowed_updates_filter(api: LocalBotApi, bot: telegram.Bot, chat: int) -> None:
    sent = await bot.send_message(chat, "menú", reply_markup=keyboard(("A", "a")))
    await api.press_button(USER, sent.message_id, "a")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in updates] == ["a"]


async def test_webhook_blocks_polling(api: LocalBotApi, bot: telegram.Bot) -> None:
    status, body = await raw(api, "setWebhook", json={"url": "https://minka.example/hook"})
    assert (status, body) == (200, {"ok": True, "result": True, "description": "Webhook was set"})
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    await api.send_message(USER, "pendiente")
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("https://minka.example/hook", 1)
    with pytest.raises(BadRequest, match="Bad webhook: an https url must be provided"):
        await bot.set_webhook("http://minka.example/hook")
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert await bot.get_updates() == ()
    assert (await raw(api, "deleteWebhook"))[1]["description"] == "Webhook is already deleted"


# -- files ----------------------------------------------------------------------------------


async def test_send_document_stores_and_serves_the_upload(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    content = b"%PDF-1.4 informe"
    sent = await bot.send_document(
        chat, content, filename="informe.pdf", caption="<b>Informe</b>", parse_mode="HTML"
    )
    document = sent.document
    assert (document.file_name, document.mime_type, document.file_size) == (
        "informe.pdf",
        "application/pdf",
        len(content),
    )
    assert sent.caption == "Informe" and sent.caption_entities[0].type == "bold"
    assert api.files[document.file_id] == content
    downloaded = await (await bot.get_file(document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == content
    again = await bot.send_document(chat, document.file_id)
    assert again.document.file_unique_id == document.file_unique_id
    event = api.drain(chat)[0]
    assert (event.method, event.text, event.html) == ("sendDocument", "Informe", "<b>Informe</b>")
    assert event.params["document"].data == content
    assert event.params["file_id"] == document.file_id


async def test_send_photo_returns_photo_sizes(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    sent = await bot.send_photo(chat, png(1000, 500), caption="Mapa")
    sizes = [(size.width, size.height) for size in sent.photo]
    assert sizes == [(90, 45), (320, 160), (800, 400), (1000, 500)]
    assert api.files[sent.photo[-1].file_id].startswith(b"\x89PNG")
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(chat, b"not an image", filename="x.jpg")
    with pytest.raises(BadRequest, match="Can't use file of type photo as document"):
        await bot.send_document(chat, sent.photo[-1].file_id)


async def test_multipart_attach_reference(api: LocalBotApi, chat: int) -> None:
    form = aiohttp.FormData()
    form.add_field("chat_id", str(chat))
    form.add_field("document", "attach://report")
    form.add_field("report", b"a;b\n1;2\n", filename="datos.csv", content_type="text/csv")
    status, body = await raw(api, "sendDocument", data=form)
    assert status == 200
    document = body["result"]["document"]
    assert (document["file_name"], document["mime_type"]) == ("datos.csv", "text/csv")
    assert api.files[document["file_id"]] == b"a;b\n1;2\n"


async def test_file_errors(api: LocalBotApi, bot: telegram.Bot, chat: int) -> None:
    status, body = await raw(api, "sendDocument", json={"chat_id": chat})
    assert (status, body["description"]) == (
        400,
        "Bad Request: there is no document in the request",
    )
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(chat, b"x", filename="a.txt", caption="x" * 1025)
    with pytest.raises(BadRequest, match="Wrong file identifier/http url specified"):
        await bot.send_document(chat, "AAAA-unknown")


# -- bot settings ---------------------------------------------------------------------------


async def test_commands_are_stored_per_scope_and_language(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    await bot.set_my_commands([BotCommand("start", "Empezar"), BotCommand("ayuda", "Ayuda")])
    await bot.set_my_commands([("start", "Start")], language_code="en")
    await bot.set_my_commands([("admin", "Panel")], scope=BotCommandScopeChat(chat))
    assert [c.command for c in await bot.get_my_commands()] == ["start", "ayuda"]
    assert api.commands(language_code="en") == [{"command": "start", "description": "Start"}]
    assert api.commands({"type": "chat", "chat_id": chat}) == [
        {"command": "admin", "description": "Panel"}
    ]
    assert await bot.get_my_commands(language_code="qu") == ()
    await bot.delete_my_commands(language_code="en")
    assert api.commands(language_code="en") == []


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"commands": [{"command": "Start", "description": "x"}]}, "BOT_COMMAND_INVALID"),
        ({"commands": [{"command": "a b", "description": "x"}]}, "BOT_COMMAND_INVALID"),
        (
            {"commands": [{"command": "x" * 33, "description": "x"}]},
            "command length must not exceed 32",
        ),
        (
            {"commands": [{"command": "start", "description": " "}]},
            "command description must be non-empty",
        ),
        (
            {"commands": [{"command": "start", "description": "x" * 257}]},
            "command description length must not exceed 256",
        ),
        (
            {"commands": [{"command": f"c{i}", "description": "x"} for i in range(101)]},
            "BOT_COMMANDS_TOO_MUCH",
        ),
        (
            {"commands": [], "scope": {"type": "chat"}},
            "can't parse BotCommandScope: Can't find field \"chat_id\"",
        ),
        (
            {"commands": [], "scope": {"type": "everyone"}},
            "can't parse BotCommandScope: Unsupported type specified",
        ),
        ({"commands": [], "scope": {"type": "chat", "chat_id": 999}}, "chat not found"),
        ({"commands": [], "language_code": "spanish"}, "invalid language code specified"),
    ],
)
async def test_invalid_commands(api: LocalBotApi, params: dict[str, Any], description: str) -> None:
    status, body = await raw(api, "setMyCommands", json=params)
    assert (status, body["description"]) == (400, f"Bad Request: {description}")


async def test_descriptions_chat_actions_and_session_methods(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    await bot.set_my_description("Asistente minero", language_code="es")
    await bot.set_my_short_description("Minka")
    assert (await bot.get_my_description("es")).description == "Asistente minero"
    assert (await bot.get_my_short_description()).short_description == "Minka"
    assert await bot.send_chat_action(chat, "upload_document") is True
    event = await api.next_event(chat)
    assert (event.method, event.message_id, event.params["action"]) == (
        "sendChatAction",
        None,
        "upload_document",
    )
    with pytest.raises(BadRequest, match="Wrong parameter action in request"):
        await bot.send_chat_action(chat, "dancing")
    assert (await raw(api, "logOut"))[1] == {"ok": True, "result": True}
    assert (await raw(api, "close"))[1] == {"ok": True, "result": True}


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
