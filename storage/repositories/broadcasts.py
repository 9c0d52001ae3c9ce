"""Broadcasts and the delivery counts of their copies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Broadcast, OutboxMessage, Person
from storage.sqlite_in_place import ON_THREAD

KIND = "broadcast"


def key_prefix(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:"


@dataclass(frozen=True, slots=True)
class BroadcastRecord:
    id: int
    text: str
    scheduled_at: datetime
    total: int
    status: str
    progress_chat_id: int | None
    progress_message_id: int | None
    progress_at: datetime | None
    finished_at: datetime | None
    publication_id: int | None = None  # announced: each copy carries its button
    audience: dict[str, Any] | None = None  # the coordinator's `audience*` answers
    created_by: int | None = None  # the author's row (None: see `author`)


@dataclass(frozen=True, slots=True)
class Delivery:
    sent: int
    failed: int  # blocked, refused, or given up after retries
    unknown: int  # a crash or a cut connection hid whether Telegram got it (not resent)
    waiting: int  # pending, claimed or being sent

    @property
    def done(self) -> bool:
        return self.waiting == 0


def _record(row: Broadcast) -> BroadcastRecord:
    return BroadcastRecord(
        row.id,
        row.text,
        row.scheduled_at,
        row.total,
        row.status,
        row.progress_chat_id,
        row.progress_message_id,
        row.progress_at,
        row.finished_at,
        row.publication_id,
        row.audience,
        row.created_by,
    )


# Copies written per transaction by `write_copies`: each holds SQLite's write turn while it
# is written, so people's writes go between batches instead of behind 10,000 rows. Made by
# the database (`add_copies`: built in Python, 100 rows took 2.5-4 ms of the loop's CPU), in
# place on the event loop's thread like any short write (storage/sqlite_in_place.py): about
# 1-2 ms of SQLite's work for 100. Sent to the database thread (500 at a time), a batch held
# the turn for the trip there and back, the loop's whole round in between: on a busy 2-core
# box 30-150 ms a batch, whatever its size, and replies waited up to 270 ms behind it (#17,
# bench.broadcast with a trace of the turns).
BATCH = 100
PREPARING = "preparing"  # the broadcast exists, its copies are still being written
CANCELLED = "cancelled"  # stopped before all its copies went: its author erased, or lost the
# authority it needed (handlers/broadcast_authority.py); its copies not sent are 'cancelled' too


@dataclass(frozen=True, slots=True)
class Author:
    """Who made a broadcast, as their row stands now."""

    person_id: int | None
    telegram_id: int | None  # their chat; None: erased
    role: str | None  # stored (an administrator's comes from BOT_ADMIN_IDS)
    coverage: str | None
    name: str | None


async def create(
    session: AsyncSession,
    *,
    text: str,
    audience: dict[str, Any],
    scheduled_at: datetime,
    person_ids: list[int],
    created_by: int | None,
    publication_id: int | None = None,
) -> BroadcastRecord:
    """The broadcast and one owed copy per person, in this one transaction."""
    broadcast = await start(
        session,
        text=text,
        audience=audience,
        scheduled_at=scheduled_at,
        total=len(person_ids),
        created_by=created_by,
        publication_id=publication_id,
    )
    await add_copies(session, broadcast, person_ids)
    await ready(session, broadcast.id)
    return broadcast


async def start(
    session: AsyncSession,
    *,
    text: str,
    audience: dict[str, Any],
    scheduled_at: datetime,
    total: int,
    created_by: int | None,
    publication_id: int | None = None,
) -> BroadcastRecord:
    """The broadcast alone, 'preparing': its copies follow (`add_copies`, then `ready`)."""
    broadcast = Broadcast(
        text=text,
        audience=audience,
        scheduled_at=scheduled_at,
        total=total,
        status=PREPARING,
        created_by=created_by,
        publication_id=publication_id,
    )
    session.add(broadcast)
    await session.flush()
    return _record(broadcast)


async def add_copies(
    session: AsyncSession, broadcast: BroadcastRecord, people: list[int] | Select[tuple[int]]
) -> None:
    """One owed copy per person; a person who has one already is skipped (a resumed write).

    One statement makes the rows, from the ids given (SQLite's json_each, PostgreSQL's unnest)
    or from a query of them (`people` a SELECT of person ids: they never come to Python):
    built in Python and sent as one set of parameters each, a row cost 15 µs of the event
    loop's CPU (three times the database's own work), and 10,000 copies held it 300 ms."""
    if isinstance(people, list) and not people:
        return
    table = OutboxMessage.__table__
    dialect: Any = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    person: Any
    if not isinstance(people, list):
        person = people.subquery()
        value = person.c[0]
    elif dialect is postgresql:
        ids = func.unnest(bindparam("ids", people, type_=ARRAY(Integer)))
        person = ids.table_valued("value").render_derived()  # unnest(...) AS p(value)
        value = person.c.value
    else:
        person = func.json_each(json.dumps(people)).table_valued("value")
        value = person.c.value
    rows = select(
        literal(KIND),
        literal(key_prefix(broadcast.id)) + cast(value, String),
        value,
        literal({"broadcast_id": broadcast.id}, type_=table.c.payload.type),
        literal(broadcast.scheduled_at, type_=table.c.due_at.type),
        literal("pending"),
        literal(0),
        literal(broadcast.id),
    ).where(value.is_not(None))  # a WHERE: SQLite reads ON CONFLICT after it
    columns = ("kind", "dedupe_key", "person_id", "payload", "due_at", "state", "attempts")
    statement = (
        dialect.insert(table)
        .from_select([*columns, "broadcast_id"], rows)
        .on_conflict_do_nothing(index_elements=[table.c.dedupe_key])
    )
    if isinstance(people, list) and len(people) > BATCH:  # SQLite: beyond a batch, not in place
        statement = statement.prefix_with(ON_THREAD)
    await session.execute(statement)


async def ready(session: AsyncSession, broadcast_id: int) -> int:
    """All copies are written: the total is what was written (returned), and progress may
    finish."""
    written = select(func.count(OutboxMessage.id)).where(OutboxMessage.broadcast_id == broadcast_id)
    await session.execute(
        update(Broadcast)
        .prefix_with(ON_THREAD)  # SQLite: counting 10,000 copies there, not on the event loop
        .where(Broadcast.id == broadcast_id, Broadcast.status == PREPARING)
        .values(status="queued", total=written.scalar_subquery())
    )
    return await session.scalar(select(Broadcast.total).where(Broadcast.id == broadcast_id)) or 0


async def preparing(session: AsyncSession) -> list[BroadcastRecord]:
    """Broadcasts whose copies were still being written when a process stopped."""
    rows = await session.scalars(select(Broadcast).where(Broadcast.status == PREPARING))
    return [_record(row) for row in rows]


async def get(session: AsyncSession, broadcast_id: int) -> BroadcastRecord | None:
    """By key (read in place on SQLite, storage/sqlite.py): each copy is rendered from it, and
    a trip to the database thread per copy cost every reply a wait for the loop."""
    row = await session.get(Broadcast, broadcast_id)
    return _record(row) if row else None


async def author(session: AsyncSession, broadcast: BroadcastRecord) -> Author | None:
    """Its author: the person who pressed «Enviar», or, for an administrator of the
    configuration who never registered (no row), the chat its progress goes to. None: a
    broadcast no one made with /difundir (written by Minka's own code), nobody's authority.
    Read by key (`session.get`, as `get`): asked for each copy at its sending."""
    if broadcast.created_by is None:
        chat = broadcast.progress_chat_id
        return None if chat is None else Author(None, chat, None, None, None)
    row = await session.get(Person, broadcast.created_by)
    if row is None:
        return Author(broadcast.created_by, None, None, None, None)
    return Author(
        row.id, row.telegram_id, row.role, row.coverage, row.full_name or row.telegram_name
    )


async def cancel(session: AsyncSession, broadcast_id: int, at: datetime) -> bool:
    """Stop the broadcast: 'cancelled', finished, and its copies still pending cancelled (a
    copy already claimed is the sender's to withhold). False if it was cancelled already
    (by another copy's sender, or a replica's)."""
    stopped = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status != CANCELLED)
        .values(status=CANCELLED, finished_at=at)
        .execution_options(synchronize_session=False)
    )
    if not stopped.rowcount:
        return False
    await session.execute(
        update(OutboxMessage)
        .prefix_with(ON_THREAD)  # SQLite: 10,000 copies cancelled there, not on the event loop
        .where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.state == "pending")
        .values(state=CANCELLED)
    )
    return True


async def set_progress_message(
    session: AsyncSession, broadcast_id: int, chat_id: int, message_id: int
) -> None:
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .values(progress_chat_id=chat_id, progress_message_id=message_id)
    )


async def delivery(session: AsyncSession, broadcast_id: int) -> Delivery:
    rows = dict(
        (
            await session.execute(
                select(OutboxMessage.state, func.count(OutboxMessage.id))
                .where(OutboxMessage.broadcast_id == broadcast_id)
                .group_by(OutboxMessage.state)
            )
        ).all()
    )
    return Delivery(
        sent=rows.get("sent", 0),
        failed=rows.get("failed", 0) + rows.get("skipped", 0),
        unknown=rows.get("unknown", 0),
        waiting=sum(rows.get(state, 0) for state in ("pending", "claimed", "sending")),
    )


async def touch_progress(
    session: AsyncSession, broadcast_id: int, at: datetime, *, finished: bool
) -> None:
    values: dict[str, Any] = {"progress_at": at}
    if finished:
        values.update(status="done", finished_at=at)
    await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(**values))
