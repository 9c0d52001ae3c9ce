"""People: the officials, coordinators and admins who accepted the privacy notice."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import BigInteger, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.direct import Direct
from storage.models import ConversationState, Person, Region, RoleGrant
from storage.repositories.conversations import StateRecord, state_record

EDITABLE_FIELDS = frozenset(
    {"full_name", "region_code", "institution", "position", "sex", "locale", "registered_at"}
)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: int
    telegram_id: int
    username: str | None
    telegram_name: str | None
    full_name: str | None
    region_code: str | None
    region_name: str | None
    institution: str | None
    position: str | None
    sex: str | None
    role: str
    coverage: str | None  # granted by an admin; read through bot/services/coverage.py
    locale: str
    consent_at: datetime | None
    registered_at: datetime | None
    active: bool
    blocked_at: datetime | None
    created_at: datetime

    @property
    def is_registered(self) -> bool:
        return self.registered_at is not None


def _record(person: Person, region_name: str | None) -> PersonRecord:
    assert person.telegram_id is not None, "erased people have no record"
    return PersonRecord(
        id=person.id,
        telegram_id=person.telegram_id,
        username=person.username,
        telegram_name=person.telegram_name,
        full_name=person.full_name,
        region_code=person.region_code,
        region_name=region_name,
        institution=person.institution,
        position=person.position,
        sex=person.sex,
        role=person.role,
        coverage=person.coverage,
        locale=person.locale,
        consent_at=person.consent_at,
        registered_at=person.registered_at,
        active=person.active,
        blocked_at=person.blocked_at,
        created_at=person.created_at,
    )


def _with_region() -> Any:
    return select(Person, Region.name).outerjoin(Region, Person.region_code == Region.code)


_people, _regions = Person.__table__, Region.__table__
# Read on every update: plain columns into the record, no ORM objects, built once.
_BY_TELEGRAM_ID = (
    select(
        *(_people.c[f.name] for f in fields(PersonRecord) if f.name != "region_name"),
        _regions.c.name.label("region_name"),
    )
    .select_from(_people.outerjoin(_regions, _people.c.region_code == _regions.c.code))
    .where(_people.c.telegram_id == bindparam("telegram_id"))
)


async def get(session: AsyncSession, telegram_id: int) -> PersonRecord | None:
    if session.new or session.dirty or session.deleted:
        await session.flush()  # a change made earlier in this transaction must show
    row = (await session.execute(_BY_TELEGRAM_ID, {"telegram_id": telegram_id})).first()
    return PersonRecord(**row._mapping) if row else None


# What every update reads first, in one statement: the person (if registered) and their form
# in progress (if any: a form may begin before the person is registered).
_me = select(bindparam("telegram_id", type_=BigInteger).label("telegram_id")).subquery("me")
_forms = ConversationState.__table__
_PERSON_FIELDS = [f.name for f in fields(PersonRecord)]
_WITH_FORM = select(
    *(c for c in _BY_TELEGRAM_ID.selected_columns),
    _forms.c.flow.label("form_flow"),
    _forms.c.step.label("form_step"),
    _forms.c.data.label("form_data"),
).select_from(
    _me.outerjoin(_people, _people.c.telegram_id == _me.c.telegram_id)
    .outerjoin(_regions, _people.c.region_code == _regions.c.code)
    .outerjoin(_forms, _forms.c.telegram_id == _me.c.telegram_id)
)


# The record's fields by position in the row (`row._mapping` makes a new mapping each time it
# is read: 18 of them on every update).
_COLUMNS = list(_WITH_FORM.selected_columns.keys())
_person_of = itemgetter(*(_COLUMNS.index(name) for name in _PERSON_FIELDS))
_ID, _FLOW, _STEP, _DATA = (
    _COLUMNS.index(name) for name in ("id", "form_flow", "form_step", "form_data")
)
_WITH_FORM_DIRECT = Direct(_WITH_FORM)  # at the driver (storage.direct)


async def get_with_form(
    session: AsyncSession, telegram_id: int
) -> tuple[PersonRecord | None, StateRecord | None]:
    """The person and their form in progress, as `get` and `conversations.get_state` read
    them, in one round trip: at the start of an update, before it changed anything."""
    row = (await _WITH_FORM_DIRECT.run(session, {"telegram_id": telegram_id})).one()
    person = PersonRecord(*_person_of(row)) if row[_ID] is not None else None
    form = state_record(row[_FLOW], row[_STEP], row[_DATA]) if row[_FLOW] is not None else None
    return person, form


async def find_by_username(session: AsyncSession, username: str) -> PersonRecord | None:
    query = _with_region().where(func.lower(Person.username) == username.lower())
    row = (await session.execute(query)).first()
    return _record(*row) if row else None


async def create(
    session: AsyncSession,
    *,
    telegram_id: int,
    username: str | None,
    telegram_name: str | None,
    locale: str,
    consent_at: datetime,
    role: str,
    coverage: str | None = None,
) -> PersonRecord:
    person = Person(
        telegram_id=telegram_id,
        username=username,
        telegram_name=telegram_name,
        locale=locale,
        consent_at=consent_at,
        role=role,
        coverage=coverage,
        active=True,
    )
    session.add(person)
    await session.flush()
    return _record(person, None)


async def update(session: AsyncSession, telegram_id: int, **fields: Any) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    person = await _get_row(session, telegram_id)
    for name, value in fields.items():
        setattr(person, name, value)
    await session.flush()


async def touch(
    session: AsyncSession,
    telegram_id: int,
    *,
    username: str | None,
    telegram_name: str | None,
    reactivate: bool = True,
) -> None:
    """Keep the Telegram username/name current and, with `reactivate` (they wrote to Minka
    in private), reactivate someone who had blocked Minka."""
    person = await _get_row(session, telegram_id)
    person.username = username
    person.telegram_name = telegram_name
    if reactivate and not person.active:
        person.active = True
        person.blocked_at = None
    await session.flush()


async def set_role(
    session: AsyncSession, telegram_id: int, role: str, coverage: str | None = None
) -> None:
    """The role and, for coordinators, the coverage granted with it (None: no region)."""
    person = await _get_row(session, telegram_id)
    person.role = role
    person.coverage = coverage
    await session.flush()


async def mark_blocked(session: AsyncSession, telegram_id: int, at: datetime) -> bool:
    person = await session.scalar(select(Person).where(Person.telegram_id == telegram_id))
    if person is None or not person.active:
        return False
    person.active = False
    person.blocked_at = at
    await session.flush()
    return True


async def has_blocked(session: AsyncSession, telegram_id: int) -> bool:
    """Whether this Telegram user is a person marked as having blocked Minka."""
    active = await session.scalar(select(Person.active).where(Person.telegram_id == telegram_id))
    return active is False


async def mark_reachable(session: AsyncSession, telegram_id: int) -> bool:
    """The person unblocked Minka: owed messages reach them again. False if they were not
    marked, or are unknown (erasure forgets the Telegram id)."""
    person = await session.scalar(select(Person).where(Person.telegram_id == telegram_id))
    if person is None or person.active:
        return False
    person.active = True
    person.blocked_at = None
    await session.flush()
    return True


async def erased(session: AsyncSession, person_id: int) -> bool:
    """Whether the person (by row id) erased their data (/borrar_mis_datos)."""
    return await session.scalar(select(Person.erased_at).where(Person.id == person_id)) is not None


async def erase(session: AsyncSession, telegram_id: int, at: datetime) -> None:
    """Strip everything that identifies the person; keep region, institution and sex."""
    person = await _get_row(session, telegram_id)
    person.telegram_id = None
    person.username = None
    person.telegram_name = None
    person.full_name = None
    person.position = None
    person.role = "official"
    person.coverage = None
    person.active = False
    person.erased_at = at
    await session.flush()


@dataclass(frozen=True, slots=True)
class RoleHolder:
    """Someone with a role above `official`, or a grant waiting for them to register."""

    telegram_id: int
    name: str | None
    role: str
    coverage: str | None
    pending: bool


async def role_holders(session: AsyncSession) -> list[RoleHolder]:
    """Everyone with a staff role, then the grants still waiting, each by Telegram id."""
    rows = await session.execute(
        select(Person.telegram_id, Person.full_name, Person.telegram_name, Person.role)
        .add_columns(Person.coverage)
        .where(Person.role != "official", Person.telegram_id.is_not(None))
        .order_by(Person.role, Person.telegram_id)
    )
    holders = [
        RoleHolder(telegram_id, full_name or telegram_name, role, coverage, False)
        for telegram_id, full_name, telegram_name, role, coverage in rows
    ]
    grants = await session.scalars(select(RoleGrant).order_by(RoleGrant.telegram_id))
    holders += [RoleHolder(g.telegram_id, None, g.role, g.coverage, True) for g in grants]
    return holders


async def staff(session: AsyncSession) -> list[tuple[int, str, str]]:
    """Telegram id, role and language of everyone above `official`."""
    rows = await session.execute(
        select(Person.telegram_id, Person.role, Person.locale).where(
            Person.role != "official", Person.telegram_id.is_not(None)
        )
    )
    return [(telegram_id, role, locale) for telegram_id, role, locale in rows]


async def registered_chats(session: AsyncSession, since: datetime | None = None) -> list[int]:
    """Telegram ids of registered, not erased people (their own command menus); `since`:
    only those who registered then or later."""
    statement = select(Person.telegram_id).where(
        Person.registered_at.is_not(None), Person.telegram_id.is_not(None)
    )
    if since is not None:
        statement = statement.where(Person.registered_at >= since)
    rows = await session.scalars(statement)
    return [telegram_id for telegram_id in rows if telegram_id is not None]


async def registered_counts(
    session: AsyncSession, regions: frozenset[str] | None = None
) -> list[tuple[str, str | None, int]]:
    """(region name, sex, count) of registered people, erased ones included, for the baseline;
    only of `regions` when given (None: every region)."""
    query = (
        select(Region.name, Person.sex, func.count(Person.id))
        .join(Region, Person.region_code == Region.code)
        .where(Person.registered_at.is_not(None))
        .group_by(Region.name, Region.sort_order, Person.sex)
        .order_by(Region.sort_order)
    )
    if regions is not None:
        query = query.where(Person.region_code.in_(sorted(regions)))
    rows = await session.execute(query)
    return [(name, sex, count) for name, sex, count in rows]


async def grant_role_later(
    session: AsyncSession,
    telegram_id: int,
    role: str,
    granted_by: int | None,
    coverage: str | None = None,
) -> None:
    grant = await session.get(RoleGrant, telegram_id)
    if grant is None:
        grant = RoleGrant(telegram_id=telegram_id)
        session.add(grant)
    grant.role, grant.granted_by, grant.coverage = role, granted_by, coverage
    await session.flush()


async def take_role_grant(session: AsyncSession, telegram_id: int) -> tuple[str, str | None] | None:
    """The waiting grant's role and coverage, removed now that it is applied."""
    grant = await session.get(RoleGrant, telegram_id)
    if grant is None:
        return None
    await session.delete(grant)
    await session.flush()
    return grant.role, grant.coverage


async def _get_row(session: AsyncSession, telegram_id: int) -> Person:
    person = await session.scalar(select(Person).where(Person.telegram_id == telegram_id))
    if person is None:
        raise LookupError(f"no person with telegram id {telegram_id}")
    return person
