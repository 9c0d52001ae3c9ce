"""Uploads (documents, photos, attach references) and the bot's settings: commands per scope and
language, menu buttons, descriptions, chat actions, session methods.

Tests of the local Telegram Bot API server, over real HTTP, with python-telegram-bot's `Bot` and
raw aiohttp requests (`wire.raw`)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
import telegram
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    MenuButtonCommands,
    MenuButtonDefault,
    MenuButtonWebApp,
    WebAppInfo,
)
from telegram.error import BadRequest

from bot.local_api import LocalBotApi
from tests.local_api.wire import png, raw

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


async def test_a_bot_downloads_files_of_up_to_20_mb(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    """getFile: «bots can download files of up to 20MB in size»; past it Telegram answers
    «file is too big», which a bot that reads the document's file_size never asks for."""
    limit = 20 * 1024 * 1024
    at_limit = await api.send_document(chat, b"%" * limit, "justo.pdf")
    over = await api.send_document(chat, b"%" * (limit + 1), "grande.pdf")
    assert over["document"]["file_size"] == limit + 1
    file = await bot.get_file(at_limit["document"]["file_id"])
    assert file.file_size == limit
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.get_file(over["document"]["file_id"])
    assert [r.description for r in api.malformed_requests] == ["Bad Request: file is too big"]


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


async def test_menu_buttons_per_chat_and_the_default_one(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    """setChatMenuButton: a user's chat, or the bot's default (no chat_id); MenuButtonDefault
    (also a missing menu_button) removes the choice, which is harmless where there is none."""
    assert await bot.get_chat_menu_button(chat) == MenuButtonDefault()
    await bot.set_chat_menu_button(chat_id=chat, menu_button=MenuButtonCommands())
    app = MenuButtonWebApp("Abrir", WebAppInfo("https://minka.example/app"))
    await bot.set_chat_menu_button(menu_button=app)
    assert await bot.get_chat_menu_button(chat) == MenuButtonCommands()
    assert await bot.get_chat_menu_button() == app
    assert api.menu_button() == {
        "type": "web_app",
        "text": "Abrir",
        "web_app": {"url": "https://minka.example/app"},
    }
    for _time in range(2):
        assert await bot.set_chat_menu_button(chat_id=chat) is True
        assert api.menu_button(chat) == {"type": "default"}
    await bot.set_chat_menu_button(menu_button=MenuButtonDefault())
    assert (await raw(api, "getChatMenuButton"))[1]["result"] == {"type": "default"}


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"menu_button": "{"}, "can't parse menu button JSON object"),
        ({"menu_button": "[]"}, "can't parse menu button: MenuButton must be an Object"),
        ({"menu_button": "{}"}, "can't parse menu button: Can't find field \"type\""),
        (
            {"menu_button": '{"type": "everyone"}'},
            "can't parse menu button: MenuButton has unsupported type",
        ),
        (
            {"menu_button": '{"type": "web_app", "text": "A", "web_app": {"url": "http://x.pe"}}'},
            "menu button Web App URL 'http://x.pe' is invalid: Only HTTPS links are allowed",
        ),
        ({"chat_id": "-100123"}, "invalid chat_id specified"),
        ({"chat_id": "@ana_q"}, "invalid chat_id specified"),
        ({"chat_id": "999"}, "user not found"),
    ],
)
async def test_invalid_menu_buttons(
    api: LocalBotApi, params: dict[str, str], description: str
) -> None:
    status, body = await raw(api, "setChatMenuButton", data=params)
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
