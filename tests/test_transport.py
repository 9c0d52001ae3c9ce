"""Minka's HTTP client (bot.transport) against the local Bot API server: answers, uploads, and
how each kind of failure is classified, since that decides what may be sent again."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.local_api import Fault, LocalBotApi
from bot.ratelimit import transient
from bot.transport import AiohttpRequest, NotSent, _body, may_have_arrived
from tests.conftest import TOKEN
from tests.postgres import _free_port

ANA = 4243


def _bot(base_url: str) -> Bot:
    return Bot(TOKEN, base_url=base_url, request=AiohttpRequest(read_timeout=0.5))


@pytest.fixture
async def bot(api: LocalBotApi) -> AsyncIterator[Bot]:
    api.add_user(ANA, "Ñusta")
    api.open_chat(ANA)
    async with _bot(api.base_url) as bot:
        yield bot


async def test_answers_and_uploads_round_trip(bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="x:1")]])
    message = await bot.send_message(
        ANA, "¿Año? <b>ñ</b>", parse_mode="HTML", reply_markup=keyboard
    )
    assert message.text == "¿Año? ñ"
    assert message.reply_markup == keyboard
    document = await bot.send_document(ANA, InputFile(b"a,b\n1,2\n", filename="datos.csv"))
    assert document.document is not None and document.document.file_name == "datos.csv"


async def test_a_file_name_with_accents_arrives_as_written(bot: Bot) -> None:
    """Telegram's Bot API server takes a part's filename="…" literally (no %-decoding, no
    filename*): aiohttp's default %-encoding of non-ASCII names made «Guía de formalización
    «REINFO» 2026.pdf» arrive as «Gu%C3%ADa%20de%20…». The name goes as UTF-8, as browsers
    send it."""
    name = "Guía de formalización «REINFO» 2026 — Ñuñoa.pdf"
    sent = await bot.send_document(ANA, InputFile(b"%PDF-1.4\n", filename=name))
    assert sent.document is not None and sent.document.file_name == name
    # What that parser cannot carry (it stops at «;» and at a quote, keeps «\\») is replaced.
    odd = 'Acta "final"; versión 2\\b.pdf'
    sent = await bot.send_document(ANA, InputFile(b"%PDF-1.4\n", filename=odd))
    assert sent.document is not None and sent.document.file_name == "Acta 'final', versión 2-b.pdf"


async def test_a_read_timeout_may_have_arrived(api: LocalBotApi, bot: Bot) -> None:
    api.inject("sendMessage", Fault.stall(1.5))
    with pytest.raises(TimedOut) as caught:
        await bot.send_message(ANA, "hola")
    assert may_have_arrived(caught.value)
    assert not transient(caught.value, "sendMessage")  # a message is not repeated blindly
    assert transient(caught.value, "answerCallbackQuery")  # a harmless call is


async def test_a_dropped_connection_may_have_arrived(api: LocalBotApi, bot: Bot) -> None:
    api.inject("sendMessage", Fault.disconnect())
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(ANA, "hola")
    assert may_have_arrived(caught.value)


async def test_a_server_error_is_an_answer(api: LocalBotApi, bot: Bot) -> None:
    api.inject("sendMessage", Fault.server_error(502))
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(ANA, "hola")
    assert not may_have_arrived(caught.value)
    assert transient(caught.value, "sendMessage")


async def test_no_connection_means_not_sent() -> None:
    bot = _bot(f"http://127.0.0.1:{_free_port()}/bot")
    with pytest.raises(NotSent) as caught:
        await bot.initialize()  # asks getMe of a server that is not there
    await bot.shutdown()
    assert not may_have_arrived(caught.value)
    assert transient(caught.value, "sendMessage")  # safe to repeat, even a message


def test_bodies_are_typed_json_unless_there_are_files() -> None:
    """JSON is the Bot API's cheapest body to build and read; values keep their types (an
    independent server need not accept a keyboard sent as a string)."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="rate:1:5")]])
    plain = RequestData(
        [
            RequestParameter.from_input("chat_id", ANA),
            RequestParameter.from_input("text", "¿Año?"),
            RequestParameter.from_input("reply_markup", keyboard),
        ]
    )
    assert json.loads(_body(plain)) == {  # type: ignore[arg-type]
        "chat_id": ANA,
        "text": "¿Año?",
        "reply_markup": {"inline_keyboard": [[{"text": "Sí", "callback_data": "rate:1:5"}]]},
    }
    upload = RequestData(
        [
            RequestParameter.from_input("chat_id", ANA),
            RequestParameter.from_input("document", InputFile(b"a,b\n", filename="d.csv")),
        ]
    )
    assert isinstance(_body(upload), aiohttp.FormData)
