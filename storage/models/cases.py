"""Cases the regional governments attended, and the Regional Teams' monthly reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.models.people import fill_snapshot


class Case(Base):
    """A case a regional government attended ("casos atendidos por los GR"), registered by the
    official who handles it. Codes (kind, stratum, step, status) are explained in
    `bot.services.cases`; every change of status or step is also a `CaseEvent`."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    province: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(30))
    stratum: Mapped[str] = mapped_column(String(30))
    supported: Mapped[bool]  # attended with the Equipo Regional's support
    description: Mapped[str] = mapped_column(Text)
    formalization_step: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    # Given (Minka's clock): indicators 4 and 5 read their periods on it.
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # The official's sex when she registered it (`take_snapshot`): indicators 4 and 5 group
    # by it, so a later correction in /perfil does not carry her cases to another sex.
    sex: Mapped[str | None] = mapped_column(String(20))


@event.listens_for(Case, "before_insert")
def take_snapshot(_mapper: Any, connection: Any, row: Case) -> None:
    """Give a new case its official's sex now, unless given (its region is its own). Written
    here, so that no writer (the bot, an import, a test) can leave it out
    (tests/test_profile_move_cases_toolkit.py)."""
    fill_snapshot(connection, row, ("sex",))


class CaseEvent(Base):
    """One change of a case: created, a new status or a new formalization step, with a note."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(20))  # created | status | step
    from_value: Mapped[str | None] = mapped_column(String(30))
    to_value: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(index=True)  # given: indicator 4 reads it


class TeamMember(Base):
    """Membership of a region's Equipo Regional, set by an administrator (never from the
    person's own profile): who must send the monthly report, and for which region."""

    __tablename__ = "team_members"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    granted_at: Mapped[datetime]


class TeamReport(Base):
    """A Regional Team member's monthly report («Informe de los Equipos Regionales»): one per
    person and month (`month` is «YYYY-MM»), replaced if sent again."""

    __tablename__ = "team_reports"
    __table_args__ = (UniqueConstraint("person_id", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    cases: Mapped[int]
    activities: Mapped[str] = mapped_column(Text)
    difficulties: Mapped[str | None] = mapped_column(Text)
    support: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime]
