"""The outbox: messages Minka owes people, claimed atomically and sent once, and one chat's
messages in order: a chat's queue (by due time, then id) is taken from its head only, never
while one of its messages is being sent, and a message put back moves its queue back with it."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Update,
    and_,
    bindparam,
    delete,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import OutboxMessage, Person
from storage.repositories.outbox_marks import forgotten

# pg_advisory_xact_lock's key for "claiming due messages" (the two-int key space, as
# storage/migrate.py's UPGRADE_LOCK): replicas claim one after the other, so none can take a
# chat's next message while another is taking (and about to send) the one before it.
CLAIM_LOCK = (0x4D494E4B, 2)  # "MINK", 2
IN_HAND = ("claimed", "sending")
# Replies held back by flood control (bot/held.py): the one kind whose payload is the rendered
# message itself ({"text", "markup", ...}), not the ids it is rendered from when sent.
HELD = "reply"


@dataclass(frozen=True, slots=True)
class OwedMessage:
    id: int
    kind: str
    person_id: int | None
    telegram_id: int | None  # where it goes; None: the person blocked Minka or is gone
    locale: str
    payload: dict[str, Any]
    attempts: int


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    dedupe_key: str,
    person_id: int | None,
    payload: dict[str, Any],
    due_at: datetime,
    meeting_id: int | None = None,
    workshop_id: int | None = None,
    chat_id: int | None = None,
) -> int:
    """Add the message unless one with the same key exists; returns 1 if added, else 0.
    `meeting_id`/`workshop_id` name what it belongs to (to cancel or count it by that). It
    goes to the person's private chat, or to `chat_id` when given."""
    exists = await session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    )
    if exists is not None:
        return 0
    session.add(
        OutboxMessage(
            kind=kind,
            dedupe_key=dedupe_key,
            person_id=person_id,
            chat_id=chat_id,
            payload=payload,
            due_at=due_at,
            meeting_id=meeting_id,
            workshop_id=workshop_id,
        )
    )
    await session.flush()
    return 1


UNSENT = ("pending", *IN_HAND)


def _chat(row: type[OutboxMessage]) -> ColumnElement[int | None]:
    """The chat a row goes to: its own `chat_id`, else its person's private chat."""
    person = select(Person.telegram_id).where(Person.id == row.person_id).correlate(row)
    return func.coalesce(row.chat_id, person.scalar_subquery())


def _in_chat(row: type[OutboxMessage], chat_id: int) -> ColumnElement[bool]:
    """`row` goes to `chat_id` (index-friendly: by chat_id, or by the person's id)."""
    person = select(Person.id).where(Person.telegram_id == chat_id).scalar_subquery()
    return or_(row.chat_id == chat_id, and_(row.chat_id.is_(None), row.person_id == person))


@functools.cache  # the same expression every time: built, it costs 3.6 ms of CPU
def _chat_free() -> ColumnElement[bool]:
    """None of the row's chat's messages is being sent (claimed by a round, or on its way).

    The chats in hand are listed once per statement (a few rows): asked per candidate (NOT
    EXISTS), the check cost candidates × messages in hand; a claim over 7,000 pending copies
    with 100 in hand took 1 s on SQLite, on the event loop, with every reply waiting."""
    other = aliased(OutboxMessage)
    busy = select(_chat(other)).where(other.state.in_(IN_HAND), _chat(other).is_not(None))
    chat = _chat(OutboxMessage)
    return or_(chat.is_(None), chat.not_in(busy))


def _pending(dialect: str) -> ColumnElement[bool]:
    """`state = 'pending'`, written so that SQLite walks the partial index of pending rows in
    due order and stops at the limit: with a bound parameter it cannot see that the index
    applies, and it read every pending row by the index on state, then sorted them (10,000 of
    a broadcast's copies for each claim of 200). `likelihood` tells it the term is no filter
    worth an index of its own."""
    if dialect != "sqlite":
        return OutboxMessage.state == "pending"
    term = OutboxMessage.state == literal_column("'pending'")
    return func.likelihood(term, literal_column("0.9"))


async def last_id_for_chat(session: AsyncSession, kind: str, chat_id: int) -> int | None:
    """The chat's last unsent message of `kind` (bot/chat_order.py: what came before)."""
    unsent = (OutboxMessage.kind == kind, OutboxMessage.state.in_(UNSENT))
    where = (*unsent, OutboxMessage.chat_id == chat_id)
    return await session.scalar(select(func.max(OutboxMessage.id)).where(*where))


