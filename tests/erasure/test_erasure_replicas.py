"""Erasure across replicas. A PostgreSQL advisory lock per person orders one person's updates
across replicas, but only while each update's transaction lasts: its replies are sent after the
commit, outside the lock. Zoila's /perfil, handled by one replica, had its reply refused by
flood control a moment after the other replica had erased her (her «Sí, borrar»): the refused
reply, with her name and position, was then held in the outbox, in her chat, after the erasure
that cancels such rows had run; it waited there (an hour here) and would then have been sent."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import func, select

from bot.local_api import Fault, LocalBotApi
from bot.runtime import Runtime
from storage.models import OutboxMessage
from tests.chat import REPLY_WAIT
from tests.erasure.story import dump_database, leaks_in, registered_zoila
from tests.test_flood_replicas_order import two  # noqa: F401 (the fixture)

# How long Telegram takes to refuse the /perfil reply: the erasure happens meanwhile.
SLOW_REFUSAL = 3.0


def _handled(caplog: pytest.LogCaptureFixture, handler: str) -> int:
    return sum(
        1
        for record in caplog.records
        if record.getMessage() == "update handled" and getattr(record, "handler", "") == handler
    )


async def test_a_reply_refused_after_her_erasure_on_the_other_replica_is_not_kept(
    api: LocalBotApi,
    two: list[Runtime],  # noqa: F811 (the fixture)
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After both replicas are done, no row holds her name, id, username or position. Failed
    before: the /perfil reply held by the other replica, due in an hour, held all four."""
    caplog.set_level(logging.INFO, logger="handlers.dispatch")
    zoila = await registered_zoila(api)
    await asyncio.sleep(1)  # a few heartbeats: each replica knows the other is alive
    (question,) = await zoila.say("/borrar_mis_datos")
    profiles = _handled(caplog, "/perfil")
    api.inject("sendMessage", Fault.too_many_requests(3600, after=SLOW_REFUSAL))
    await zoila.send("/perfil")  # to one replica (the load balancer takes turns)...
    await zoila.press(question, "Sí, borrar")  # ...and this to the other, at once
    assert "fueron borrados" in (await zoila.reply()).text
    for _ in range(int(REPLY_WAIT / 0.05)):  # until /perfil's handling is over
        if _handled(caplog, "/perfil") > profiles:
            break
        await asyncio.sleep(0.05)
    assert _handled(caplog, "/perfil") > profiles, "/perfil was never handled"

    leaks = leaks_in(await dump_database(two[0]))
    assert leaks == [], "\n".join(leaks)
    async with two[0].db.session() as session:  # nothing waits to be sent to her
        waiting = select(func.count()).where(OutboxMessage.state == "pending")
        assert await session.scalar(waiting) == 0
