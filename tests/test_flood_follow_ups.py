"""Files sent after a reply under a lasting flood control (issue #18): a publication asked
for while the chat's earlier reply waits in the outbox arrives after that reply, exactly
once, when Telegram allows again; it is never dropped."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from telegram.ext import Application

from bot import follow_ups, reply_data
from bot.config import Settings
from bot.follow_ups import WAIT
from bot.local_api import Fault, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from tests.chat import Person
from tests.helpers import register
from tests.test_flood_lasting import LASTING, REFUSAL, refused
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
    """LASTING 429s in a row (retry_after 1) on the file: it waits as long as Telegram asks,
    then arrives once, and no «please press again» notice comes. Before, five tries (20
    refusals, ~22 s at that retry_after) gave up while the flood lasted and the person got
    the notice."""
    ana = Person(api, 8603, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await publish(bot, tmp_path)
    (listing,) = await ana.say("/publicaciones")
    api.inject("sendDocument", Fault.too_many_requests(REFUSAL), times=LASTING)
    await ana.press(listing, "1. La experiencia")

    (document,) = await ana.replies(1, timeout=80)
    assert document.method == "sendDocument"
    assert api.files[document.params["file_id"]] == PDF
    assert refused(api, "sendDocument") == LASTING + 1  # after every refusal, and once
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


async def test_the_press_again_notice_waits_behind_the_held_replies(
    api: LocalBotApi,
    app: Application,
    runtime: Runtime,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The «press again» notice (bot/follow_ups.py), end to end: /ayuda's reply is held by
    flood control (past the rate limiter's patience); /mis_datos's file, too large for an
    outbox row, waits in memory behind it while its text is held behind that reply; Telegram
    still refusing when the file's wait runs out (`WAIT`, shortened), the file is given up and
    the person is told so, through the outbox, behind the chat's held replies: the notice is
    neither dropped nor ahead of a reply."""
    monkeypatch.setattr(follow_ups, "WAIT", 2.0)
    monkeypatch.setattr(reply_data, "FILE_LIMIT", 16)  # any file waits in memory
    ana = Person(api, 8604, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    (help_text,) = await ana.say("/ayuda")
    api.inject("sendMessage", Fault.too_many_requests(700), times=1)
    await ana.send("/ayuda")
    await _logged(caplog, "1 reply held for the outbox (flood control, retry in 700 s)")
    await ana.send("/mis_datos")
    await _logged(caplog, "1 later calls not made (waited too long for the chat's held replies)")
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []  # nothing went ahead of the held reply, the notice neither

    runtime.clock.advance(timedelta(seconds=701))
    await tick(app)
    helped, intro, notice = await ana.replies(3, timeout=30)
    assert (helped.method, helped.text) == ("sendMessage", help_text.text)
    assert intro.method == "sendMessage"
    assert intro.text.startswith("Aquí tiene todo lo que Minka guarda sobre usted")
    assert notice.method == "sendMessage"
    assert notice.text.startswith("Telegram me pidió esperar y no pude terminar de enviarle")
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []  # each once; the file itself was given up, not sent late
