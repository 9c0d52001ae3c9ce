"""Study visits: the visit and each invitee's answer, travel and questionnaire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.models.people import fill_snapshot
from storage.types import utcnow


class Visit(Base):
    """A study visit (the Canada visit...): a delegation invited, chosen and reminded before
    departure."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    destination: Mapped[str] = mapped_column(String(200))
    # For the delegation: schedule, documents to bring... (in the invitation and reminders).
    instructions: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reminder_offsets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    # Grows with every change of dates or destination and with cancelling: what was owed for
    # an older version (reminders, the questionnaire) is no longer sent.
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # shown, never compared


class VisitParticipant(Base):
    """One invitee of a visit: their answer (and reason when they cannot go), whether the
    coordinator confirmed them in the delegation, whether they travelled, and the coordinator's
    correction of leader/official (None: from their position)."""

    __tablename__ = "visit_participants"
    __table_args__ = (UniqueConstraint("visit_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    answer: Mapped[str] = mapped_column(String(20), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    travelled_at: Mapped[datetime | None]
    leader: Mapped[bool | None]
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)  # never read
    # The questionnaire after the visit (all None until answered).
    usefulness: Mapped[int | None]
    learned: Mapped[list[str] | None] = mapped_column(JSON)
    practice: Mapped[str | None] = mapped_column(Text)
    equality_seen: Mapped[bool | None]
    equality_comment: Mapped[str | None] = mapped_column(Text)
    answered_survey_at: Mapped[datetime | None]
    # The invitee's region and sex when she was invited (`take_snapshot`): reports group her
    # by them, so a later move in /perfil does not carry her to another row.
    region_code: Mapped[str | None] = mapped_column(String(40))
    sex: Mapped[str | None] = mapped_column(String(20))
    # Whether her position named a regional leader when she was invited, by the leader words
    # in force then (bot.services.visits.create): indicator 9 counts her by it, so a new
    # position in /perfil, or an erasure that empties it, moves her to no other cell. A yes
    # or no, not the position: erasure must empty typed text.
    invited_as_leader: Mapped[bool | None]


@event.listens_for(VisitParticipant, "before_insert")
def take_snapshot(_mapper: Any, connection: Any, row: VisitParticipant) -> None:
    """Give a new participant the region and sex its person has at the invitation, unless
    given. At the invitation, not at the answer: every figure of a person (accepted,
    travelled) is a subset of her invitation, so one snapshot per row keeps them all in the
    cell she was invited in, and nothing that happens later (an answer, a move in /perfil)
    moves her from one row of a closed period to another (tests/test_profile_move_reports.py).
    Written here, so that no writer (the bot, an import, a test) can leave it out."""
    fill_snapshot(connection, row)
