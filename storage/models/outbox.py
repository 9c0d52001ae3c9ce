"""Messages Minka owes: the outbox and the broadcasts whose copies it holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class OutboxMessage(Base):
    """A message Minka owes someone (survey, reminder, result, a reply held back by flood
    control...). The table, not memory, is the source of truth: `dedupe_key` makes each
    message exist once; `state` tracks it. A held reply names its chat (`chat_id`): the
    person may not be registered yet."""

    __tablename__ = "outbox"
    # Claims, cancellations and broadcast progress look only at rows still owed, or at one
    # broadcast's copies: partial indexes (and one on broadcast_id) keep them at that cost,
    # whatever the history of sent rows (RETENTION_OUTBOX_DAYS of it).
    __table_args__ = (
        Index(
            "ix_outbox_pending_due",
            "due_at",
            "id",
            postgresql_where=sql("state = 'pending'"),
            sqlite_where=sql("state = 'pending'"),
        ),
        Index(
            "ix_outbox_pending_meeting",
            "meeting_id",
            postgresql_where=sql("state = 'pending'"),
            sqlite_where=sql("state = 'pending'"),
        ),
        Index("ix_outbox_broadcast_id", "broadcast_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[datetime] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    # What the message belongs to (at most one), for cancelling and counting without parsing
    # dedupe_key: a broadcast's copy, a meeting's invitation/reminder/change, a workshop's.
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id"))


class Broadcast(Base):
    """A message a coordinator sends to many people; each copy is an outbox row."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    scheduled_at: Mapped[datetime]
    total: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None]
    progress_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # shown, never compared
    finished_at: Mapped[datetime | None]
    # A publication the broadcast announces: each copy carries a button that delivers it.
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"))
