"""End to end: work prepared apart from its update (the indicator report, a workbook: built in
a worker process after the press) reaches the person only if they still hold, when it is
ready, the role and the coverage they pressed with. A coordinator revoked, or narrowed to
another region, while her report was being built gets a notice instead, and the refusal is
in the audit log."""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot import workers
from bot.local_api import BotEvent, LocalBotApi
from bot.runtime import Runtime
from storage.models import AuditEntry
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
