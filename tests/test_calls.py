"""bot/calls.py: replies and edits made through PTB's `Bot._post` without building a `Message`
from Telegram's answer. The request is the one PTB's own methods make, the rate limiter still
sees each call with its `rate_limit_args`, Telegram's refusals are PTB's errors; and the
private parts of PTB it uses are still there (pinned: python-telegram-bot>=22,<23)."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, RetryAfter
from telegram.ext import ExtBot

from bot import calls
from bot.local_api import Fault, LocalBotApi
from bot.ratelimit import PriorityRateLimiter
from bot.transport import AiohttpRequest
from tests.conftest import TOKEN

ANA = 4244
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="x:1")]])


class Recording(PriorityRateLimiter):
    """The bot's limiter, noting each call it lets through and its `rate_limit_args`."""

    def __init__(self) -> None:
        super().__init__(per_second=1000.0, burst=100.0, max_retries=0)
        self.seen: list[tuple[str, Any]] = []

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):  # type: ignore[no-untyped-def, override]
        self.seen.append((endpoint, rate_limit_args))
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


@pytest.fixture
async def bot(api: LocalBotApi) -> AsyncIterator[ExtBot]:
    api.add_user(ANA, "Ñusta")
    api.open_chat(ANA)
    request = AiohttpRequest()
    extbot = ExtBot(
        TOKEN,
        base_url=api.base_url,
        request=request,
        get_updates_request=AiohttpRequest(1),
        rate_limiter=Recording(),
    )
    async with extbot:
        extbot.rate_limiter.seen.clear()  # type: ignore[union-attr]  # getMe, at start
        yield extbot


def test_the_private_interface_bot_calls_uses_is_there() -> None:
    moved = "python-telegram-bot changed what bot/calls.py relies on: review it ({})"
    post = inspect.signature(ExtBot._post).parameters
    assert list(post)[:3] == ["self", "endpoint", "data"] and "api_kwargs" in post, moved.format(
        f"_post{tuple(post)}"
    )
    merged = ExtBot._merge_api_rl_kwargs(None, {"background": True})
    assert ExtBot._extract_rl_kwargs(merged) == {"background": True}, moved.format("rl kwargs")
    assert ExtBot._merge_api_rl_kwargs(None, None) is None, moved.format("rl kwargs")


async def test_a_reply_and_its_edits_arrive_as_ptb_would_send_them(
    api: LocalBotApi, bot: ExtBot
) -> None:
    await calls.send(bot, ANA, "¿Año? <b>ñ</b>", "HTML", KEYBOARD)
    sent = await api.next_event(ANA)
    assert sent.text == "¿Año? ñ" and sent.button_texts() == ["Sí"]
    assert sent.message_id is not None
    await calls.edit(bot, ANA, sent.message_id, "Otro <i>texto</i>", "HTML", None)
    edited = await api.next_event(ANA)
    assert edited.text == "Otro texto" and edited.button_texts() == []
    await calls.edit_buttons(bot, ANA, sent.message_id, KEYBOARD)
    assert (await api.next_event(ANA)).button_texts() == ["Sí"]
    methods = [(method, params) for method, params in api.calls if method != "getMe"]
    assert [method for method, _ in methods] == [
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
    ]
    send_params, edit_params = methods[0][1], methods[1][1]
    assert send_params["parse_mode"] == "HTML"
    assert send_params["link_preview_options"] == {"is_disabled": True}
    assert "reply_markup" not in edit_params  # None is left out, as PTB leaves it out
    assert bot.rate_limiter.seen == [  # type: ignore[union-attr]
        ("sendMessage", None),
        ("editMessageText", None),
        ("editMessageReplyMarkup", None),
    ]


async def test_a_keyboard_is_sent_as_ptb_would_serialize_it(api: LocalBotApi, bot: ExtBot) -> None:
    """The keyboard's JSON is made directly for callback buttons (bot.calls.keyboard_json),
    and is what PTB's own `to_dict` makes, for those and for any other kind of button."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("👍 Sí", callback_data="kb:u:a:1:7"),
                KEYBOARD.inline_keyboard[0][0],
            ],
            [InlineKeyboardButton("Guía", url="https://www.gob.pe/minem")],
            [InlineKeyboardButton("Buscar", switch_inline_query_current_chat="reinfo")],
        ]
    )
    assert calls.keyboard_json(keyboard) == keyboard.to_dict()
    await calls.send(bot, ANA, "Teclado", None, keyboard)
    sent = await api.next_event(ANA)
    assert sent.button_texts() == ["👍 Sí", "Sí", "Guía", "Buscar"]
    (params,) = [params for method, params in api.calls if method == "sendMessage"]
    assert params["reply_markup"] == keyboard.to_dict()


async def test_an_owed_message_keeps_its_rate_limit_args_and_previews(
    api: LocalBotApi, bot: ExtBot
) -> None:
    """The outbox's calls are the background ones the limiter lets replies overtake."""
    await calls.send(bot, ANA, "Aviso", None, None, previews=True, limits={"background": True})
    await api.next_event(ANA)
    ((method, params),) = [(m, p) for m, p in api.calls if m != "getMe"]
    assert method == "sendMessage" and "link_preview_options" not in params
    assert "parse_mode" not in params
    assert bot.rate_limiter.seen == [("sendMessage", {"background": True})]  # type: ignore[union-attr]


async def test_telegrams_refusals_are_ptbs_errors(api: LocalBotApi, bot: ExtBot) -> None:
    with pytest.raises(BadRequest, match="not found"):
        await calls.edit(bot, ANA, 999_999, "x", None, None)
    api.inject("sendMessage", Fault.too_many_requests(3))
    with pytest.raises(RetryAfter):
        await calls.send(bot, ANA, "x", None, None)


async def test_a_group_that_became_a_supergroup_is_followed(api: LocalBotApi, bot: ExtBot) -> None:
    """Telegram's 400 with parameters.migrate_to_chat_id (PTB's ChatMigrated): a reply goes to
    the supergroup, an edit of a message left in the old group becomes a new message there."""
    await api.send_message(ANA, "/start", chat_id=-77)
    await calls.send(bot, -77, "Hola", None, None)
    sent = await api.next_event(-77)
    assert sent.message_id is not None
    supergroup = api.migrate_group(-77)
    await calls.send(bot, -77, "Hola <b>de nuevo</b>", "HTML", None)
    await calls.edit(bot, -77, sent.message_id, "Editado", None, KEYBOARD)
    again, edited = [await api.next_event(supergroup) for _ in range(2)]
    assert (again.method, again.text) == ("sendMessage", "Hola de nuevo")
    assert (edited.method, edited.text) == ("sendMessage", "Editado")
    assert edited.button_texts() == ["Sí"]
    assert api.drain(-77) == []
