"""A reply Telegram refuses although Minka believed it valid (its HTML parser or a limit
counted otherwise than ours) is not lost: it goes again as plain text, or without the
keyboard Telegram refused, and the refusal is logged as the bug it is. The refusals are
injected: the local server itself accepts these replies."""

from __future__ import annotations

import asyncio
import logging

import pytest
from telegram.ext import Application

from bot.local_api import Fault, LocalBotApi
from bot.local_api.errors import bad_request
from bot.outbox import tick
from bot.runtime import Runtime
from tests.chat import Person
from tests.helpers import register, technical_meeting

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PARSE = Fault(
    "error", bad_request('can\'t parse entities: Unsupported start tag "b" at byte offset 0')
)
BUTTONS = Fault("error", bad_request("BUTTON_DATA_INVALID"))


async def test_a_reply_refused_for_its_html_arrives_as_plain_text(
    api: LocalBotApi, ana: Person, caplog: pytest.LogCaptureFixture
) -> None:
    (usual,) = await ana.say("/ayuda")
    assert usual.params.get("parse_mode") == "HTML" and "<" in (usual.html or "")
    api.inject("sendMessage", PARSE)
    (plain,) = await ana.say("/ayuda")
    assert plain.method == "sendMessage" and plain.text == usual.text
    assert plain.params.get("parse_mode") is None
    assert "Lo siento" not in plain.text  # the reply itself, not the apology
    assert ana.no_more() == []
    for _tick in range(50):  # log records are handled by a background thread (bot/logs.py)
        logged = [r for r in caplog.records if "can't parse entities" in r.getMessage().lower()]
        if logged:
            break
        await asyncio.sleep(0.05)
    assert [r.levelno for r in logged] == [logging.ERROR]


async def test_a_reply_refused_for_its_keyboard_arrives_without_it(
    api: LocalBotApi, ana: Person
) -> None:
    (usual,) = await ana.say("/temas")
    assert usual.button_texts()
    api.inject("sendMessage", BUTTONS)
    (bare,) = await ana.say("/temas")
    assert bare.text == usual.text and bare.buttons == []
    assert ana.no_more() == []


async def test_an_edit_refused_for_its_html_arrives_as_plain_text(
    api: LocalBotApi, ana: Person
) -> None:
    (topics,) = await ana.say("/temas")
    label = topics.button_texts()[0]
    await ana.press(topics, label)
    (usual,) = await ana.replies(1)
    (again,) = await ana.say("/temas")
    api.inject("editMessageText", PARSE)
    await ana.press(again, label)
    (plain,) = await ana.replies(1)
    assert plain.method == "editMessageText" and plain.message_id == again.message_id
    assert plain.text == usual.text and plain.params.get("parse_mode") is None
    assert plain.button_texts() == usual.button_texts()
    assert ana.no_more() == []


async def test_an_edit_refused_as_too_long_arrives_as_plain_text(
    api: LocalBotApi, ana: Person
) -> None:
    """Telegram words an edit's length refusal «MESSAGE_TOO_LONG» (a send's: «message is too
    long»); refused.py knew only the latter, so the edit was lost and the person got the
    apology."""
    (topics,) = await ana.say("/temas")
    label = topics.button_texts()[0]
    await ana.press(topics, label)
    (usual,) = await ana.replies(1)
    (again,) = await ana.say("/temas")
    api.inject("editMessageText", Fault("error", bad_request("MESSAGE_TOO_LONG")))
    await ana.press(again, label)
    (plain,) = await ana.replies(1)
    assert plain.method == "editMessageText" and plain.message_id == again.message_id
    assert plain.text == usual.text and plain.params.get("parse_mode") is None
    assert ana.no_more() == []


async def test_an_owed_message_refused_for_its_html_arrives_as_plain_text(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    ana = Person(api, 7301, "Ana")
    await register(ana, region="Puno")
    await technical_meeting(runtime, "Mesa técnica «REINFO» & <formalización>")
    api.inject("sendMessage", PARSE)
    assert await tick(app) == 1
    invitation, calendar = await ana.replies(2)
    assert invitation.params.get("parse_mode") is None
    assert "Mesa técnica «REINFO» & <formalización>" in invitation.text
    assert "&amp;" not in invitation.text and "<b>" not in invitation.text
    assert any("Asistiré" in label for label in invitation.button_texts())
    assert calendar.method == "sendDocument"


async def test_a_file_whose_caption_is_refused_arrives_with_it_plain(
    api: LocalBotApi, ana: Person
) -> None:
    await register(ana)
    api.inject("sendDocument", PARSE)
    _intro, document = await ana.say("/mis_datos", 2)
    assert document.method == "sendDocument" and document.params.get("parse_mode") is None
    assert document.text == "Sus datos en Minka"
    assert ana.no_more() == []
