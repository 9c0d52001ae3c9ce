"""Questions specialists taught to Minka: an answered question and the article it should
find, waiting for `kb ejemplos --aceptar` to write it into examples.yaml."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Escalation, Person
from storage.repositories.erasure import ERASED_TEXT

PENDING, ACCEPTED, DISMISSED = "pending", "accepted", "dismissed"


@dataclass(frozen=True, slots=True)
class Taught:
    id: int  # the escalation's
    text: str  # as the official wrote it: masked before it is shown or written
    article_id: str | None
    status: str | None
    names: tuple[str, ...]  # the asker's, only to refuse an example that names them


def _teachable():  # type: ignore[no-untyped-def]
    """An official's question (not an error report) that a specialist answered, whose text
    erasure has not removed."""
    return (
        Escalation.question_id.is_not(None),
        Escalation.article_id.is_(None),
        Escalation.status == "answered",
        Escalation.text != ERASED_TEXT,
    )


async def find(session: AsyncSession, escalation_id: int) -> Taught | None:
    """The question if it can be taught, whether or not it was already."""
    return next(iter(await _taught(session, Escalation.id == escalation_id)), None)


async def waiting(session: AsyncSession) -> list[Taught]:
    """What specialists taught and nobody wrote into examples.yaml or set aside yet."""
    return await _taught(session, Escalation.example_status == PENDING)


async def claim(session: AsyncSession, escalation_ids: list[int] | None) -> list[Taught]:
    """The waiting questions among `escalation_ids` (every one when None), as they are now,
    held until the transaction ends: `kb ejemplos --aceptar` writes only these into
    examples.yaml, inside this transaction. An erasure committed before has withdrawn them
    (not returned); one that comes after waits for the commit. The first statement is a
    write that changes nothing, so that it takes the locks: on PostgreSQL the rows' (a row
    an erasure is changing is waited for, then read again), on SQLite the database's write
    lock, and with it a view of the latest commit."""
    chosen = [] if escalation_ids is None else [Escalation.id.in_(escalation_ids)]
    held = list(
        await session.scalars(
            update(Escalation)
            .where(*_teachable(), Escalation.example_status == PENDING, *chosen)
            .values(example_status=PENDING)
            .returning(Escalation.id)
        )
    )
    return await _taught(session, Escalation.id.in_(held)) if held else []


async def _taught(session: AsyncSession, *where: object) -> list[Taught]:
    rows = await session.execute(
        select(
            Escalation.id,
            Escalation.text,
            Escalation.example_article_id,
            Escalation.example_status,
            Person.full_name,
            Person.telegram_name,
        )
        .join(Person, Escalation.person_id == Person.id)
        .where(*_teachable(), *where)
        .order_by(Escalation.answered_at, Escalation.id)
    )
    return [
        Taught(id_, text, article, status, tuple(n for n in (full, shown) if n))
        for id_, text, article, status, full, shown in rows
    ]


async def teach(session: AsyncSession, escalation_id: int, article_id: str) -> bool:
    """Mark the question to be taught under `article_id` (a second choice replaces the first
    until it is written); False if it cannot be taught or is in the file already."""
    result = await session.execute(
        update(Escalation)
        .where(
            Escalation.id == escalation_id,
            *_teachable(),
            or_(Escalation.example_status.is_(None), Escalation.example_status != ACCEPTED),
        )
        .values(example_article_id=article_id, example_status=PENDING)
    )
    return result.rowcount == 1


async def settle(session: AsyncSession, escalation_ids: list[int], status: str) -> int:
    """Mark waiting questions as written into the file (ACCEPTED) or set aside (DISMISSED)."""
    if not escalation_ids:
        return 0
    result = await session.execute(
        update(Escalation)
        .where(Escalation.id.in_(escalation_ids), Escalation.example_status == PENDING)
        .values(example_status=status)
    )
    return result.rowcount
