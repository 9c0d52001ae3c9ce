"""Files sent after a reply under a lasting flood control (issue #18): a publication asked
for while the chat's earlier reply waits in the outbox arrives after that reply, exactly
once, when Telegram allows again; it is never dropped."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.config import Settings
from bot.follow_ups import WAIT
from bot.local_api import Fault, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from tests.chat import Person
from tests.helpers import register
from tests.test_publications import PDF, publish


async def _logged(caplog: pytest.LogCaptureFixture, fragment: str) -> None:
    for _ in range(300):
        if any(fragment in record.getMessage() for record in caplog.records):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never logged: {fragment}")


async def test_a_file_asked_for_while_a_reply_is_held_arrives_after_it(
    api: LocalBotApi,
    bot: Settings,
    runtime: Runtime,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ana = Person(api, 8601, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await publish(bot, tmp_path)
    (listing,) = await ana.say("/publicaciones")
    (help_text,) = await ana.say("/ayuda")
    for method in ("sendMessage", "sendDocument"):
        api.inject_for(method, Fault.too_many_requests(1), seconds=12)
    await ana.send("/ayuda")
    await _logged(caplog, "1 reply held for the outbox (flood control")
    answer = await ana.press(listing, "1. La experiencia")
    assert answer["text"] == "Enviando el archivo…"

    first, second = await ana.replies(2, timeout=40)
    assert (first.method, first.text) == ("sendMessage", help_text.text)
    assert second.method == "sendDocument"
    assert api.files[second.params["file_id"]] == PDF
    await asyncio.sleep(2)
    assert api.drain(ana.id) == []  # once
    assert [r for r in caplog.records if "dropped" in r.getMessage()] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_file_outlasts_a_flood_control_longer_than_any_count_of_tries(
    api: LocalBotApi, bot: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """40 s of 429s (retry_after 1) on the file: it waits as long as Telegram asks, then
    arrives once, and no «please press again» notice comes. Before, five tries (~22 s at
    that retry_after) gave up while the flood lasted and the person got the notice."""
    ana = Person(api, 8603, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await publish(bot, tmp_path)
    (listing,) = await ana.say("/publicaciones")
    api.inject_for("sendDocument", Fault.too_many_requests(1), seconds=40)
    ends = time.monotonic() + 40
    await ana.press(listing, "1. La experiencia")

    (document,) = await ana.replies(1, timeout=80)
    assert document.method == "sendDocument"
    assert api.files[document.params["file_id"]] == PDF
    assert time.monotonic() >= ends  # after the outage, not by luck before it
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []  # once, and no notice
    assert [r for r in caplog.records if "later calls not made" in r.getMessage()] == []


async def test_a_file_telegram_refuses_past_the_wait_is_kept_in_the_outbox(
    api: LocalBotApi,
    app: Application,
    bot: Settings,
    runtime: Runtime,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Telegram asks to wait longer than a call may wait in memory (`follow_ups.WAIT`): the
    publication, one of the press's replies, is kept in the outbox until then (bot/held.py)
    instead of being given up with a «please press again» notice, and arrives once."""
    ana = Person(api, 8602, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await publish(bot, tmp_path)
    (listing,) = await ana.say("/publicaciones")
    api.inject("sendDocument", Fault.too_many_requests(int(WAIT) + 60), times=1)
    await ana.press(listing, "1. La experiencia")
    await _logged(
        caplog, f"1 reply held for the outbox (flood control, retry in {int(WAIT) + 60} s)"
    )
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []  # no notice, and not before Telegram allows
    runtime.clock.advance(timedelta(seconds=WAIT + 61))
    await tick(app)
    (document,) = await ana.replies(1, timeout=30)
    assert document.method == "sendDocument"
    assert api.files[document.params["file_id"]] == PDF
    assert [r for r in caplog.records if "later calls not made" in r.getMessage()] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []
