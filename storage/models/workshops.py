"""Workshops: check-ins, survey answers, materials and who received them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.models.people import profile_then
from storage.types import utcnow


class Workshop(Base):
    """A training workshop of the decentralised programme; `code` is what people type or scan."""

    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    place: Mapped[str | None] = mapped_column(String(300))
    facilitator: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int | None]
    survey_closes_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # shown, never compared
    surveys_sent_at: Mapped[datetime | None]
    reminders_sent_at: Mapped[datetime | None]
    results_sent_at: Mapped[datetime | None]


class WorkshopAttendance(Base):
    """A check-in: one per person and workshop, however many times they scan the code."""

    __tablename__ = "workshop_attendance"
    __table_args__ = (UniqueConstraint("workshop_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    checked_in_at: Mapped[datetime]  # given: Minka's clock (bot/clock.py), as the door's
    # The person's region and sex when she checked in (`take_snapshot`): reports group her
    # part by them, so a later move in /perfil does not carry it to another row.
    region_code: Mapped[str | None] = mapped_column(String(40))
    sex: Mapped[str | None] = mapped_column(String(20))


class WorkshopRating(Base):
    """One person's survey answer for one workshop (1–5 each), changeable while it is open."""

    __tablename__ = "workshop_ratings"
    __table_args__ = (UniqueConstraint("workshop_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    overall: Mapped[int | None]
    content: Mapped[int | None]
    facilitation: Mapped[int | None]
    usefulness: Mapped[int | None]
    organization: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)  # never read
    # The rater's region and sex when she took part: her check-in's (`take_snapshot`).
    region_code: Mapped[str | None] = mapped_column(String(40))
    sex: Mapped[str | None] = mapped_column(String(20))


@event.listens_for(WorkshopAttendance, "before_insert")
@event.listens_for(WorkshopRating, "before_insert")
def take_snapshot(_mapper: Any, connection: Any, row: WorkshopAttendance | WorkshopRating) -> None:
    """Give a new check-in or rating the region and sex its person had then, unless given:
    a rating takes its check-in's, a check-in (or a rating without one) the person's profile.
    Written here, so that no writer (the bot, an import, a test) can leave it out: a report
    grouping by the profile as it is now moved a rater who changed region, rating and all,
    from one row to another (tests/test_taller_region_move.py)."""
    if row.region_code is not None or row.sex is not None:
        return
    found = None
    if isinstance(row, WorkshopRating):
        found = connection.execute(
            select(WorkshopAttendance.region_code, WorkshopAttendance.sex).where(
                WorkshopAttendance.workshop_id == row.workshop_id,
                WorkshopAttendance.person_id == row.person_id,
            )
        ).first()
    if found is None:
        found = profile_then(connection, row.person_id)
    if found is not None:
        row.region_code, row.sex = found


class WorkshopMaterial(Base):
    """A file of a workshop (presentation, PDF...) for its participants. Kept here, so every
    replica can send it; once Telegram has it, `file_id` is sent instead of the bytes."""

    __tablename__ = "workshop_materials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    file_id: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # shown, never compared


class MaterialDelivery(Base):
    """A participant who received a workshop material: once per person and material."""

    __tablename__ = "material_deliveries"
    __table_args__ = (UniqueConstraint("material_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("workshop_materials.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    delivered_at: Mapped[datetime]