async def unsent_up_to(session: AsyncSession, kind: str, chat_id: int, last: int) -> bool:
    """Whether a message of `kind` to the chat, up to id `last`, is still unsent."""
    unsent = (OutboxMessage.kind == kind, OutboxMessage.state.in_(UNSENT))
    where = (*unsent, OutboxMessage.chat_id == chat_id, OutboxMessage.id <= last)
    return await session.scalar(select(OutboxMessage.id).where(*where).limit(1)) is not None


async def last_due_for_chat(
    session: AsyncSession, kind: str, chat_id: int, *, lock: bool = False
) -> datetime | None:
    """When the chat's last unsent message of `kind` is due: a new one must not be due
    earlier, or it would overtake it. `lock` (to add one after them, in this transaction):
    their rows are locked until it ends (PostgreSQL; SQLite writes one at a time anyway), so
    that the outbox putting one of them back (`postpone`) either comes first, and the new one
    is due after its new time, or waits, and then sees the new one and moves it back with
    the rest. Unlocked, a postpone running meanwhile did not see the new row, not yet
    committed, and left it due before the message put back: sent first (a reply overtaken,
    tests/test_outbox_order.py)."""
    unsent = (
        OutboxMessage.kind == kind,
        OutboxMessage.chat_id == chat_id,
        OutboxMessage.state.in_(UNSENT),
    )
    if not lock:
        return await session.scalar(select(func.max(OutboxMessage.due_at)).where(*unsent))
    # Head first, as `postpone` takes them (the message put back is the chat's head): two
    # such transactions never hold one row each while waiting for the other's.
    head_first = select(OutboxMessage.due_at).where(*unsent)
    head_first = head_first.order_by(OutboxMessage.due_at, OutboxMessage.id)
    dues = list(await session.scalars(head_first.with_for_update()))
    return max(dues, default=None)


async def chats_waiting(session: AsyncSession, kind: str) -> set[int]:
    """Chats with messages of `kind` not sent yet."""
    rows = await session.scalars(
        select(OutboxMessage.chat_id)
        .where(OutboxMessage.kind == kind, OutboxMessage.state.in_(UNSENT))
        .distinct()
    )
    return {chat_id for chat_id in rows if chat_id is not None}


async def next_due(session: AsyncSession, kind: str) -> datetime | None:
    """When the next pending message of `kind` can go: not one whose chat is being sent to
    (the round sending it takes the chat's next ones after it)."""
    return await session.scalar(
        select(func.min(OutboxMessage.due_at)).where(
            OutboxMessage.kind == kind, _pending(session.bind.dialect.name), _chat_free()
        )
    )


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[OwedMessage]:
    """Mark up to `limit` due messages as 'claimed' and return exactly those.

    The UPDATE ... RETURNING only reports rows this transaction changed from 'pending', so two
    processes never get the same message; on PostgreSQL, rows another process has locked are
    skipped (FOR UPDATE SKIP LOCKED) instead of waited for, and locked in a statement of their
    own: as a sub-select of the UPDATE, PostgreSQL may run them again for each row (nested-loop
    semi-join), skip the rows the UPDATE just changed and take new ones, so a broadcast's
    thousands of rows were all claimed at once, whatever the limit.

    One chat's messages go in order: none is claimed while a message of its chat is claimed
    or being sent (by this round, another round or another process); the chat's due ones are
    claimed together, in order, once it is free. Processes take turns to claim (an advisory
    lock), so none can claim a chat's second message while another claims its first."""
    dialect = session.bind.dialect.name
    statements = _claim_statements(dialect, limit)
    params: dict[str, Any] = {"now": now}
    if statements.lock is not None:  # PostgreSQL
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :key)"),
            dict(zip(("space", "key"), CLAIM_LOCK, strict=True)),
        )
        chosen = list(await session.scalars(statements.lock, params))
        if not chosen:
            return []
        params["chosen"] = chosen
    claimed = list(await session.scalars(statements.claim, params))
    if not claimed:
        return []
    # Columns, not ORM objects: this runs inside the write turn (on SQLite on the event
    # loop's thread), and loading 200 entities cost more than the statements.
    rows = await session.execute(statements.owed, {"claimed": claimed})
    return [
        OwedMessage(
            id_,
            kind,
            person_id,
            chat_id if chat_id is not None else telegram_id if active else None,
            locale or "es",
            dict(payload),
            attempts,
        )
        for id_, kind, person_id, chat_id, payload, attempts, telegram_id, locale, active in rows
    ]


@dataclass(frozen=True, slots=True)
class _Claim:  # PostgreSQL's candidates, locked; the UPDATE ... RETURNING; what is sent
    lock: Select[Any] | None
    claim: Update
    owed: Select[Any]


