"""The local Bot API server refuses what Telegram refuses: keyboard sizes, inline results,
callback answers, uploads, topics; and it tells a test which refusals were the request's fault."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import telegram
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.error import BadRequest

from bot.local_api import LocalBotApi

USER = 42


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi() as server:
        server.add_user(USER, "Ana")
        await server.send_message(USER, "/start")
        yield server


@pytest.fixture
async def bot(api: LocalBotApi) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(api.token, base_url=api.base_url) as client:
        yield client


async def raw(api: LocalBotApi, method: str, **request: Any) -> tuple[int, dict[str, Any]]:
    url = f"{api.base_url}{api.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, **request) as response:
        return response.status, await response.json()


def grid(rows: int, per_row: int, label: str = "x", data: str = "d") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=f"{data}{r}.{c}") for c in range(per_row)]
            for r in range(rows)
        ]
    )


@pytest.mark.parametrize(
    "markup",
    [
        grid(1, 9),  # 9 buttons in a row
        grid(101, 1),  # 101 buttons
        grid(50, 2, label="L" * 60, data="D" * 10),  # 100 buttons of 60-character labels
        InlineKeyboardMarkup(  # 99 buttons of 64-byte callback data
            [[InlineKeyboardButton("1", callback_data=f"{n:064d}")] for n in range(99)]
        ),
    ],
    ids=["row-of-9", "101-buttons", "long-labels", "long-callback-data"],
)
async def test_keyboards_over_telegrams_size_are_refused(
    api: LocalBotApi, bot: telegram.Bot, markup: InlineKeyboardMarkup
) -> None:
    with pytest.raises(BadRequest, match="Reply markup is too long"):
        await bot.send_message(USER, "menú", reply_markup=markup)
    await bot.send_message(USER, "menú", reply_markup=grid(12, 8))  # 96 buttons, 8 a row: fine


async def test_inline_results_are_parsed_like_telegram(api: LocalBotApi, bot: telegram.Bot) -> None:
    def article(text: str, **extra: Any) -> dict[str, Any]:
        content = {"message_text": text, "parse_mode": "HTML"}
        result = {"type": "article", "id": "a", "title": "T", "input_message_content": content}
        return result | extra

    no_content = {"type": "article", "id": "a", "title": "T"}
    cases = [
        (
            [article("ok", title=None)],
            "can't parse inline query result: Can't find field \"title\"",
        ),
        ([no_content], 'Can\'t find field "input_message_content"'),
        ([article("a" * 4097)], "MESSAGE_TOO_LONG"),
        ([article("<b>sin cerrar")], "can't parse inline query result: Can't parse entities: "),
        ([article("1 & 2")], 'Unescaped "&"'),
        ([article("ok", reply_markup={"inline_keyboard": [[{"text": "x"}]]})], "Text buttons"),
        ([article("ok", id="é" * 33)], "RESULT_ID_INVALID"),
        ([article("ok"), article("otro")], "RESULT_ID_DUPLICATE"),
        ([article("ok", type="page")], 'type "page" is unsupported'),
        (  # the text's link preview options are read as sendMessage's
            [
                article("ok")
                | {
                    "input_message_content": {
                        "message_text": "ok",
                        "link_preview_options": {"is_disabled": "sí"},
                    }
                }
            ],
            "can't parse inline query result: can't parse link preview options: Field "
            '"is_disabled" must be of type Boolean',
        ),
    ]
    for results, description in cases:
        query_id = await api.send_inline_query(USER, "q")
        status, body = await raw(
            api, "answerInlineQuery", json={"inline_query_id": query_id, "results": results}
        )
        assert status == 400 and description in body["description"], (results, body)
    query_id = await api.send_inline_query(USER, "q")
    longest = "😀" * 2048  # 4096 UTF-16 units
    await bot.answer_inline_query(
        query_id, [InlineQueryResultArticle("a", "T", InputTextMessageContent(longest))]
    )
    assert (await api.inline_answer(query_id))["results"][0]["id"] == "a"


async def test_callback_answers_uploads_and_topics(api: LocalBotApi, bot: telegram.Bot) -> None:
    sent = await bot.send_message(USER, "menú", reply_markup=grid(1, 1))
    query_id = await api.press_button(USER, sent.message_id, "d0.0")
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query_id, text="😀" * 101)  # 202 UTF-16 units
    await bot.answer_callback_query(query_id, text="😀" * 100)
    with pytest.raises(BadRequest, match="File must be non-empty"):
        await bot.send_document(USER, b"", filename="vacio.csv")
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(USER, "hola", message_thread_id=7)


async def test_a_press_or_an_inline_query_answered_too_late_is_refused(
    api: LocalBotApi, bot: telegram.Bot
) -> None:
    """Telegram takes a press's answer for a few seconds only («query is too old»); a test
    waiting for that answer is told it came late, and the press is counted as unanswered."""
    sent = await bot.send_message(USER, "menú", reply_markup=grid(1, 2))
    late = await api.press_button(USER, sent.message_id, "d0.0")
    in_time = await api.press_button(USER, sent.message_id, "d0.1")
    api.age_query(late, 16)
    with pytest.raises(BadRequest, match="Query is too old and response timeout expired"):
        await bot.answer_callback_query(late)
    with pytest.raises(AssertionError, match=r"answered 16\.\d s after it was asked"):
        await api.callback_answer(late, 1)
    assert api.unanswered_presses == [late, in_time]
    api.age_query(in_time, 14)
    await bot.answer_callback_query(in_time, text="Listo")
    assert api.unanswered_presses == [late]
    typed = await api.send_inline_query(USER, "canon")
    api.age_query(typed, 11)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(typed, [])
    assert not api.malformed_requests  # the world's doing, not a malformed request


async def test_refusals_say_whose_fault_they_were(api: LocalBotApi, bot: telegram.Bot) -> None:
    sent = await bot.send_message(USER, "igual")
    with pytest.raises(BadRequest):
        await bot.edit_message_text("igual", USER, sent.message_id)  # the world: not modified
    with pytest.raises(BadRequest):
        await bot.send_message(USER, "x" * 4097)  # the request: too long
    with pytest.raises(BadRequest):  # an edit too long: Telegram's own wording
        await bot.edit_message_text("x" * 4097, USER, sent.message_id)
    assert [(r.method, r.malformed) for r in api.refusals] == [
        ("editMessageText", False),
        ("sendMessage", True),
        ("editMessageText", True),
    ]
    assert [r.description for r in api.malformed_requests] == [
        "Bad Request: message is too long",
        "Bad Request: MESSAGE_TOO_LONG",
    ]


async def test_photos_over_ten_megabytes_are_refused(api: LocalBotApi, bot: telegram.Bot) -> None:
    """sendPhoto takes at most 10 MB (documents 50 MB): a larger image is refused as Telegram
    refuses it, whatever its dimensions; the same bytes go as a document."""
    header = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4) + (480).to_bytes(4)
    large = header + b"\x00" * (10 * 1024 * 1024 + 1 - len(header))
    with pytest.raises(BadRequest, match="Photo_save_file_invalid"):
        await bot.send_photo(USER, large)
    small = await bot.send_photo(USER, large[: 10 * 1024 * 1024])
    assert small.photo[-1].width == 640
    document = await bot.send_document(USER, large, filename="grafico.png")
    assert document.document is not None and document.document.file_size == len(large)


async def test_formatting_past_the_hundredth_entity_is_dropped(
    api: LocalBotApi, bot: telegram.Bot
) -> None:
    """Telegram keeps a message's first 100 entities and silently drops the rest (the text
    stays): a test sees the plain words a person would see."""
    html = "\n".join(f"<b>{n}</b>" for n in range(1, 111))
    sent = await bot.send_message(USER, html, parse_mode="HTML")
    assert len(sent.entities) == 100 and sent.entities[-1].offset == sent.text.index("100")
    assert sent.text.endswith("110")


async def test_file_names_are_read_as_telegrams_server_reads_them(api: LocalBotApi) -> None:
    """tdlib's multipart reader takes filename="…" literally: no %-decoding, no filename*,
    no unescaping, and the value ends at the first «;»."""
    cases = {
        "Gu%C3%ADa.pdf": "Gu%C3%ADa.pdf",
        'Acta \\"final\\".pdf': 'Acta \\"final\\".pdf',
        "Acta; final.pdf": '"Acta',
    }
    for sent, received in cases.items():
        boundary = "frontera"
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="chat_id"\r\n\r\n{USER}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="document"; '
            f'filename="{sent}"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n'
            f"--{boundary}--\r\n"
        ).encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        status, answer = await raw(api, "sendDocument", data=body, headers=headers)
        assert status == 200, answer
        assert answer["result"]["document"]["file_name"] == received
