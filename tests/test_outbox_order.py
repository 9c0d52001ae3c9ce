"""A reply held while the outbox puts the chat's previous held reply back (a 502, a 429) stays
behind it, on PostgreSQL, where the two transactions run at once.

Found as a rare failure of tests/test_flood_control.py (test_a_reply_never_overtakes_a_held_one,
PostgreSQL, «passing failure»: /glosario arrived before the held /ayuda, 1 run in ~20): the
hold (bot/held.py `keep`) read the chat's last due time while the outbox's `postpone` moved
/ayuda back; `postpone` moves the chat's later messages back with it, but could not see the
new row, not yet committed, so /glosario stayed due before /ayuda and was sent first. Here the
two transactions are interleaved by hand: the hold's is left open while the postpone runs."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import OutboxMessage
from storage.repositories import outbox
from storage.types import utcnow

CHAT = 4242


async def test_a_reply_held_while_the_one_before_is_put_back_stays_behind_it(
    db: Database,
) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes one writing transaction at a time: no such interleaving")
    start = utcnow()
    async with db.session() as session:
        await outbox.enqueue(
            session,
            kind=outbox.HELD,
            dedupe_key="reply:ayuda:0",
            person_id=None,
            chat_id=CHAT,
            payload={"text": "ayuda"},
            due_at=start,
        )
    async with db.session() as session:
        (first,) = await outbox.claim_due(session, start, 10)  # on its way

    async def put_back() -> None:  # the outbox: a 502, tried again in a few seconds
        async with db.session() as session:
            await outbox.postpone(session, first.id, start + timedelta(seconds=30), error="502")

    async with db.session() as session:  # the next reply held, as bot/held.py keeps it
        last = await outbox.last_due_for_chat(session, outbox.HELD, CHAT, lock=True)
        await outbox.enqueue(
            session,
            kind=outbox.HELD,
            dedupe_key="reply:glosario:0",
            person_id=None,
            chat_id=CHAT,
            payload={"text": "glosario"},
            due_at=max(utcnow(), last or start),
        )
        postponing = asyncio.create_task(put_back())
        await asyncio.sleep(1)  # the put-back goes as far as it can meanwhile
    await postponing
    async with db.session() as session:
        dues = dict(
            (await session.execute(select(OutboxMessage.dedupe_key, OutboxMessage.due_at))).all()
        )
    assert dues["reply:glosario:0"] > dues["reply:ayuda:0"], dues
