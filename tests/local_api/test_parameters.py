"""Parameters the Bot API no longer defines: Telegram takes the call (a deprecated one it still
honours, an unknown one it ignores), so nothing fails there; the local server notes each, and
the suite's `app` fixture fails a test whose Minka sent one (an independent check of Minka's
requests against today's Bot API reports them)."""

from __future__ import annotations

import aiohttp
import telegram
from telegram import InputFile, LinkPreviewOptions, ReplyParameters

from bot.local_api import LocalBotApi
from tests.local_api.wire import keyboard, raw


async def test_deprecated_and_unknown_parameters_are_noted_not_refused(
    api: LocalBotApi, chat: int
) -> None:
    status, body = await raw(
        api,
        "sendMessage",
        json={
            "chat_id": chat,
            "text": "hola",
            "disable_web_page_preview": True,
            "reply_to_message_id": 1,
            "link_preview_option": {"is_disabled": True},  # misspelt: silently nothing
        },
    )
    assert status == 200 and body["ok"]
    assert api.ignored_parameters == [
        ("sendMessage", "disable_web_page_preview (use link_preview_options)"),
        ("sendMessage", "link_preview_option"),
        ("sendMessage", "reply_to_message_id (use reply_parameters)"),
    ]
    assert not api.malformed_requests
    form = aiohttp.FormData({"chat_id": str(chat), "thumb": "x"})
    form.add_field("document", b"%PDF-1.4 guia", filename="guia.pdf")
    status, body = await raw(api, "sendDocument", data=form)
    assert status == 200 and body["ok"]
    assert api.ignored_parameters[-1] == ("sendDocument", "thumb (use thumbnail)")


async def test_todays_parameters_are_not_noted(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    first = await bot.send_message(
        chat,
        "<b>Hola</b> https://www.minem.gob.pe",
        parse_mode="HTML",
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        reply_markup=keyboard(("Sí", "kb:u:a:1")),
        disable_notification=True,
        protect_content=True,
    )
    await bot.send_message(chat, "¿Y?", reply_parameters=ReplyParameters(first.message_id))
    await bot.edit_message_text(
        "Hola", chat, first.message_id, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )
    await bot.send_document(chat, InputFile(b"%PDF-1.4", filename="Guía.pdf"), caption="Guía")
    await bot.send_chat_action(chat, "typing")
    sent = [name for name, _ in api.calls if name != "getMe"]
    assert sent == [
        "sendMessage",
        "sendMessage",
        "editMessageText",
        "sendDocument",
        "sendChatAction",
    ]
    assert api.ignored_parameters == []
