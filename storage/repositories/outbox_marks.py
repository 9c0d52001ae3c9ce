"""The outbox's marks made on every round and every send: «sending» and «sent» (bot/ledger.py),
a claim kept fresh while its message is on its way, and the claims of a stopped process
recovered. Statements built once, on the table: they run inside SQLite's write turn, many
times a second during a broadcast.

Apart from the outbox's queue (`storage.repositories.outbox`: what is owed, claimed, put
back), because these only move a claimed row along its states."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, case, exists, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, Person


def forgotten(chat_id: ColumnElement[int | None]) -> dict[str, Any]:
    """What a finished copy (a held reply) keeps none of: its text, and its chat's id when
    no person has it any more (a reply to /borrar_mis_datos, held by flood control and sent
    after the erasure, was the last row naming the erased person's Telegram id)."""
    known = exists().where(Person.telegram_id == chat_id)
    return {"payload": {}, "chat_id": case((known, chat_id), else_=None)}


# A broadcast's every copy writes these (bot/ledger.py): built once, as Core statements. Built
# per call through the ORM they cost the event loop 1.3 ms of CPU per copy, inside SQLite's
# write turn; prebuilt, ~0.6 ms.
_TABLE = OutboxMessage.__table__
_START_SENDING = (
    update(_TABLE)
    .where(
        _TABLE.c.state == "claimed",
        tuple_(_TABLE.c.id, _TABLE.c.attempts).in_(bindparam("claims", expanding=True)),
    )
    .values(state="sending", claimed_at=bindparam("at", type_=_TABLE.c.claimed_at.type))
    .returning(_TABLE.c.id)
)
_SENT = {
    "state": "sent",
    "last_error": None,
    "sent_at": bindparam("b_at", type_=_TABLE.c.sent_at.type),
}
_FINISH_SENT = {  # by `forget`: copies whose text is forgotten, and the others
    forget: update(_TABLE)
    .where(_TABLE.c.id == bindparam("b_id"))
    .values(**_SENT, **(forgotten(_TABLE.c.chat_id) if forget else {}))
    for forget in (False, True)
}


async def start_sending(
    session: AsyncSession, claims: Sequence[tuple[int, int]], at: datetime
) -> set[int]:
    """Recorded just before the HTTP calls: from here on a crash leaves the outcome unknown.
    `claims`: (id, the claim's `attempts`) of each message, all in one statement. Returns
    the ids still ours: a claim whose `attempts` changed is another process's (it found the
    claim stale, queued the message again and claimed it), and only that one sends it."""
    if not claims:
        return set()
    result = await session.scalars(_START_SENDING, {"claims": list(claims), "at": at})
    return set(result)


async def finish_sent(session: AsyncSession, sent: Sequence[tuple[int, datetime, bool]]) -> None:
    """`finish(..., "sent")` for several messages, (id, when, forget) each, in one
    executemany per kind of row (copies whose text is forgotten, and the others)."""
    for forget, statement in _FINISH_SENT.items():
        rows = [{"b_id": id_, "b_at": at} for id_, at, gone in sent if gone is forget]
        if rows:
            await session.execute(statement, rows)


_RELEASE = (
    update(_TABLE)
    .where(
        _TABLE.c.state == "claimed",
        tuple_(_TABLE.c.id, _TABLE.c.attempts).in_(bindparam("claims", expanding=True)),
    )
    .values(state="pending", claimed_at=None, attempts=_TABLE.c.attempts - 1)
)


async def release(session: AsyncSession, claims: Sequence[tuple[int, int]]) -> None:
    """A stopping process's claims it never started: pending again, due as they were, and
    the claim not counted as a try, so the next start sends them at once (recover_stale
    would wait STALE_AFTER, not knowing the process is gone). `claims`: (id, `attempts`),
    so a claim another process has taken over since is left alone."""
    if claims:
        await session.execute(_RELEASE, {"claims": list(claims)})


async def keep_claim(session: AsyncSession, message_id: int, at: datetime) -> None:
    """A message still on its way (the rate limiter waiting out a 429): its claim is fresh."""
    await session.execute(
        update(_TABLE)
        .where(_TABLE.c.id == message_id, _TABLE.c.state == "sending")
        .values(claimed_at=at)
    )


async def recover_stale(
    session: AsyncSession, claimed_before: datetime
) -> tuple[int, list[tuple[int, str, dict[str, Any]]]]:
    """After a process died: messages it claimed but never started sending go back to
    'pending' (safe to send); those it was sending become 'unknown' (Telegram may have them,
    so they are not sent again). Returns how many were requeued, and the (id, kind, payload)
    of those now unknown: final, as a sent one is (a broadcast's report counts them)."""
    requeued = await session.execute(_STALE["claimed"], {"before": claimed_before})
    unknown = await session.execute(_STALE["sending"], {"before": claimed_before})
    return requeued.rowcount or 0, [(id_, kind, dict(payload)) for id_, kind, payload in unknown]


# Every outbox round runs them, nearly always changing nothing: built once, on the table. As
# ORM statements built per call they cost 2.5 ms of the event loop's CPU a round.
_STALE = {
    state: update(_TABLE)
    .where(
        _TABLE.c.state == state,
        _TABLE.c.claimed_at < bindparam("before", type_=_TABLE.c.claimed_at.type),
    )
    .values(state=then)
    for state, then in (("claimed", "pending"), ("sending", "unknown"))
}
_STALE["sending"] = _STALE["sending"].returning(_TABLE.c.id, _TABLE.c.kind, _TABLE.c.payload)
