"""A stop of Minka while a coordinator's indicator report is being built (apart from the
update, in a worker: bot/follow_ups.py) does not leave them waiting in silence: the request is
recorded with the update (an outbox row, `cut_short.KIND`), and after the restart they
are told the report was cut short, with a button that asks for it again. Before, a graceful
stop or a crash during the build lost the request: no report, no message.

The report's only worker is stopped (SIGSTOP) before the press, so the stop always comes
while it is being built."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot import cut_short, workers
from bot.config import Settings
from bot.local_api import BotEvent, LocalBotApi
from bot.outbox import tick
from bot.runner import minka
from bot.runtime import Runtime
from storage.db import Database
from storage.models import OutboxMessage
from storage.repositories import people
from tests.chat import WORKBOOK_WAIT, Person, work_ended
from tests.conftest import ADMIN_ID
from tests.helpers import (
    CHECKED_ON,
    clock_offset_env,
    register,
    registered_official,
    workshop_under_way,
)
from tests.test_crash import START, _start, _stop, _tail
from tests.test_indicators_apart import _until_ready

pytestmark = pytest.mark.now(CHECKED_ON)

NOTICE = "se interrumpió"  # in «Su informe de indicadores se interrumpió…»


@asynccontextmanager
async def _worker_stopped(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """One report worker, stopped: a report asked for now cannot be built until let go."""
    monkeypatch.setattr(workers, "WORKERS", 1)
    workers.stop()
    worker = await workers.run("os:getpid")
    os.kill(worker, signal.SIGSTOP)
    try:
        yield
    finally:
        with suppress(ProcessLookupError):  # ended by the bot's stop (`workers.released`)
            os.kill(worker, signal.SIGKILL)
        workers.stop()


async def _ask_for_the_report(admin: Person) -> BotEvent:
    """The 2026 report for all regions; the progress message."""
    (periods,) = await admin.say("/indicadores")
    await admin.press(periods, "Año 2026")
    scope = await admin.reply()
    await admin.press(scope, "Todas las regiones")
    progress = await admin.reply()
    assert "Preparando el informe" in progress.text
    return progress


async def _guards(runtime: Runtime) -> list[tuple[str, str]]:
    async with runtime.db.session() as session:
        rows = await session.execute(
            select(OutboxMessage.state, OutboxMessage.payload["text"].as_string()).where(
                OutboxMessage.kind == cut_short.KIND
            )
        )
        return [(state, text) for state, text in rows]


async def leases_run_out(db: Database) -> None:
    """The leases of a dead process's work run out (the wait, moved): its notices due, at
    the day the tests were checked on, which no Minka's clock reads before (CHECKED_ON)."""
    async with db.session() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == cut_short.KIND)
            .values(due_at=datetime.fromisoformat(CHECKED_ON))
        )


def _told(event: BotEvent, progress: BotEvent, again: str = "ind:go:20260101-20261231:all") -> None:
    """The notice: in Spanish, and its button asks for the same report again. It replaces
    the «⏳ Preparando…» message (`progress`), which would otherwise say for good that the
    report is being prepared (before, the notice came as a new message below it)."""
    assert event.method == "editMessageText", event
    assert event.message_id == progress.message_id, (event, progress)
    assert NOTICE in event.text and "informe de indicadores" in event.text, event.text
    button = event.find_button("Pedir el informe de nuevo")
    assert button["callback_data"] == again


async def _told_by_the_next_process(
    api: LocalBotApi, db: Database, log: Path, rosa: Person, progress: BotEvent, offset: str
) -> None:
    """`python -m bot run` started again (its clock `offset` as the first's) tells Rosa her
    Q2 report was cut short; it stops cleanly."""
    second = await _start(db.url, api, log, CLOCK_OFFSET_SECONDS=offset)
    try:
        notice = await rosa.reply(timeout=START)
        _told(notice, progress, "ind:go:20260401-20260630:puno")
    finally:
        code = await _stop(second, signal.SIGTERM)
    assert code == 0, f"exit code {code}" + _tail(log)


