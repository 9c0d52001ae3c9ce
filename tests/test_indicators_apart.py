"""End to end: a coordinator's indicator report is built apart from their update (issue #17).

The report takes seconds in a worker process. Its update must not wait for it: the bot
serves a few updates at a time (`CONCURRENT_UPDATES`, 8), and eight coordinators waiting for
their reports would otherwise hold every one of them while other people's replies queued."""

from __future__ import annotations

import os
import signal

import pytest
from telegram.ext import Application

from bot import workers
from bot.local_api import BotEvent, LocalBotApi
from bot.runtime import Runtime
from storage.repositories import people
from tests.chat import REPLY_WAIT, WORKBOOK_WAIT
from tests.chat import Person as Chatter
from tests.helpers import CHECKED_ON, registered_official, stopped_worker

pytestmark = pytest.mark.now(CHECKED_ON)

COORDINATORS = 8  # as many as the bot's concurrent updates (the default)


async def _until_ready(person: Chatter) -> list[BotEvent]:
    """Everything Minka sends until it edits the progress message to «listo»."""
    events = []
    while True:
        event = await person.reply(timeout=WORKBOOK_WAIT)
        events.append(event)
        if event.method == "editMessageText" and "listo" in (event.text or ""):
            return events


async def test_reports_being_built_hold_no_update_slot(
    api: LocalBotApi, app: Application, runtime: Runtime, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """With the single report worker stopped (SIGSTOP), eight coordinators ask for their
    region's report: each press is answered and its progress shown, and another person's
    /ayuda is still answered. Let go (SIGCONT), each coordinator gets their report."""
    assert app.update_processor.max_concurrent_updates == COORDINATORS
    coordinators = [Chatter(api, 7600 + n, f"Coordinadora{n}") for n in range(COORDINATORS)]
    eva = Chatter(api, 7700, "Eva", last_name="Ccori")
    async with runtime.db.session() as session:
        for person in coordinators:
            await registered_official(session, person.id, person.full_name, region_code="puno")
            await people.set_role(session, person.id, "coordinator", "puno")
        await registered_official(session, eva.id, eva.full_name, region_code="cusco")
    menus = [(await person.say("/indicadores"))[0] for person in coordinators]

    # One worker, up before the presses: every report can only go to it.
    worker = await stopped_worker(monkeypatch)
    try:
        for person, menu in zip(coordinators, menus, strict=True):
            assert menu.message_id is not None
            data = menu.find_button("Trimestre 2 de 2026")["callback_data"]
            query = await api.press_button(person.id, menu.message_id, data)
            await api.callback_answer(query, REPLY_WAIT)
            progress = await person.reply()
            assert progress.method == "editMessageText" and "Preparando" in progress.text
        (help_text,) = await eva.say("/ayuda", timeout=REPLY_WAIT)
        assert "/menu" in help_text.text
        # The reports can only come from the stopped worker.
        assert [person.no_more() for person in coordinators] == [[]] * COORDINATORS
    finally:
        os.kill(worker, signal.SIGCONT)
    for person, menu in zip(coordinators, menus, strict=True):
        events = await _until_ready(person)
        summary = next(event for event in events if event.method == "sendMessage")
        assert "Ámbito: Puno" in summary.text
        assert [event.method for event in events].count("sendDocument") == 1
        assert events[-1].message_id == menu.message_id  # the progress message, edited
    workers.stop()  # the pool of one worker is this test's


async def test_a_report_that_cannot_be_built_is_apologised_for(
    api: LocalBotApi, app: Application, runtime: Runtime, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    """Built apart, a report whose worker dies (killed, out of memory) is not left in silence:
    the coordinator is told, through the outbox, as a failed update is; and the next report
    is built by a new worker."""
    rosa = Chatter(api, 7800, "Rosa", last_name="Huamán")
    async with runtime.db.session() as session:
        await registered_official(session, rosa.id, rosa.full_name, region_code="puno")
        await people.set_role(session, rosa.id, "coordinator", "puno")
    (menu,) = await rosa.say("/indicadores")
    worker = await stopped_worker(monkeypatch)  # the job waits for it, then it dies
    assert menu.message_id is not None
    data = menu.find_button("Trimestre 2 de 2026")["callback_data"]
    await api.callback_answer(await api.press_button(rosa.id, menu.message_id, data), REPLY_WAIT)
    progress = await rosa.reply()
    assert progress.method == "editMessageText" and "Preparando" in progress.text
    os.kill(worker, signal.SIGKILL)
    apology = await rosa.reply(WORKBOOK_WAIT)
    assert apology.method == "sendMessage"
    assert apology.text.startswith("Lo siento, algo falló de mi lado.")
    assert "BrokenProcessPool" in caplog.text  # logged with its traceback
    # Asked again, the report comes from a new worker.
    (again,) = await rosa.say("/indicadores")
    await rosa.press(again, "Trimestre 2 de 2026")
    events = await _until_ready(rosa)
    assert any("Ámbito: Puno" in (event.text or "") for event in events)
    workers.stop()
