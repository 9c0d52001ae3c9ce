"""Files Minka keeps and sends by Telegram's file_id (a publication, a workshop's material)
under a lasting flood control are among the chat's replies: held in the outbox with them
(bot/held.py), so the person's next command is answered after the file, not before, a
restart of Minka does not lose it, and its delivery is recorded once, when Telegram took it.
Before, the file waited in memory (bot/follow_ups.py): the next reply overtook it, and a
restart dropped it."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

from telegram.ext import Application

from bot.config import Settings
from bot.local_api import Fault, LocalBotApi
from bot.runner import minka
from bot.runtime import Runtime
from tests.chat import Person
from tests.cli import cli
from tests.conftest import shipped_toolkit
from tests.helpers import register
from tests.test_flood_files import (
    OUTAGE,
    down_then_allowed,
    flood_rounds,
    given_up,
    outage,
    tick_when_due,
)
from tests.test_materials import SLIDES, _delivered
from tests.test_publications import PDF, _deliveries, publish
from tests.test_workshops import CODE, _workshop


async def test_a_held_publication_is_not_overtaken_by_the_next_reply(
    api: LocalBotApi, bot: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    ana = Person(api, 8621, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await publish(bot, tmp_path)
    (listing,) = await ana.say("/publicaciones")
    (help_text,) = await ana.say("/ayuda")
    api.inject_for("sendDocument", Fault.too_many_requests(1), seconds=OUTAGE)
    ends = time.monotonic() + OUTAGE
    await ana.press(listing, "1. La experiencia")
    await ana.send("/ayuda")  # while the file waits for Telegram
    first, second = await ana.replies(2, timeout=OUTAGE + 30)
    assert first.method == "sendDocument", (first.method, first.text)  # the file first
    assert api.files[first.params["file_id"]] == PDF
    assert "La experiencia de regionalización" in (first.text or "")
    assert time.monotonic() >= ends  # after the outage
    assert (second.method, second.text) == ("sendMessage", help_text.text)
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []  # each once
    assert len(await _deliveries(runtime, 1)) == 1


async def test_a_held_publication_outlives_a_restart_and_is_recorded_once(
    api: LocalBotApi, settings: Settings, tmp_path: Path
) -> None:
    ana = Person(api, 8622, "Ana", last_name="Quispe")
    async with minka(settings, poll_timeout=1, knowledge=shipped_toolkit(settings)) as application:
        await register(ana, region="Puno")
        await publish(settings, tmp_path)
        (listing,) = await ana.say("/publicaciones")
        await ana.press(listing, "1. La experiencia")  # uploaded: Telegram's file_id kept
        uploaded = await ana.reply()
        runtime: Runtime = application.bot_data["runtime"]
        assert len(await _deliveries(runtime, 1)) == 1
        before = flood_rounds()
        outage(api, "sendDocument")
        await ana.press(listing, "1. La experiencia")  # again: by file_id
        await given_up(before)
    await down_then_allowed(api, ana.id, "sendDocument")
    async with minka(settings, poll_timeout=1, knowledge=shipped_toolkit(settings)) as application:
        await tick_when_due(application)
        (document,) = await ana.replies(1, timeout=20)
        runtime = application.bot_data["runtime"]
        assert document.method == "sendDocument"
        assert document.params["document"] == uploaded.params["file_id"]  # by file_id
        await asyncio.sleep(0.5)
        assert len(await _deliveries(runtime, 2)) == 1  # one person, recorded once
    assert api.drain(ana.id) == []


async def test_a_held_material_is_not_overtaken_by_the_next_reply(
    api: LocalBotApi, app: Application, bot: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    """A workshop's material asked for from /talleres under a lasting 429 on sendDocument
    arrives before the answer to the next command, once, and is recorded once."""
    await _workshop(runtime, starts_in=timedelta(minutes=-30))
    ana = Person(api, 8623, "Ana", last_name="Quispe")
    await register(ana)
    await ana.say(f"/asistencia {CODE}")
    slides = tmp_path / "formalizacion.pptx"
    slides.write_bytes(SLIDES)
    added = await cli(
        "talleres", "material", CODE, str(slides), database_url=bot.database_url, cwd=tmp_path
    )
    assert added.returncode == 0
    (listing,) = await ana.say("/talleres")
    (help_text,) = await ana.say("/ayuda")
    api.inject_for("sendDocument", Fault.too_many_requests(1), seconds=OUTAGE)
    ends = time.monotonic() + OUTAGE
    await ana.press(listing, "formalizacion.pptx")
    await ana.send("/ayuda")
    first, second = await ana.replies(2, timeout=OUTAGE + 30)
    assert first.method == "sendDocument", (first.method, first.text)
    assert api.files[first.params["file_id"]] == SLIDES
    assert time.monotonic() >= ends
    assert (second.method, second.text) == ("sendMessage", help_text.text)
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []
    assert await _delivered(runtime, 2) == 1