async def test_a_report_cut_by_a_graceful_stop_is_told_after_the_restart(
    api: LocalBotApi, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    async with _worker_stopped(monkeypatch), minka(settings, poll_timeout=1) as application:
        await register(admin, region="MINEM")
        progress = await _ask_for_the_report(admin)
        # Stopped (as by SIGTERM) while the report was being built.
    assert api.drain(admin.id) == []  # nothing of the report, and nothing else
    async with minka(settings, poll_timeout=1) as application:
        runtime: Runtime = application.bot_data["runtime"]
        await tick(application)
        notice = await admin.reply(timeout=30)
        _told(notice, progress)
        assert [state for state, _text in await _guards(runtime)] == ["sent"]
        # One press asks for it again: the report arrives, and nothing else is owed.
        await admin.press(notice, "Pedir el informe de nuevo")
        events = await _until_ready(admin)
        assert any("Indicadores del programa" in (e.text or "") for e in events)
        # Its notice withdrawn just after «listo» was sent (a moment later: wait for it, or
        # the moved clock below makes it due before that, as a dead process's would be).
        for _ in range(100):
            if sorted(state for state, _text in await _guards(runtime)) == ["sent", "skipped"]:
                break
            await asyncio.sleep(0.1)
        runtime.clock.advance(cut_short.LEASE * 3)
        await tick(application)
        assert admin.no_more() == []
        assert sorted(state for state, _text in await _guards(runtime)) == ["sent", "skipped"]
        workers.stop()


async def test_a_workbook_cut_by_a_graceful_stop_is_told_after_the_restart(
    api: LocalBotApi, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for a workbook a press asks for, built after the update too
    (handlers/workbooks.py): the press answered, the stop, then the notice with a button
    that presses the same «Descargar XLSX» again, and the file comes."""
    admin = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    async with _worker_stopped(monkeypatch), minka(settings, poll_timeout=1) as application:
        await register(admin, region="MINEM")
        await workshop_under_way(application.bot_data["runtime"], "CUT234", "Taller", "REINFO")
        (report,) = await admin.say("/taller cut234")
        assert (await admin.press(report, "Descargar XLSX"))["text"] == "Preparando el archivo…"
        data = report.find_button("Descargar XLSX")["callback_data"]
    assert api.drain(admin.id) == []  # no file, and nothing else
    async with minka(settings, poll_timeout=1) as application:
        await tick(application)
        notice = await admin.reply(timeout=30)
        assert notice.text.startswith("⚠️ Su archivo taller-CUT234.xlsx quedó a medias"), notice
        assert notice.find_button("Pedir el archivo de nuevo")["callback_data"] == data
        await admin.press(notice, "Pedir el archivo de nuevo")
        document = await admin.reply(WORKBOOK_WAIT)
        assert document.method == "sendDocument"
        assert api.files[document.params["file_id"]][:2] == b"PK"
        # The second notice is withdrawn a moment after the file went (the work's end): the
        # clock moved past its lease then sends nothing.
        await work_ended()
        runtime = application.bot_data["runtime"]
        assert sorted(state for state, _text in await _guards(runtime)) == ["sent", "skipped"]
        runtime.clock.advance(cut_short.LEASE * 3)
        await tick(application)
        assert admin.no_more() == []
        workers.stop()


async def test_a_report_still_being_built_is_not_given_up_for_lost(
    api: LocalBotApi, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that lasts past the lease (the worker busy, a loaded machine) keeps its record
    fresh: no «cut short» notice while it is under way, and none after the report came."""
    monkeypatch.setattr(cut_short, "KEEP_EVERY", 0.2)
    admin = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    async with minka(settings, poll_timeout=1) as application:
        runtime: Runtime = application.bot_data["runtime"]
        await register(admin, region="MINEM")
        async with _worker_stopped(monkeypatch):
            await _ask_for_the_report(admin)
            for _ in range(3):
                runtime.clock.advance(cut_short.LEASE + timedelta(seconds=1))
                await asyncio.sleep(0.6)  # the lease kept from the moved clock
                await tick(application)
            assert admin.no_more() == []
            assert [state for state, _text in await _guards(runtime)] == ["pending"]
        # The stopped worker killed: the pool broken, the coordinator gets the apology.
        apology = await admin.reply(timeout=60)
        assert apology.text.startswith("Lo siento, algo falló de mi lado.")
        runtime.clock.advance(cut_short.LEASE * 3)
        await tick(application)
        assert admin.no_more() == []  # the apology said it: no second notice
        assert [state for state, _text in await _guards(runtime)] == ["skipped"]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill_9"])
async def test_a_report_cut_by_the_process_ending_is_told_after_the_restart(
    api: LocalBotApi, db: Database, tmp_path: Path, stop: signal.Signals
) -> None:
    """`python -m bot run` as in production, stopped (SIGTERM) or killed (SIGKILL) right after
    the coordinator's press: the report was being built in its worker. The next process tells
    her. Before, she got nothing at all, from either process."""
    rosa = Person(api, 7900, "Rosa", last_name="Huamán")
    async with db.session() as session:
        await registered_official(session, rosa.id, rosa.full_name, region_code="puno")
        await people.set_role(session, rosa.id, "coordinator", "puno")
    log = tmp_path / "minka.log"
    offset = clock_offset_env()  # its day: the second quarter of 2026 still offered
    first = await _start(db.url, api, log, CLOCK_OFFSET_SECONDS=offset)
    try:
        (menu,) = await rosa.say("/indicadores", timeout=START)
        await rosa.press(menu, "Trimestre 2 de 2026", timeout=START)
        progress = await rosa.reply()
        assert "Preparando el informe" in progress.text
    finally:
        code = await _stop(first, stop)
    assert stop == signal.SIGKILL or code == 0, f"exit code {code}" + _tail(log)
    assert rosa.no_more() == [], "the report came before the stop: nothing was tested"
    if stop == signal.SIGKILL:
        await leases_run_out(db)
    await _told_by_the_next_process(api, db, log, rosa, progress, offset)
    assert rosa.no_more() == []


def _workers_of(pid: int) -> list[int]:
    """The bot process's report workers (spawned: `spawn_main` in their command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


async def test_a_stop_does_not_wait_for_the_report_being_built(
    api: LocalBotApi, db: Database, tmp_path: Path
) -> None:
    """A SIGTERM while a report is built ends the process at once: the report is abandoned
    (its worker ended with it) and told after the restart. The worker is stopped (SIGSTOP)
    here, a report that would take for ever. Before, the process's exit waited for the
    worker's job (the executor's exit hook joins it): a slow report (CI runs 25a, 25c: over
    15 s) held the stop up, and past systemd's TimeoutStopSec the service is killed."""
    rosa = Person(api, 7901, "Rosa", last_name="Huamán")
    async with db.session() as session:
        await registered_official(session, rosa.id, rosa.full_name, region_code="puno")
        await people.set_role(session, rosa.id, "coordinator", "puno")
    log = tmp_path / "minka.log"
    offset = clock_offset_env()  # its day: the second quarter of 2026 still offered
    first = await _start(db.url, api, log, CLOCK_OFFSET_SECONDS=offset)
    stopped: list[int] = []
    try:
        (menu,) = await rosa.say("/indicadores", timeout=START)
        await rosa.press(menu, "Trimestre 2 de 2026", timeout=START)
        progress = await rosa.reply()
        assert "Preparando el informe" in progress.text
        for _ in range(200):
            if stopped := _workers_of(first.pid):
                break
            await asyncio.sleep(0.05)
        assert stopped, "no report worker found" + _tail(log)
        for worker in stopped:
            os.kill(worker, signal.SIGSTOP)
        assert rosa.no_more() == [], "the report came before the stop: nothing was tested"
        code = await _stop(first, signal.SIGTERM)
    finally:
        for worker in stopped:
            if not _gone(worker):
                os.kill(worker, signal.SIGKILL)
        if first.returncode is None:
            first.kill()
    assert code == 0, f"exit code {code}" + _tail(log)
    assert all(_gone(worker) for worker in stopped)
    await _told_by_the_next_process(api, db, log, rosa, progress, offset)
