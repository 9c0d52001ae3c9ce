"""Publications and who received them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Publication, PublicationDelivery


@dataclass(frozen=True, slots=True)
class PublicationRecord:
    id: int
    title: str
    summary: str
    published_on: date
    filename: str
    size: int
    file_id: str | None
    withdrawn_at: datetime | None


def _record(row: Publication) -> PublicationRecord:
    return PublicationRecord(
        row.id,
        row.title,
        row.summary,
        row.published_on,
        row.filename,
        row.size,
        row.file_id,
        row.withdrawn_at,
    )


_COLUMNS = (
    Publication.id,
    Publication.title,
    Publication.summary,
    Publication.published_on,
    Publication.filename,
    Publication.size,
    Publication.file_id,
    Publication.withdrawn_at,
)


async def add(
    session: AsyncSession,
    *,
    title: str,
    summary: str,
    published_on: date,
    filename: str,
    content: bytes,
) -> PublicationRecord:
    row = Publication(
        title=title,
        summary=summary,
        published_on=published_on,
        filename=filename,
        content=content,
        size=len(content),
    )
    session.add(row)
    await session.flush()
    return _record(row)


async def get(session: AsyncSession, publication_id: int) -> PublicationRecord | None:
    """The publication without its file (the bytes are read only when they must be sent)."""
    row = (
        await session.execute(select(*_COLUMNS).where(Publication.id == publication_id))
    ).one_or_none()
    return PublicationRecord(*row) if row is not None else None


# Read whenever an article that names a publication is shown: built once.
_NEWEST_NAMED = (
    select(*_COLUMNS)
    .where(Publication.filename == bindparam("filename"), Publication.withdrawn_at.is_(None))
    .order_by(Publication.published_on.desc(), Publication.id.desc())
    .limit(1)
)


async def newest_named(session: AsyncSession, filename: str) -> PublicationRecord | None:
    """The newest available publication whose file has this name (a Tool Kit article names
    it so; a newer edition added under the same name takes its place)."""
    row = (await session.execute(_NEWEST_NAMED, {"filename": filename})).one_or_none()
    return PublicationRecord(*row) if row is not None else None


async def content(session: AsyncSession, publication_id: int) -> bytes:
    return (
        await session.scalar(select(Publication.content).where(Publication.id == publication_id))
        or b""
    )


async def listed(session: AsyncSession, *, withdrawn: bool = False) -> list[PublicationRecord]:
    """Newest first; withdrawn ones only when asked (the CLI shows them all)."""
    statement = select(*_COLUMNS).order_by(Publication.published_on.desc(), Publication.id.desc())
    if not withdrawn:
        statement = statement.where(Publication.withdrawn_at.is_(None))
    return [PublicationRecord(*row) for row in (await session.execute(statement)).all()]


async def withdraw(session: AsyncSession, publication_id: int, now: datetime) -> bool:
    """True when it was available and is now withdrawn."""
    result = await session.execute(
        update(Publication)
        .where(Publication.id == publication_id, Publication.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def remember_file_id(session: AsyncSession, publication_id: int, file_id: str) -> None:
    await session.execute(
        update(Publication).where(Publication.id == publication_id).values(file_id=file_id)
    )


async def record_delivery(
    session: AsyncSession, publication_id: int, person_id: int, source: str, now: datetime
) -> bool:
    """The first delivery to this person counts; later ones change nothing. True if first."""
    exists = await session.scalar(
        select(PublicationDelivery.id).where(
            PublicationDelivery.publication_id == publication_id,
            PublicationDelivery.person_id == person_id,
        )
    )
    if exists is not None:
        return False
    try:
        async with session.begin_nested():  # another replica may have just recorded it
            session.add(
                PublicationDelivery(
                    publication_id=publication_id,
                    person_id=person_id,
                    source=source,
                    delivered_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


async def recipients(session: AsyncSession) -> dict[int, int]:
    """Publication id -> people who received it, ever."""
    rows = await session.execute(
        select(PublicationDelivery.publication_id, func.count()).group_by(
            PublicationDelivery.publication_id
        )
    )
    return {publication: people for publication, people in rows.all()}
