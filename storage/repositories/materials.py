"""Workshop materials and who received them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MaterialDelivery, WorkshopAttendance, WorkshopMaterial


@dataclass(frozen=True, slots=True)
class MaterialRecord:
    id: int
    workshop_id: int
    filename: str
    size: int
    file_id: str | None


_COLUMNS = (
    WorkshopMaterial.id,
    WorkshopMaterial.workshop_id,
    WorkshopMaterial.filename,
    WorkshopMaterial.size,
    WorkshopMaterial.file_id,
)


async def add(session: AsyncSession, workshop_id: int, filename: str, content: bytes) -> int:
    row = WorkshopMaterial(
        workshop_id=workshop_id, filename=filename, content=content, size=len(content)
    )
    session.add(row)
    await session.flush()
    return row.id


async def get(session: AsyncSession, material_id: int) -> MaterialRecord | None:
    row = (
        await session.execute(select(*_COLUMNS).where(WorkshopMaterial.id == material_id))
    ).first()
    return MaterialRecord(*row) if row is not None else None


async def of_workshops(session: AsyncSession, workshop_ids: list[int]) -> list[MaterialRecord]:
    if not workshop_ids:
        return []
    rows = await session.execute(
        select(*_COLUMNS)
        .where(WorkshopMaterial.workshop_id.in_(workshop_ids))
        .order_by(WorkshopMaterial.workshop_id, WorkshopMaterial.id)
    )
    return [MaterialRecord(*row) for row in rows.all()]


async def content(session: AsyncSession, material_id: int) -> bytes:
    value = await session.scalar(
        select(WorkshopMaterial.content).where(WorkshopMaterial.id == material_id)
    )
    return value or b""


async def remember_file_id(session: AsyncSession, material_id: int, file_id: str) -> None:
    await session.execute(
        update(WorkshopMaterial).where(WorkshopMaterial.id == material_id).values(file_id=file_id)
    )


async def attended(session: AsyncSession, workshop_id: int, person_id: int) -> bool:
    found = await session.scalar(
        select(WorkshopAttendance.id).where(
            WorkshopAttendance.workshop_id == workshop_id,
            WorkshopAttendance.person_id == person_id,
        )
    )
    return found is not None


async def record_delivery(
    session: AsyncSession, material_id: int, person_id: int, now: datetime
) -> bool:
    """The first delivery to this person counts; later ones change nothing."""
    exists = await session.scalar(
        select(MaterialDelivery.id).where(
            MaterialDelivery.material_id == material_id, MaterialDelivery.person_id == person_id
        )
    )
    if exists is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(
                MaterialDelivery(material_id=material_id, person_id=person_id, delivered_at=now)
            )
    except IntegrityError:
        return False
    return True


async def recipients(session: AsyncSession, workshop_id: int) -> dict[int, int]:
    """Material id -> people who received it."""
    rows = await session.execute(
        select(MaterialDelivery.material_id, func.count())
        .join(WorkshopMaterial, WorkshopMaterial.id == MaterialDelivery.material_id)
        .where(WorkshopMaterial.workshop_id == workshop_id)
        .group_by(MaterialDelivery.material_id)
    )
    return dict(rows.all())
