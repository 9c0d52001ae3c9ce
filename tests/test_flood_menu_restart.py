"""An erased staff member's command menu is taken away (deleteMyCommands) after the reply to
/borrar_mis_datos. Telegram's flood control may hold that call back for minutes; a stop of
Minka meanwhile (SIGTERM or kill -9) used to lose it: it waited only in memory, and nothing
after the restart knows the erased person's chat any more (start-up sets the menus of the
staff and registered people it finds), so the coordinator's commands stayed on her phone for
good. Now the call is owed in the update's own transaction (bot/cut_short.py's lease: due
only if the process stops first, withdrawn once it is made) and the next process makes it;
once made, the outbox row keeps no trace of her chat (erasure)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.local_api import Fault, LocalBotApi
from storage.db import Database
from storage.models import OutboxMessage
from storage.repositories import people
from storage.types import utcnow
from tests.chat import Person
from tests.helpers import ana_in_puno
from tests.test_crash import START, _polls, _start, _stop, _tail

LONG = 300  # seconds of retry_after: the call waits (in memory) past the stop


def _menu(api: LocalBotApi, person: Person) -> list[str]:
    return [c["command"] for c in api.commands({"type": "chat", "chat_id": person.id})]


async def _until(check, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.2)):
        if check():
            return True
        await asyncio.sleep(0.2)
    return check()


async def _leases_run_out(db: Database) -> None:
    """What a killed process owed under a lease (bot/cut_short.py) is due: the wait, moved."""
    async with db.session() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key.like("interrupted:%"))
            .where(OutboxMessage.state == "pending")
            .values(due_at=utcnow())
        )


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill_9"])
async def test_an_erased_coordinators_menu_is_taken_away_after_a_restart(
    api: LocalBotApi, db: Database, tmp_path: Path, stop: signal.Signals
) -> None:
    """A coordinator erases her data; deleteMyCommands is refused (429, retry after 300 s)
    and Minka is stopped or killed. The next process takes her menu away, tells her nothing
    more, and no outbox row keeps her chat's id; the reply saying her data is gone came at
    once. Failed on main: the menu stayed (and the reply was held 300 s behind the call)."""
    ana = await ana_in_puno(api, db, 7960)
    async with db.session() as session:
        await people.set_role(session, ana.id, "coordinator", "puno")
    api.open_chat(ana.id)  # she has written to Minka before
    log = tmp_path / "minka.log"
    first = await _start(db.url, api, log)
    try:
        # Start-up gives the staff their own menus.
        assert await _until(lambda: "registrados" in _menu(api, ana), START), _tail(log)
        (question,) = await ana.say("/borrar_mis_datos", timeout=30)
        api.inject("deleteMyCommands", Fault.too_many_requests(LONG), times=1)
        await ana.press(question, "Sí, borrar")
        await api.wait_for_call("deleteMyCommands", timeout=30)  # refused: waits
        await asyncio.sleep(1)
        before = ana.no_more()
    finally:
        code = await _stop(first, stop)
    assert stop == signal.SIGKILL or code == 0, f"exit code {code}" + _tail(log)
    assert "registrados" in _menu(api, ana), "taken away before the stop: nothing was tested"
    if stop == signal.SIGKILL:
        await _leases_run_out(db)
    polled = _polls(api)
    second = await _start(db.url, api, log)
    try:
        # Start-up first (the Tool Kit's load: half a minute at load 12), then the call.
        assert await _until(lambda: _polls(api) > polled, START), "no restart" + _tail(log)
        assert await _until(lambda: _menu(api, ana) == [], 60), (
            f"her menu after the restart: {_menu(api, ana)}" + _tail(log)
        )
        await asyncio.sleep(1)
        assert ana.no_more() == []  # a call, not a message: she reads nothing more
        async with db.session() as session:
            rows = list(
                await session.execute(
                    select(OutboxMessage.kind, OutboxMessage.state).where(
                        OutboxMessage.chat_id == ana.id
                    )
                )
            )
        assert rows == [], f"outbox rows still naming her chat: {rows}"
        # Her reply was not held behind the menu's refusal: it came before the stop, once.
        assert [event.method for event in before] == ["editMessageText"], before
        assert "fueron borrados" in (before[0].text or "")
    finally:
        code = await _stop(second, signal.SIGTERM)
    assert code == 0, f"exit code {code}" + _tail(log)
