"""The replies an update owes (`inbox_replies`, bot/owed_replies.py): written in the
transaction that records the update handled, deleted with its row in hand once it is over
(storage/repositories/inbox.py `keep`), or taken here, once the process that owes them is
dead, to be sent by the outbox."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.direct import Direct
from storage.models import InboxReply, InboxUpdate, Replica
from storage.pg_begin import SAFE_KEY, at_commit, text_literal

_TABLE = InboxReply.__table__
_FIELDS = ("update_id", "telegram_id", "chat_id", "person_id", "key", "replies", "replica", "at")
# Run in nearly every update's transaction: built once, every value given, at the driver
# (storage.direct; through the session it was ~1 % of the SQLite bot's CPU at full load).
_OWE = Direct(
    insert(_TABLE).values({name: bindparam(name, type_=_TABLE.c[name].type) for name in _FIELDS})
)
# `_literal`'s columns, in the order it gives their values.
_LITERAL_COLUMNS = "update_id, telegram_id, chat_id, person_id, key, replies, replica, at"
_REPLICA = re.compile(r"[0-9a-f]{1,32}")  # bot/replicas.py: uuid4().hex


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
    """Record the update's replies (JSON) in the caller's transaction: on PostgreSQL sent
    with its COMMIT (storage.pg_begin `at_commit`: no round trip of its own)."""
    values = {
        "update_id": update_id,
        "telegram_id": telegram_id,
        "chat_id": chat_id,
        "person_id": person_id,
        "key": key,
        "replies": replies,
        "replica": replica,
        "at": at,
    }
    literal = _literal(values) if session.bind.dialect.name == "postgresql" else None
    if literal is None or not await at_commit(session, literal):
        await _OWE.run(session, values)


def _literal(values: dict[str, Any]) -> str | None:
    """The INSERT as literal SQL for `at_commit`; None if a value is not of the form the
    update path gives (it then goes with parameters, as on SQLite)."""
    numbers = [values[name] for name in ("update_id", "telegram_id", "chat_id", "person_id")]
    at = values["at"]
    if (
        not all(type(number) is int for number in numbers[:3])
        or not (numbers[3] is None or type(numbers[3]) is int)
        or not SAFE_KEY.fullmatch(values["key"])
        or not _REPLICA.fullmatch(values["replica"])
        or not isinstance(at, datetime)
        or at.tzinfo is None
    ):
        return None
    try:
        replies = text_literal(values["replies"])
    except UnicodeEncodeError:
        return None
    given = [
        *("NULL" if number is None else str(number) for number in numbers),
        f"'{values['key']}'",
        replies,
        f"'{values['replica']}'",
        f"'{at.astimezone(UTC).isoformat()}'",
    ]
    return f"INSERT INTO {_TABLE.name} ({_LITERAL_COLUMNS}) VALUES ({', '.join(given)})"


async def take(session: AsyncSession, alive_since: datetime, own: str | None = None) -> list[Owed]:
    """Delete and return the replies owed by processes not heard from since `alive_since`
    (bot/replicas.py: killed), in the order their updates came, with the updates' rows in
    hand (handled already); never those of the process `own`, the caller, which is alive
    whatever its heartbeat row says. The delete claims them: of two processes taking at
    once, each row goes to one.

    The updates' rows go first, then the replies: the order in which an update's end
    (`inbox.keep`) and erasure (`inbox.of_sender`) delete them, so a take waits for those and
    is never waited for in return (the other order deadlocked with them:
    tests/test_owed_take_lock_order.py). A reply whose process died between the two
    statements takes its update's row after (a dead process's: no one else holds it); one
    whose process beat again meanwhile stays, its update's row gone (handled already: its
    end would delete it, and no start handles it again)."""
    alive = select(Replica.id).where(Replica.seen_at >= alive_since)
    dead = _TABLE.c.replica.not_in(alive)
    theirs = dead if own is None else and_(dead, _TABLE.c.replica != own)
    updates = InboxUpdate.update_id
    owing = select(_TABLE.c.update_id).where(theirs)
    await session.execute(
        delete(InboxUpdate).where(updates.in_(owing)),
        execution_options={"synchronize_session": False},
    )
    statement = (
        delete(_TABLE)
        .where(theirs)
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
        await session.execute(delete(InboxUpdate).where(updates.in_(ids)))
    return owed


async def forget(session: AsyncSession, update_id: int) -> None:
    """The update's replies are kept otherwise now (held for the outbox, bot/held.py)."""
    await session.execute(delete(_TABLE).where(_TABLE.c.update_id == update_id))
