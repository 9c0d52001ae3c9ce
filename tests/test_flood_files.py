"""A file Minka sends as a reply (`Ctx.document`: /mis_datos, a workshop's, meeting's or
visit's workbook, the Regional Team reports) under a lasting flood control is one of the
chat's replies: kept in the outbox with them (bot/held.py), so the person's next command is
answered after it, not before, and a restart of Minka does not lose it. Before, it waited in
memory (bot/follow_ups.py): the next update's reply overtook it, and a restart dropped it."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

from prometheus_client import REGISTRY
from sqlalchemy import select
from telegram.ext import Application

from bot import follow_ups, held
from bot.config import Settings
from bot.local_api import Fault, LocalBotApi
from bot.outbox import tick
from bot.runner import minka
from bot.runtime import Runtime
from storage.models import OutboxMessage
from tests.chat import Person
from tests.conftest import shipped_toolkit
from tests.helpers import register
from tests.test_rating_union import seed_ratings
from tests.union_units import national_coordinator

OUTAGE = 6.0  # seconds of 429s on sendDocument: past the rate limiter's retries
UNTIL_LIFTED = 120.0  # seconds of an outage that ends when the test lifts it (`outage`)


def flood_rounds() -> float:
    """Calls Telegram still refused after the rate limiter's retries (kept for later)."""
    return sum(
        REGISTRY.get_sample_value("minka_flood_rounds_total", {"kept": kept}) or 0.0
        for kept in ("later", "reply")
    )


async def given_up(before: float) -> None:
    """Until the rate limiter gave up on a call (`flood_rounds` past `before`): it is kept."""
    for _ in range(300):
        if flood_rounds() > before:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the rate limiter never gave up on the refused call")


def outage(api: LocalBotApi, method: str) -> None:
    """429s (retry_after 1) on `method` until the test lifts them (`down_then_allowed`)."""
    api.inject_for(method, Fault.too_many_requests(1), seconds=UNTIL_LIFTED)


async def down_then_allowed(api: LocalBotApi, chat_id: int, method: str) -> None:
    """Minka has stopped: whatever it kept in memory ends with it, and nothing reaches the
    chat while it is down. Then Telegram allows `method` again (the outage lifted, not
    waited out: the refusals outlasted the process either way)."""
    for task in list(follow_ups._running):
        task.cancel()
    await asyncio.sleep(0.5)
    assert api.drain(chat_id) == []
    api.lift(method)


async def test_a_held_file_is_not_overtaken_by_the_next_reply(
    api: LocalBotApi, bot: Settings
) -> None:
    ana = Person(api, 8611, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    (help_text,) = await ana.say("/ayuda")
    api.inject_for("sendDocument", Fault.too_many_requests(1), seconds=OUTAGE)
    ends = time.monotonic() + OUTAGE
    (intro,) = await ana.say("/mis_datos")
    assert "todo lo que Minka guarda" in intro.text
    await ana.send("/ayuda")  # while the file waits for Telegram
    first, second = await ana.replies(2, timeout=OUTAGE + 30)
    assert first.method == "sendDocument", (first.method, first.text)  # the file first
    assert json.loads(api.files[first.params["file_id"]])["persona"]["region"] == "Puno"
    assert time.monotonic() >= ends  # after the outage
    assert (second.method, second.text) == ("sendMessage", help_text.text)
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []  # each once


async def tick_when_due(application: Application) -> None:
    """One outbox round once the held reply is due: it was held for Telegram's retry_after
    (1 s) from the refusal, and a quick restart (a quiet box) came back before that second had
    passed, so the round sent nothing and the test waited for a reply no round would send (the
    tests' outbox runs only when a test ticks it)."""
    runtime: Runtime = application.bot_data["runtime"]
    runtime.clock.advance(timedelta(seconds=2))
    await tick(application)


async def test_a_held_file_outlives_a_restart(api: LocalBotApi, settings: Settings) -> None:
    ana = Person(api, 8612, "Ana", last_name="Quispe")
    async with minka(settings, poll_timeout=1, knowledge=shipped_toolkit(settings)):
        await register(ana, region="Puno")
        before = flood_rounds()
        outage(api, "sendDocument")
        (intro,) = await ana.say("/mis_datos")
        assert "todo lo que Minka guarda" in intro.text
        await given_up(before)
    await down_then_allowed(api, ana.id, "sendDocument")
    async with minka(settings, poll_timeout=1, knowledge=shipped_toolkit(settings)) as application:
        await tick_when_due(application)
        (document,) = await ana.replies(1, timeout=20)
    assert document.method == "sendDocument"
    assert json.loads(api.files[document.params["file_id"]])["persona"]["region"] == "Puno"


async def _held_files(runtime: Runtime) -> int:
    """Rows of the outbox that hold a file (a held reply's document, base64)."""
    async with runtime.db.session() as session:
        payloads = await session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.kind == held.KIND)
        )
        return sum(1 for payload in payloads if payload and payload.get("document"))


async def test_a_held_export_is_gone_with_the_erasure(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """/mis_datos held back keeps the export in the outbox until it is sent; erasing one's
    data meanwhile (pressing «Sí, borrar» of a question asked before) deletes it with the
    rest, and it is never sent."""
    ana = Person(api, 8613, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    (question,) = await ana.say("/borrar_mis_datos")
    api.inject_for("sendDocument", Fault.too_many_requests(2), seconds=5 * OUTAGE)
    await ana.say("/mis_datos")
    for _ in range(400):
        if await _held_files(runtime):
            break
        await asyncio.sleep(0.05)
    assert await _held_files(runtime) == 1  # the export, kept to be sent
    await ana.press(question, "Sí, borrar")
    assert "fueron borrados" in (await ana.reply()).text
    assert await _held_files(runtime) == 0
    runtime.clock.advance(timedelta(minutes=1))
    await tick(app)
    await asyncio.sleep(0.5)
    assert api.drain(ana.id) == []  # the export was not sent after all


async def test_a_held_qr_code_is_not_overtaken_by_the_next_reply(
    api: LocalBotApi, runtime: Runtime
) -> None:
    """A workshop's QR code (a photo) is one of the press's replies too: under a lasting
    flood control on sendPhoto, the coordinator's next command is answered after it."""
    nacho = await national_coordinator(api, runtime)
    await seed_ratings(runtime, {"qr_w": ("puno", "female")}, {"QR1": ("puno", ["qr_w"])}, _four)
    (help_text,) = await nacho.say("/ayuda")
    (report,) = await nacho.say("/taller QR1")
    api.inject_for("sendPhoto", Fault.too_many_requests(1), seconds=OUTAGE)
    ends = time.monotonic() + OUTAGE
    await nacho.press(report, "QR")
    await nacho.send("/ayuda")  # while the QR code waits for Telegram
    first, second = await nacho.replies(2, timeout=OUTAGE + 30)
    assert first.method == "sendPhoto", (first.method, first.text)  # the QR code first
    assert api.files[first.params["file_id"]].startswith(b"\x89PNG")
    assert "Código QR" in (first.text or "")
    assert time.monotonic() >= ends  # after the outage
    assert (second.method, second.text) == ("sendMessage", help_text.text)
    await asyncio.sleep(1)
    assert api.drain(nacho.id) == []  # each once


def _four(_name: str, _criterion: str) -> int:
    return 4
