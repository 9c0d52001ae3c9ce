"""A process never takes the replies its own updates owe as a dead process's
(bot/owed_replies.py `resend`): it knows it is alive, whatever its heartbeat row says. Its
row looks silent when heartbeats fail for a while (the database busy: «heartbeat failed:
deadlock detected» was seen with two replicas) or its clock jumps (the tests' clock moved on,
before the next beat): its updates in flight then had their replies sent twice (held for the
outbox and sent by the update too), out of order (tests/erasure/test_erasure.py's story,
once at load 9: «replies of 1 updates a stopped process owed: sent now»)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from telegram.ext import Application

from bot import owed_replies, replicas
from bot.runtime import Runtime
from storage.models import InboxReply
from storage.repositories import owed_replies as rows


async def test_its_own_owed_replies_are_not_taken_when_its_heartbeat_looks_silent(
    app: Application, runtime: Runtime
) -> None:
    """Failed before: `resend` took them (1), passes after (0, the row left to its update)."""
    async with runtime.db.session() as session:
        await rows.owe(
            session,
            update_id=4242,
            telegram_id=8820,
            chat_id=8820,
            person_id=None,
            key="4242:9f",
            replies='[{"text": "Hola"}]',
            replica=app.bot_data[replicas.KEY],
            at=runtime.clock.now(),
        )
    runtime.clock.advance(timedelta(hours=1))  # its last beat now looks an hour old
    assert await owed_replies.resend(app) == 0
    async with runtime.db.session() as session:
        assert list(await session.scalars(select(InboxReply.update_id))) == [4242]
