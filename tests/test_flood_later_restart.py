"""A reply's file too large for an outbox row (`reply_data.FILE_LIMIT`: a big /mis_datos export, a
QR code: `Ctx.document`) that Telegram's flood control refuses waits in memory
(bot/follow_ups.py). A stop of Minka meanwhile (graceful, SIGTERM or kill -9) used to lose
it: no file, no word, from either process. Now the update owes, in its own transaction, a
notice that the file did not arrive (bot/cut_short.py), withdrawn once the file is sent:
after the restart the person is told, with the way to ask for it again (the command, or a
button that repeats the press), and the file is rebuilt on request.

The processes here keep files over 64 bytes in memory (as a real export over 5 MB is)."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import cut_short, follow_ups, reply_data
from bot.config import Settings
from bot.local_api import Fault, LocalBotApi
from bot.outbox import tick
from bot.runner import minka
from bot.runtime import Runtime
from storage.db import Database
from storage.models import OutboxMessage
from tests.conftest import shipped_toolkit
from tests.helpers import ana_in_puno
from tests.test_crash import START, _start, _stop, _tail
from tests.test_flood_files import _four
from tests.test_rating_union import seed_ratings
from tests.test_report_interrupted import leases_run_out
from tests.union_units import national_coordinator

SMALL = 64  # bytes: a file larger than this is kept in memory, not in an outbox row
# `python -m bot run`, with the smaller limit.
SMALL_FILES = (
    "-c",
    f"import sys, bot.reply_data; bot.reply_data.FILE_LIMIT = {SMALL}; "
    "from bot.cli import main; sys.exit(main(['run']))",
)
LONG = 300  # seconds of retry_after: the file waits in memory (under `follow_ups.WAIT`)


async def _owed(db: Database, expected: list[str]) -> None:
    """Until the notices owed for cut-short work (files and reports) are in `expected`
    states (the outbox records a send just after Telegram took it)."""
    for _ in range(100):
        async with db.session() as session:
            states = list(
                await session.scalars(
                    select(OutboxMessage.state)
                    .where(OutboxMessage.kind == cut_short.KIND)
                    .order_by(OutboxMessage.id)
                )
            )
        if states == expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"notices {states}, not {expected}")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill_9"])
async def test_an_export_held_in_memory_is_not_lost_when_the_process_ends(
    api: LocalBotApi, db: Database, tmp_path: Path, stop: signal.Signals
) -> None:
    """/mis_datos's file refused by flood control (retry after 300 s) waits in memory; the
    process is stopped or killed. The next process tells Ana the file did not arrive and how
    to ask for it again; asking, she gets it, once. Fails on main: nothing ever came."""
    ana = await ana_in_puno(api, db, 7950)
    log = tmp_path / "minka.log"
    first = await _start(db.url, api, log, command=SMALL_FILES)
    try:
        api.inject("sendDocument", Fault.too_many_requests(LONG), times=1)
        (intro,) = await ana.say("/mis_datos", timeout=START)
        assert "todo lo que Minka guarda" in intro.text
        await api.wait_for_call("sendDocument", timeout=30)  # refused: waits in memory
        await asyncio.sleep(1)
    finally:
        code = await _stop(first, stop)
    assert stop == signal.SIGKILL or code == 0, f"exit code {code}" + _tail(log)
    assert ana.no_more() == [], "the file came before the stop: nothing was tested"
    if stop == signal.SIGKILL:
        await leases_run_out(db)
    second = await _start(db.url, api, log, command=SMALL_FILES)
    try:
        notice = await ana.reply(timeout=START)
        assert notice.method == "sendMessage", notice
        assert "mis_datos_minka.json" in notice.text, notice.text
        assert "/mis_datos" in notice.text, notice.text
        await _owed(db, ["sent"])
        await ana.send("/mis_datos")  # asked again: rebuilt, and sent
        again, document = await ana.replies(2, timeout=30)
        assert "todo lo que Minka guarda" in again.text
        assert document.method == "sendDocument"
        assert json.loads(api.files[document.params["file_id"]])["persona"]["region"] == "Puno"
        await asyncio.sleep(1)
        assert ana.no_more() == []  # each once, and no second notice
        await _owed(db, ["sent", "skipped"])  # sent at once: its notice withdrawn
    finally:
        code = await _stop(second, signal.SIGTERM)
    assert code == 0, f"exit code {code}" + _tail(log)


async def test_a_qr_code_held_in_memory_is_asked_for_again_with_one_press(
    api: LocalBotApi, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A press's file (a workshop's QR code) refused by flood control waits in memory; Minka
    stops gracefully. After the restart the coordinator is told, and the notice's button
    repeats the press: the QR code comes, once."""
    monkeypatch.setattr(reply_data, "FILE_LIMIT", SMALL)
    async with minka(settings, poll_timeout=1, knowledge=shipped_toolkit(settings)) as application:
        runtime: Runtime = application.bot_data["runtime"]
        nacho = await national_coordinator(api, runtime)
        await seed_ratings(
            runtime, {"qr_w": ("puno", "female")}, {"QR1": ("puno", ["qr_w"])}, _four
        )
        (report,) = await nacho.say("/taller QR1")
        api.inject("sendPhoto", Fault.too_many_requests(LONG), times=1)
        await nacho.press(report, "QR")
        await api.wait_for_call("sendPhoto", timeout=30)
        await asyncio.sleep(0.5)
    assert not follow_ups._running, "a later call left running after the stop"
    assert nacho.no_more() == []
    async with minka(settings, poll_timeout=1, knowledge=shipped_toolkit(settings)) as application:
        await tick(application)
        notice = await nacho.reply(timeout=30)
        assert notice.method == "sendMessage", notice
        assert "taller-QR1.png" in notice.text, notice.text
        await nacho.press(notice, "Pedirlo de nuevo")
        photo = await nacho.reply(timeout=30)
        assert photo.method == "sendPhoto", photo
        assert api.files[photo.params["file_id"]].startswith(b"\x89PNG")
        await asyncio.sleep(1)
        assert nacho.no_more() == []
