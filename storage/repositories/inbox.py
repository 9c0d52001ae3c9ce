"""Updates in hand (`inbox_updates`, bot/inbox.py): written before Telegram is told they were
received, deleted once handled (with the replies they owed, `inbox_replies`:
storage/repositories/owed_replies.py); what a killed process left is handled by the next one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import BigInteger, Delete, Text, bindparam, delete, or_, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.direct import Direct
from storage.models import InboxReply, InboxUpdate
from storage.types import UTCDateTime

_TABLE = InboxUpdate.__table__
# Run for every batch of updates: built once per dialect (a repeat of a kept update, as
# Telegram resends one to a slow webhook, is no new row).
_KEEP = {
    dialect: insert(_TABLE)
    .values(
        update_id=bindparam("update_id"),
        telegram_id=bindparam("telegram_id"),
        body=bindparam("body"),
        at=bindparam("at"),
        attempts=0,
    )
    .on_conflict_do_nothing()
    for dialect, insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))
}
_DONE = [
    delete(table).where(table.c.update_id.in_(bindparam("ids", expanding=True)))
    for table in (_TABLE, InboxReply.__table__)
]


async def keep(
    session: AsyncSession, rows: Sequence[dict[str, object]], done: Iterable[int]
) -> None:
    """Write `rows` (update_id, telegram_id, body, at) and forget the updates `done` (and the
    replies they owed, sent by now), in the caller's transaction."""
    if rows:
        await session.execute(_KEEP[session.bind.dialect.name], list(rows))
    if ids := list(done):
        for statement in _DONE:
            await session.execute(statement, {"ids": ids})


# PostgreSQL: the batch and the deletes in one statement, one round trip (run in autocommit:
# no BEGIN and COMMIT of their own), at asyncpg (storage.direct).
_KEEP_PG = Direct(
    text(
        "WITH gone AS (DELETE FROM inbox_updates WHERE update_id = ANY(:done)), "
        "sent AS (DELETE FROM inbox_replies WHERE update_id = ANY(:done)) "
        "INSERT INTO inbox_updates (update_id, telegram_id, body, at, attempts) "
        "SELECT u, t, b, :at, 0 FROM unnest(:ids, :senders, :bodies) AS x(u, t, b) "
        "ON CONFLICT DO NOTHING"
    ).bindparams(
        bindparam("done", type_=ARRAY(BigInteger)),
        bindparam("ids", type_=ARRAY(BigInteger)),
        bindparam("senders", type_=ARRAY(BigInteger)),
        bindparam("bodies", type_=ARRAY(Text)),
        bindparam("at", type_=UTCDateTime()),
    )
)


async def keep_at_once(
    connection: AsyncConnection,
    rows: Sequence[dict[str, object]],
    done: Iterable[int],
    at: datetime,
) -> None:
    """`keep` on PostgreSQL, as one statement on an autocommit connection."""
    await _KEEP_PG.run_alone(
        connection,
        {
            "done": list(done),
            "ids": [row["update_id"] for row in rows],
            "senders": [row["telegram_id"] for row in rows],
            "bodies": [row["body"] for row in rows],
            "at": at,
        },
    )


def of_sender(telegram_id: int) -> list[Delete]:
    """Erasure: the person's updates in hand, as Telegram sent them, and the replies their
    updates (or anyone's in their chat) owed and had not sent."""
    return [
        delete(InboxUpdate).where(InboxUpdate.telegram_id == telegram_id),
        delete(InboxReply).where(
            or_(InboxReply.telegram_id == telegram_id, InboxReply.chat_id == telegram_id)
        ),
    ]


async def forget(session: AsyncSession, telegram_id: int) -> None:
    """`of_sender`'s rows, in the caller's transaction."""
    for statement in of_sender(telegram_id):
        await session.execute(statement)


async def left(session: AsyncSession, give_up_after: int) -> list[tuple[int, str]]:
    """The updates a stopped process left unhandled, in the order they came, each counted as
    tried once more; those already tried `give_up_after` times are deleted instead (an update
    that kills the process each time must not stop every start). Not those handled already,
    whose replies are owed (bot/owed_replies.py): a repeat would end with their deletion."""
    await session.execute(delete(_TABLE).where(_TABLE.c.attempts >= give_up_after))
    await session.execute(update(_TABLE).values(attempts=_TABLE.c.attempts + 1))
    owed = select(InboxReply.update_id)
    rows = await session.execute(
        select(_TABLE.c.update_id, _TABLE.c.body)
        .where(_TABLE.c.update_id.not_in(owed))
        .order_by("update_id")
    )
    return [(update_id, body) for update_id, body in rows]


async def gave_up(session: AsyncSession, give_up_after: int) -> int:
    """How many kept updates the next `left` would delete untried."""
    rows = await session.execute(
        select(_TABLE.c.update_id).where(_TABLE.c.attempts >= give_up_after)
    )
    return len(rows.all())


async def prune(session: AsyncSession, before: datetime) -> int:
    """Retention: an update kept longer than any handling takes (a row no process came back
    for) is not kept with its text for ever, nor are the replies one owed."""
    replies = InboxReply.__table__
    await session.execute(delete(replies).where(replies.c.at < before))
    result = await session.execute(delete(_TABLE).where(_TABLE.c.at < before))
    return result.rowcount or 0
