"""Erasure across replicas. A PostgreSQL advisory lock per person orders one person's updates
across replicas, but only while each update's transaction lasts: its replies are sent after the
commit, outside the lock. Zoila's /perfil, handled by one replica, had its reply refused by
flood control a moment after the other replica had erased her (her «Sí, borrar»): the refused
reply, with her name and position, was then held in the outbox, in her chat, after the erasure
that cancels such rows had run; it waited there (an hour here) and would then have been sent.
Her erasure on one replica and her name typed into /perfil on the other, at once, in whichever
order the lock lets them through, leave nothing of hers either."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.local_api import Fault, LocalBotApi
from bot.runtime import Runtime
from storage.models import OutboxMessage
from tests.chat import REPLY_WAIT
from tests.erasure.story import leaks_in, registered_zoila
from tests.erasure.sweep import dump_database
from tests.test_flood_replicas_order import replicas


@pytest.fixture
async def two(api: LocalBotApi, database_url: str) -> AsyncIterator[list[Runtime]]:
    """Heartbeats as in production: neither replica looks dead to the other at load (whose
    owed replies it would take, bot/owed_replies.py)."""
    async with replicas(api, database_url, heartbeat=10.0) as runtimes:
        yield runtimes


async def _leaks(runtime: Runtime, *extra: str) -> list[str]:
    """What of hers the database holds once the replicas are done: a moment after the updates'
    ends (her command menu's removal, owed since her erasure, is withdrawn after its call)."""
    for _ in range(int(REPLY_WAIT / 0.1)):
        lines = await dump_database(runtime)
        leaks = leaks_in(lines) + [line for line in lines for text in extra if text in line]
        if not leaks:
            return []
        await asyncio.sleep(0.1)
    return leaks


# How long Telegram takes to refuse the /perfil reply: the erasure happens meanwhile.
SLOW_REFUSAL = 3.0
NEW_NAME = "Zoila Ccahuana Espinoza de Huaychulo"


def _handled(caplog: pytest.LogCaptureFixture, handler: str | None = None) -> int:
    return sum(
        1
        for record in caplog.records
        if record.getMessage() == "update handled"
        and handler in (None, getattr(record, "handler", ""))
    )


async def _until_handled(caplog: pytest.LogCaptureFixture, count: int, handler: str | None) -> None:
    for _ in range(int(REPLY_WAIT / 0.05)):
        if _handled(caplog, handler) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handler or 'updates'}: not handled")


async def test_a_reply_refused_after_her_erasure_on_the_other_replica_is_not_kept(
    api: LocalBotApi,
    two: list[Runtime],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After both replicas are done, no row holds her name, id, username or position. Failed
    before: the /perfil reply held by the other replica, due in an hour, held all four."""
    caplog.set_level(logging.INFO, logger="handlers.dispatch")
    zoila = await registered_zoila(api)
    (question,) = await zoila.say("/borrar_mis_datos")
    profiles = _handled(caplog, "/perfil")
    api.inject("sendMessage", Fault.too_many_requests(3600, after=SLOW_REFUSAL))
    await zoila.send("/perfil")  # to one replica (the load balancer takes turns)...
    await zoila.press(question, "Sí, borrar")  # ...and this to the other, at once
    assert "fueron borrados" in (await zoila.reply()).text
    await _until_handled(caplog, profiles + 1, "/perfil")

    leaks = await _leaks(two[0])
    assert leaks == [], "\n".join(leaks)
    async with two[0].db.session() as session:  # nothing waits to be sent to her
        waiting = select(func.count()).where(OutboxMessage.state == "pending")
        assert await session.scalar(waiting) == 0


async def test_her_name_typed_on_one_replica_as_she_is_erased_on_the_other_is_not_kept(
    api: LocalBotApi,
    two: list[Runtime],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A guard (passes on main): the new name, typed into /perfil's form as her «Sí, borrar»
    is pressed, goes to one replica and the press to the other; handled in either order
    (the name saved then erased, or typed after the erasure, by a newcomer: not stored)."""
    caplog.set_level(logging.INFO, logger="handlers.dispatch")
    zoila = await registered_zoila(api)
    (question,) = await zoila.say("/borrar_mis_datos")
    (profile,) = await zoila.say("/perfil")
    await zoila.press(profile, "Nombre")
    await zoila.reply()
    handled = _handled(caplog)
    await zoila.send(NEW_NAME)  # to one replica...
    await zoila.press(question, "Sí, borrar")  # ...and this to the other
    await _until_handled(caplog, handled + 2, None)
    leaks = await _leaks(two[0], NEW_NAME)
    assert leaks == [], "\n".join(leaks)