@functools.cache
def _claim_statements(dialect: str, limit: int) -> _Claim:
    """`claim_due`'s statements, built once (`now`, `chosen`, `claimed` bound when run): built
    per call they cost 4.5 ms of the loop's CPU every outbox round and 200 copies."""
    now = bindparam("now", type_=OutboxMessage.due_at.type)
    candidates = (
        select(OutboxMessage.id)
        .where(_pending(dialect), OutboxMessage.due_at <= now, _chat_free())
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
    )
    lock = None
    if dialect == "postgresql":
        lock = candidates.with_for_update(of=OutboxMessage, skip_locked=True)
        which = OutboxMessage.id.in_(bindparam("chosen", expanding=True))
    else:  # SQLite evaluates the sub-select once; one statement keeps it a single write
        which = OutboxMessage.id.in_(candidates.scalar_subquery())
    claim = (
        update(OutboxMessage)
        .where(which, OutboxMessage.state == "pending")
        .values(state="claimed", claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)  # nothing of it is in the session
    )
    owed = (
        select(*_OWED, Person.telegram_id, Person.locale, Person.active)
        .outerjoin(Person, Person.id == OutboxMessage.person_id)
        .where(OutboxMessage.id.in_(bindparam("claimed", expanding=True)))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    return _Claim(lock, claim, owed)


_OWED = (
    OutboxMessage.id,
    OutboxMessage.kind,
    OutboxMessage.person_id,
    OutboxMessage.chat_id,
    OutboxMessage.payload,
    OutboxMessage.attempts,
)


async def finish(
    session: AsyncSession,
    message_id: int,
    state: str,
    at: datetime,
    *,
    error: str | None = None,
    retry_at: datetime | None = None,
    forget: bool = False,
    payload: dict[str, Any] | None = None,
    uncounted: bool = False,
) -> None:
    """Record the outcome: 'sent', 'failed', 'skipped', or back to 'pending' for `retry_at`
    (with a new `payload` when given). A finished message held as a copy of its text
    (`forget`) keeps none of it. `uncounted`: the claim's attempt is given back."""
    values: dict[str, Any] = {"state": state, "last_error": error[:300] if error else None}
    if uncounted:
        values["attempts"] = OutboxMessage.attempts - 1
    if payload is not None:
        values["payload"] = payload
    if forget and state != "pending":
        values.update(forgotten(OutboxMessage.chat_id))
    if state == "sent":
        values["sent_at"] = at
    if retry_at is not None:
        values["due_at"] = retry_at
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
    )


async def postpone(
    session: AsyncSession,
    message_id: int,
    until: datetime,
    *,
    error: str | None = None,
    payload: dict[str, Any] | None = None,
    flood: bool = False,
) -> None:
    """Put a claimed message back, due at `until` (with a new `payload` when given: what of
    it was sent), and its chat's queue behind it: the chat's later messages (pending, or
    claimed with it and not tried) move back by as much, so none overtakes it and they keep
    their order. Refused by `flood` control, the round spent none of its tries for failures:
    however long a 429 lasts, it never uses them up."""
    due, chat = (
        await session.execute(
            select(OutboxMessage.due_at, _chat(OutboxMessage)).where(OutboxMessage.id == message_id)
        )
    ).one()
    shift = max(until - due, timedelta(0))
    await finish(
        session,
        message_id,
        "pending",
        until,
        error=error,
        retry_at=due + shift,
        payload=payload,
        uncounted=flood,
    )
    if chat is None:
        return
    later = await session.execute(
        select(
            OutboxMessage.id, OutboxMessage.due_at, OutboxMessage.state, OutboxMessage.attempts
        ).where(
            OutboxMessage.id != message_id,
            OutboxMessage.state.in_(("pending", "claimed")),
            _in_chat(OutboxMessage, chat),
            or_(
                OutboxMessage.due_at > due,
                and_(OutboxMessage.due_at == due, OutboxMessage.id > message_id),
            ),
        )
    )
    for id_, at, state, attempts in list(later):
        values: dict[str, Any] = {"due_at": at + shift}
        if state == "claimed":  # claimed with it and never tried: the round stopped at it
            values.update(state="pending", attempts=attempts - 1)
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == id_).values(**values))


FINISHED = ("sent", "failed", "skipped", "unknown")


async def prune(session: AsyncSession, before: datetime) -> int:
    """Forget finished messages sent (or due, if never sent) before `before`; owed ones stay."""
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.state.in_(FINISHED),
            func.coalesce(OutboxMessage.sent_at, OutboxMessage.due_at) < before,
        )
    )
    return result.rowcount or 0


async def counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    """(kind, state) → rows: the metrics' view of what is owed, sent and failed."""
    rows = await session.execute(
        select(OutboxMessage.kind, OutboxMessage.state, func.count()).group_by(
            OutboxMessage.kind, OutboxMessage.state
        )
    )
    return {(kind, state): count for kind, state, count in rows}
