"""End to end: work prepared apart from its update (the indicator report, a workbook: built in
a worker process after the press) reaches the person only if they still hold, when it is
ready, the role and the coverage they pressed with. A coordinator revoked, or narrowed to
another region, while her report was being built gets a notice instead, and the refusal is
in the audit log."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from telegram.ext import Application

from bot import workers
from bot.local_api import BotEvent, Fault, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from storage.models import AuditEntry, OutboxMessage
from tests.chat import WORKBOOK_WAIT
from tests.chat import Person as Chatter
from tests.helpers import CHECKED_ON, puno_coordinator, register, stopped_worker

pytestmark = pytest.mark.now(CHECKED_ON)


async def _until_settled(person: Chatter) -> list[BotEvent]:
    """What Minka sends her until it edits the progress message away from «Preparando»."""
    events = []
    while True:
        event = await person.reply(timeout=WORKBOOK_WAIT)
        events.append(event)
        if event.method == "editMessageText" and "Preparando" not in (event.text or ""):
            return events


@pytest.mark.parametrize(
    ("change", "held"),
    [
        ("/quitar_rol @carla_puno", "role=official"),
        ("/coordinador @carla_puno Cusco", "role=coordinator coverage=cusco"),
    ],
)
async def test_a_report_built_after_the_grant_was_lost_is_not_delivered(
    api: LocalBotApi,
    app: Application,
    runtime: Runtime,
    admin: Chatter,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
    held: str,
) -> None:
    """Attack: Carla, coordinator of Puno, asks for Puno's indicator report; while the
    worker builds it (stopped here with SIGSTOP) an administrator takes her role away, or
    narrows her grant to Cusco. Before the fix the report (figures, charts, workbook of a
    region she no longer coordinates) reached her all the same."""
    await register(admin, region="MINEM")
    carla = await puno_coordinator(api, admin)
    (menu,) = await carla.say("/indicadores")
    worker = await stopped_worker(monkeypatch)  # the report waits for it
    try:
        await carla.press(menu, "Trimestre 2 de 2026")
        progress = await carla.reply()
        assert progress.method == "editMessageText" and "Preparando" in progress.text
        (done,) = await admin.say(change)
        assert done.text.startswith("Listo"), done.text
        notice = await carla.reply()  # of her role taken away, or her new coverage
        assert notice.method == "sendMessage", notice
    finally:
        os.kill(worker, signal.SIGCONT)
    events = await _until_settled(carla)
    workers.stop()  # the pool of one worker is this test's
    assert [e.method for e in events] == ["editMessageText"], events  # no summary, no file
    assert events[0].message_id == progress.message_id
    assert "no se entregó" in (events[0].text or ""), events[0].text
    async with runtime.db.session() as session:
        entry = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "withheld"))
        ).one()
    assert (entry.actor_telegram_id, entry.outcome, entry.detail) == (carla.id, "denied", held)


async def test_a_report_held_by_flood_control_is_not_delivered_after_the_grant_was_lost(
    api: LocalBotApi, app: Application, runtime: Runtime, admin: Chatter
) -> None:
    """Attack: Carla's report is built while she is a coordinator of Puno, but Telegram's
    flood control holds it back (its first message refused with a 30 s retry_after: every
    part is kept in the outbox, bot/held.py); meanwhile an administrator takes her role away.
    When Telegram allows her chat again, the outbox sends none of it (before: all of it)."""
    await register(admin, region="MINEM")
    carla = await puno_coordinator(api, admin)
    (menu,) = await carla.say("/indicadores")
    api.inject("sendMessage", Fault.too_many_requests(30), times=1)  # the report's first
    await carla.press(menu, "Trimestre 2 de 2026")
    progress = await carla.reply()
    assert progress.method == "editMessageText" and "Preparando" in progress.text
    for _ in range(int(WORKBOOK_WAIT / 0.2)):  # until the report's parts wait in the outbox
        async with runtime.db.session() as session:
            held_rows = await session.scalar(
                select(func.count()).where(
                    OutboxMessage.chat_id == carla.id,
                    OutboxMessage.kind == "reply",
                    OutboxMessage.state == "pending",
                )
            )
        if held_rows:
            break
        await asyncio.sleep(0.2)
    assert held_rows, "the report was not held"
    (done,) = await admin.say("/quitar_rol @carla_puno")
    assert done.text.startswith("Listo"), done.text
    runtime.clock.advance(timedelta(seconds=31))  # Telegram allows her chat again
    events: list[BotEvent] = []
    while len(events) < 2:  # the notice of her role taken away, and the report's
        await tick(app)
        events += carla.no_more() or [await carla.reply()]
    assert [e.method for e in events] == ["sendMessage", "sendMessage"], events
    assert "le quitó el rol" in (events[0].text or ""), events
    assert "no se entregó" in (events[1].text or ""), events  # in the report's place
    await tick(app)
    assert carla.no_more() == []  # no summary, chart, workbook or «listo»
    async with runtime.db.session() as session:
        entries = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "withheld"))
        )
    assert [(e.actor_telegram_id, e.detail) for e in entries] == [(carla.id, "role=official")]
