"""An indicator report under a lasting flood control (a 429 on its charts for longer than
the rate limiter waits): once built, what of it Telegram refuses is held in the outbox with
the coordinator's replies (bot/held.py), so their next command is answered after the report,
not before, and a restart of Minka does not lose the charts and workbook. Before, the rest
of the report waited in memory (bot/follow_ups.py): the next reply overtook it, and a
restart dropped it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from telegram.ext import Application

from bot import held
from bot.config import Settings
from bot.local_api import BotEvent, Fault, LocalBotApi
from bot.outbox import tick
from bot.runner import minka
from bot.runtime import Runtime
from storage.models import OutboxMessage
from tests.chat import Person
from tests.conftest import ADMIN_ID
from tests.helpers import CHECKED_ON, register
from tests.test_indicators_chat import _cases, _until_ready

pytestmark = pytest.mark.now(CHECKED_ON)

REFUSED = 60  # Telegram's retry_after on the first chart: past the rate limiter's patience


async def _ask_for_the_report(admin: Person) -> None:
    """The yearly report for all regions, its charts refused once for `REFUSED` seconds."""
    (periods,) = await admin.say("/indicadores")
    await admin.press(periods, "Año 2026")
    scope = await admin.reply()
    admin.api.inject("sendPhoto", Fault.too_many_requests(REFUSED), times=1)
    await admin.press(scope, "Todas las regiones")
    progress = await admin.reply()
    assert "Preparando el informe" in progress.text


async def _held_charts(runtime: Runtime) -> int:
    """Rows of the outbox that keep one of the report's charts, within two minutes (the
    report is built in a worker on a busy box)."""
    for _ in range(1200):
        async with runtime.db.session() as session:
            payloads = await session.scalars(
                select(OutboxMessage.payload).where(OutboxMessage.kind == held.KIND)
            )
            charts = sum(1 for p in payloads if p and (p.get("document") or {}).get("photo"))
        if charts:
            return charts
        await asyncio.sleep(0.1)
    raise AssertionError("the report's refused charts were never kept in the outbox")


def _the_rest(api: LocalBotApi, events: list[BotEvent]) -> None:
    """What came after the refusal: every chart, the workbook, «listo», each once."""
    photos = [e for e in events if e.method == "sendPhoto"]
    assert photos and all(api.files[p.params["file_id"]].startswith(b"\x89PNG") for p in photos)
    assert any("Casos por tipo" in (p.params.get("caption") or "") for p in photos)
    assert len({p.params["caption"] for p in photos}) == len(photos)  # none twice
    (document,) = [e for e in events if e.method == "sendDocument"]
    book = load_workbook(BytesIO(api.files[document.params["file_id"]]))
    assert book.sheetnames[0] == "Portada"
    assert not [e for e in events if "Indicadores del programa" in (e.text or "")]


async def test_a_held_report_is_not_overtaken_by_the_next_reply(
    api: LocalBotApi, app: Application, runtime: Runtime, admin: Person
) -> None:
    await register(admin, region="MINEM")
    await _cases(runtime)
    (help_text,) = await admin.say("/ayuda")
    await _ask_for_the_report(admin)
    await _held_charts(runtime)
    summaries = api.drain(admin.id)  # what went before the refusal
    assert summaries and all(e.method == "sendMessage" for e in summaries)
    assert "Indicadores del programa" in summaries[0].text
    await admin.send("/ayuda")  # while the charts wait for Telegram
    await asyncio.sleep(2)
    assert api.drain(admin.id) == []  # the help waits behind the report
    runtime.clock.advance(timedelta(seconds=REFUSED + 1))
    await tick(app)
    _the_rest(api, await _until_ready(admin))
    last = await admin.reply(timeout=30)
    assert (last.method, last.text) == ("sendMessage", help_text.text)
    await asyncio.sleep(1)
    assert api.drain(admin.id) == []


async def test_a_held_report_outlives_a_restart(api: LocalBotApi, settings: Settings) -> None:
    admin = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    async with minka(settings, poll_timeout=1) as application:
        runtime: Runtime = application.bot_data["runtime"]
        await register(admin, region="MINEM")
        await _cases(runtime)
        await _ask_for_the_report(admin)
        await _held_charts(runtime)
    # The process ends: whatever it kept in memory ends with it.
    summaries = api.drain(admin.id)
    assert [e.method for e in summaries if "Indicadores del programa" in (e.text or "")] == [
        "sendMessage"
    ]
    assert not [e for e in summaries if e.method in ("sendPhoto", "sendDocument")]
    async with minka(settings, poll_timeout=1) as application:
        application.bot_data["runtime"].clock.advance(timedelta(seconds=REFUSED + 1))
        await tick(application)
        _the_rest(api, await _until_ready(admin))
        await asyncio.sleep(1)
        assert api.drain(admin.id) == []
