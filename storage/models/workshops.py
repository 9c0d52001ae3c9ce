"""Workshops: check-ins, survey answers, materials and who received them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
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
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)


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
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MaterialDelivery(Base):
    """A participant who received a workshop material: once per person and material."""

    __tablename__ = "material_deliveries"
    __table_args__ = (UniqueConstraint("material_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("workshop_materials.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    delivered_at: Mapped[datetime]
