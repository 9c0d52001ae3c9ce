"""Files sent after a reply (`Ctx.later`) under a lasting flood control (issue #18): a
publication asked for while the chat's earlier reply waits in the outbox arrives after that
reply, exactly once, when Telegram allows again; it is never dropped."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.config import Settings
from bot.local_api import Fault, LocalBotApi
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


async def test_a_file_still_refused_at_last_becomes_a_notice(
    api: LocalBotApi, bot: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram refuses the file attempt after attempt: Minka gives up after a bounded number
    of tries, logs one warning (no traceback) and tells the person to press again."""
    ana = Person(api, 8602, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await publish(bot, tmp_path)
    (listing,) = await ana.say("/publicaciones")
    api.inject_for("sendDocument", Fault.too_many_requests(1), seconds=60)
    await ana.press(listing, "1. La experiencia")

    (notice,) = await ana.replies(1, timeout=50)
    assert notice.method == "sendMessage"
    assert notice.text == (
        "Telegram me pidió esperar y no pude terminar de enviarle lo que pidió (un archivo o "
        "una imagen). Por favor, vuelva a pulsar el botón o a escribir el comando en un minuto."
    )
    (warning,) = [r for r in caplog.records if "later calls not made" in r.getMessage()]
    assert warning.levelno == logging.WARNING and not warning.exc_info
    assert "(button pub)" in warning.getMessage() and "flood control" in warning.getMessage()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []
