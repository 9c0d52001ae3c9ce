"""Regions: reference data seeded by the first migration."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Region


@dataclass(frozen=True, slots=True)
class RegionRecord:
    code: str
    name: str
    kind: str


async def list_regions(session: AsyncSession) -> list[RegionRecord]:
    rows = await session.scalars(select(Region).order_by(Region.sort_order))
    return [RegionRecord(row.code, row.name, row.kind) for row in rows]


async def get_region(session: AsyncSession, code: str) -> RegionRecord | None:
    row = await session.get(Region, code)
    return RegionRecord(row.code, row.name, row.kind) if row else None
