"""Publications people receive from Minka, and who received each."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class Publication(Base):
    """A document of the programme (the regionalization publication...) people receive from
    Minka. The file is kept here, so every replica can send it; once Telegram has it,
    `file_id` is sent instead of the bytes."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    published_on: Mapped[date] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    file_id: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # shown, never compared
    withdrawn_at: Mapped[datetime | None]


class PublicationDelivery(Base):
    """A person who received a publication: one row per person and publication, however many
    times they asked for it (the dissemination indicator counts people, not presses)."""

    __tablename__ = "publication_deliveries"
    __table_args__ = (UniqueConstraint("publication_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # chat | broadcast | toolkit
    delivered_at: Mapped[datetime] = mapped_column(index=True)
