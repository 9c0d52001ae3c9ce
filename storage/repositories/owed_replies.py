"""The replies an update owes (`inbox_replies`, bot/owed_replies.py): written in the
transaction that records the update handled, deleted with its row in hand once it is over
(storage/repositories/inbox.py `keep`), or taken here, once the process that owes them is
dead, to be sent by the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.direct import Direct
from storage.models import InboxReply, InboxUpdate, Replica

_TABLE = InboxReply.__table__
_FIELDS = ("update_id", "telegram_id", "chat_id", "person_id", "key", "replies", "replica", "at")
# Run in nearly every update's transaction: built once, every value given, at the driver
# (storage.direct; through the session it was ~1 % of the SQLite bot's CPU at full load).
_OWE = Direct(
    insert(_TABLE).values({name: bindparam(name, type_=_TABLE.c[name].type) for name in _FIELDS})
)


@dataclass(frozen=True, slots=True)
class Owed:
    """One update's replies, as `owe` wrote them."""

    update_id: int
    chat_id: int
    person_id: int | None
    key: str
    replies: str


async def owe(
    session: AsyncSession,
    *,
    update_id: int,
    telegram_id: int,
    chat_id: int,
    person_id: int | None,
    key: str,
    replies: str,
    replica: str,
    at: datetime,
) -> None:
    """Record the update's replies (JSON) in the caller's transaction."""
    await _OWE.run(
        session,
        {
            "update_id": update_id,
            "telegram_id": telegram_id,
            "chat_id": chat_id,
            "person_id": person_id,
            "key": key,
            "replies": replies,
            "replica": replica,
            "at": at,
        },
    )


async def take(session: AsyncSession, alive_since: datetime) -> list[Owed]:
    """Delete and return the replies owed by processes not heard from since `alive_since`
    (bot/replicas.py: killed), in the order their updates came, with the updates' rows in
    hand (handled already). The delete claims them: of two processes taking at once, each
    row goes to one."""
    alive = select(Replica.id).where(Replica.seen_at >= alive_since)
    statement = (
        delete(_TABLE)
        .where(_TABLE.c.replica.not_in(alive))
        .returning(
            _TABLE.c.update_id,
            _TABLE.c.chat_id,
            _TABLE.c.person_id,
            _TABLE.c.key,
            _TABLE.c.replies,
        )
    )
    rows = await session.execute(statement)
    owed = sorted((Owed(*row) for row in rows), key=lambda row: row.update_id)
    if owed:
        ids = [row.update_id for row in owed]
        await session.execute(delete(InboxUpdate).where(InboxUpdate.update_id.in_(ids)))
    return owed


async def forget(session: AsyncSession, update_id: int) -> None:
    """The update's replies are kept otherwise now (held for the outbox, bot/held.py)."""
    await session.execute(delete(_TABLE).where(_TABLE.c.update_id == update_id))
