"""Who uses Minka: regions, people, roles granted ahead, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class Region(Base):
    """Reference data: Peru's regional governments plus Lima Metropolitana and MINEM."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    sort_order: Mapped[int] = mapped_column(Integer)


class Person(Base):
    """Someone who accepted the privacy notice.

    After `/borrar_mis_datos` the row stays, stripped of everything that identifies the person
    (`erased_at` set), so that anonymous counts by region, institution and sex keep adding up.
    """

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    username: Mapped[str | None] = mapped_column(String(64))
    telegram_name: Mapped[str | None] = mapped_column(String(200))
    full_name: Mapped[str | None] = mapped_column(String(120))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    institution: Mapped[str | None] = mapped_column(String(30))
    position: Mapped[str | None] = mapped_column(String(120))
    sex: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20), default="official")
    # The regions an admin granted a coordinator: "*" (national) or region codes separated by
    # commas; never taken from the person's own region (see bot/services/coverage.py).
    coverage: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(10), default="es")
    consent_at: Mapped[datetime | None]
    registered_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    blocked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # shown, never compared
    erased_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_people_username", "username"),)


class RoleGrant(Base):
    """A role given to someone who has not accepted the notice yet; applied when they do,
    with the coverage it carries (a coordinator's regions)."""

    __tablename__ = "role_grants"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(20))
    coverage: Mapped[str | None] = mapped_column(Text)
    granted_by: Mapped[int | None] = mapped_column(BigInteger)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)  # shown, never compared


class AuditEntry(Base):
    """Who tried to do what, when, and whether it was allowed.

    When a person erases their data, their Telegram id here (as actor or as target) becomes
    `actor_pseudonym`, a keyed hash of it (`bot.services.privacy.pseudonym`): the same for all
    their entries, so counts by person still add up, but not an id."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)  # given: retention reads it
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    actor_pseudonym: Mapped[str | None] = mapped_column(String(24))
    action: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(20))
    target: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[str | None] = mapped_column(Text)


def profile_then(connection: Any, person_id: int) -> tuple[str | None, str | None] | None:
    """A person's region and sex as they are at this moment, read in a before_insert
    listener (`connection`), for the rows that keep how someone took part."""
    found = connection.execute(
        select(Person.region_code, Person.sex).where(Person.id == person_id)
    ).first()
    return None if found is None else (found[0], found[1])


SNAPSHOT = ("region_code", "sex")


def fill_snapshot(connection: Any, row: Any, columns: tuple[str, ...] = SNAPSHOT) -> None:
    """Give a row being inserted (a before_insert listener's) its person's region and sex
    now, in those of `columns` not given (a case's region is its own): what she was when she
    did what the row records, which a later change of her profile leaves as it was."""
    missing = [name for name in columns if getattr(row, name) is None]
    if row.person_id is None or not missing:
        return
    if (found := profile_then(connection, row.person_id)) is not None:
        for name, value in zip(SNAPSHOT, found, strict=True):
            if name in missing:
                setattr(row, name, value)
