"""Meetings, their invitees and answers."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from storage.codes import same_code
from storage.direct import Direct
from storage.models import Meeting, MeetingInvitation, OutboxMessage, Person, Region


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    id: int
    code: str
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    place: str | None
    link: str | None
    agenda: str | None
    audience: dict[str, Any]
    reminder_offsets: tuple[int, ...]  # seconds before the start, largest first
    status: str
    version: int
    agreements: str | None


@dataclass(frozen=True, slots=True)
class InvitationRecord:
    meeting_id: int
    person_id: int
    rsvp: str  # pending | yes | no | delegate
    delegate_name: str | None
    delegate_position: str | None
    responded_at: datetime | None
    attended_at: datetime | None


@dataclass(frozen=True, slots=True)
class InviteeRecord:
    person_id: int
    telegram_id: int | None
    name: str | None
    region_name: str | None
    sex: str | None
    rsvp: str
    delegate_name: str | None
    attended: bool


def _record(row: Meeting | Row[Any]) -> MeetingRecord:
    offsets = tuple(int(s) for s in (row.reminder_offsets or {}).get("seconds", []))
    return MeetingRecord(
        id=row.id,
        code=row.code,
        title=row.title,
        kind=row.kind,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        place=row.place,
        link=row.link,
        agenda=row.agenda,
        audience=dict(row.audience or {}),
        reminder_offsets=offsets,
        status=row.status,
        version=row.version,
        agreements=row.agreements,
    )


def _invitation(row: MeetingInvitation) -> InvitationRecord:
    return InvitationRecord(
        row.meeting_id,
        row.person_id,
        row.rsvp,
        row.delegate_name,
        row.delegate_position,
        row.responded_at,
        row.attended_at,
    )


async def code_exists(session: AsyncSession, code: str) -> bool:
    return await session.scalar(select(Meeting.id).where(same_code(Meeting.code, code))) is not None


async def create(session: AsyncSession, *, offsets: list[int], **fields: Any) -> MeetingRecord:
    meeting = Meeting(reminder_offsets={"seconds": sorted(offsets, reverse=True)}, **fields)
    session.add(meeting)
    await session.flush()
    return _record(meeting)


# Read by every RSVP: built once, plain columns into the record (no ORM object to track), at
# the driver (storage.direct).
_meetings = Meeting.__table__
_MEETING_FIELDS = [f.name for f in fields(MeetingRecord)]
_BY_ID = Direct(
    select(*(_meetings.c[name] for name in _MEETING_FIELDS)).where(
        _meetings.c.id == bindparam("meeting_id")
    )
)
_MeetingRow = namedtuple("_MeetingRow", _MEETING_FIELDS)  # what `_record` reads


async def get(session: AsyncSession, meeting_id: int) -> MeetingRecord | None:
    if session.new or session.dirty or session.deleted:
        await session.flush()  # a change made earlier in this transaction must show
    rows = (await _BY_ID.run(session, {"meeting_id": meeting_id})).rows
    return _record(_MeetingRow(*rows[0])) if rows else None


async def get_by_code(session: AsyncSession, code: str) -> MeetingRecord | None:
    row = await session.scalar(select(Meeting).where(same_code(Meeting.code, code)))
    return _record(row) if row else None


async def list_all(session: AsyncSession) -> list[MeetingRecord]:
    rows = await session.scalars(select(Meeting).order_by(Meeting.starts_at, Meeting.id))
    return [_record(row) for row in rows]


async def change(session: AsyncSession, meeting_id: int, **fields: Any) -> MeetingRecord:
    """Change time, place, link or status; a new version makes old reminders obsolete."""
    meeting = await session.get(Meeting, meeting_id)
    assert meeting is not None
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.version += 1
    await session.flush()
    return _record(meeting)


async def set_agreements(session: AsyncSession, meeting_id: int, text: str) -> None:
    await session.execute(update(Meeting).where(Meeting.id == meeting_id).values(agreements=text))


async def audience(session: AsyncSession, query: Select[tuple[int]] | None) -> list[int]:
    """The person ids of an `audience_query`, in order."""
    return [] if query is None else list(await session.scalars(query.order_by(Person.id)))


def audience_query(
    *,
    everyone: bool,
    regions: set[str],
    institutions: set[str],
    roles: set[str],
    telegram_ids: set[int],
) -> Select[tuple[int]] | None:
    """Person ids of registered, reachable people matching any of the criteria, as a query
    (None: nobody): listed (`audience`), or counted and batched by the database."""
    query = select(Person.id).where(
        Person.telegram_id.is_not(None),
        Person.registered_at.is_not(None),
        Person.active.is_(True),  # people who blocked Minka are skipped until they return
    )
    if not everyone:
        conditions = []
        if regions:
            conditions.append(Person.region_code.in_(regions))
        if institutions:
            conditions.append(Person.institution.in_(institutions))
        if roles:
            conditions.append(Person.role.in_(roles))
        if telegram_ids:
            conditions.append(Person.telegram_id.in_(telegram_ids))
        if not conditions:
            return None
        query = query.where(or_(*conditions))
    return query


async def invite(session: AsyncSession, meeting_id: int, person_ids: list[int]) -> list[int]:
    """Invite people not yet invited; returns the newly invited person ids."""
    already = set(
        await session.scalars(
            select(MeetingInvitation.person_id).where(MeetingInvitation.meeting_id == meeting_id)
        )
    )
    new = [pid for pid in person_ids if pid not in already]
    session.add_all(MeetingInvitation(meeting_id=meeting_id, person_id=pid) for pid in new)
    await session.flush()
    return new


async def invitation(
    session: AsyncSession, meeting_id: int, person_id: int
) -> InvitationRecord | None:
    if session.new or session.dirty or session.deleted:
        await session.flush()  # a change made earlier in this transaction must show
    params = {"meeting_id": meeting_id, "person_id": person_id}
    rows = (await _INVITATION.run(session, params)).rows
    return InvitationRecord(*rows[0]) if rows else None


# Built once: an RSVP reads its invitation, and building the statement cost more CPU than
# running it.
_INVITATION_ROW = select(MeetingInvitation).where(
    MeetingInvitation.meeting_id == bindparam("meeting_id"),
    MeetingInvitation.person_id == bindparam("person_id"),
)


async def _invitation_row(
    session: AsyncSession, meeting_id: int, person_id: int
) -> MeetingInvitation | None:
    return await session.scalar(_INVITATION_ROW, {"meeting_id": meeting_id, "person_id": person_id})


_INVITATION_COLUMNS = (
    MeetingInvitation.meeting_id,
    MeetingInvitation.person_id,
    MeetingInvitation.rsvp,
    MeetingInvitation.delegate_name,
    MeetingInvitation.delegate_position,
    MeetingInvitation.responded_at,
    MeetingInvitation.attended_at,
)


_invitations = MeetingInvitation.__table__
# Read by every RSVP (is the person invited?): built once, plain columns into the record.
_INVITATION = Direct(
    select(*(_invitations.c[c.key] for c in _INVITATION_COLUMNS)).where(
        _invitations.c.meeting_id == bindparam("meeting_id"),
        _invitations.c.person_id == bindparam("person_id"),
    )
)
# Built once, on the table: an RSVP is pressed often, and the ORM's UPDATE, built per call,
# cost ~0.4 ms of the loop (its construction, then the ORM's bulk-update path). At the driver,
# as the two reads before it (storage.direct).
_ANSWER = Direct(
    update(_invitations)
    .where(
        _invitations.c.meeting_id == bindparam("meeting"),
        _invitations.c.person_id == bindparam("person"),
    )
    .values(
        rsvp=bindparam("new_rsvp"),
        responded_at=bindparam("at"),
        delegate_name=bindparam("name"),
        delegate_position=bindparam("position"),
    )
    .returning(_invitations.c.id, *(_invitations.c[c.key] for c in _INVITATION_COLUMNS))
)


async def answer(
    session: AsyncSession,
    meeting_id: int,
    person_id: int,
    rsvp: str,
    at: datetime,
    *,
    delegate_name: str | None = None,
    delegate_position: str | None = None,
) -> InvitationRecord:
    """Save the answer and return the invitation as it now is: one statement (an RSVP is
    pressed often; reading the row, writing it and reading it again took three round trips).
    An invitation already loaded in the session is updated with it."""
    if session.new or session.dirty or session.deleted:
        await session.flush()  # a change made earlier in this transaction goes first
    values = {
        "rsvp": rsvp,
        "responded_at": at,
        "delegate_name": delegate_name,
        "delegate_position": delegate_position,
    }
    row = (
        await _ANSWER.run(
            session,
            {
                "meeting": meeting_id,
                "person": person_id,
                "new_rsvp": rsvp,
                "at": at,
                "name": delegate_name,
                "position": delegate_position,
            },
        )
    ).one()
    loaded = session.sync_session.identity_map.get(identity_key(MeetingInvitation, row[0]))
    if loaded is not None:
        for name, value in values.items():
            set_committed_value(loaded, name, value)
    return InvitationRecord(*row[1:])


async def mark_attended(
    session: AsyncSession, meeting_id: int, person_id: int, at: datetime | None
) -> bool:
    """Record (or with `at` None, undo) attendance; False if the person was not invited."""
    row = await _invitation_row(session, meeting_id, person_id)
    if row is None:
        return False
    row.attended_at = at
    await session.flush()
    return True


async def invitees(session: AsyncSession, meeting_id: int) -> list[InviteeRecord]:
    """The invitees, by the region they were invited as (as the meeting's report) and name."""
    rows = await session.execute(
        select(MeetingInvitation, Person.telegram_id, Person.full_name, Region.name, Person.sex)
        .join(Person, Person.id == MeetingInvitation.person_id)
        .outerjoin(Region, Region.code == MeetingInvitation.region_code)
        .where(MeetingInvitation.meeting_id == meeting_id)
        .order_by(Region.name, Person.full_name, Person.id)
    )
    return [
        InviteeRecord(
            invitation.person_id,
            telegram_id,
            name,
            region,
            sex,
            invitation.rsvp,
            invitation.delegate_name,
            invitation.attended_at is not None,
        )
        for invitation, telegram_id, name, region, sex in rows
    ]


async def for_person(
    session: AsyncSession, person_id: int, since: datetime
) -> list[tuple[MeetingRecord, InvitationRecord]]:
    """The person's meetings that have not ended, with their answer."""
    rows = await session.execute(
        select(Meeting, MeetingInvitation)
        .join(MeetingInvitation, MeetingInvitation.meeting_id == Meeting.id)
        .where(MeetingInvitation.person_id == person_id, Meeting.ends_at >= since)
        .order_by(Meeting.starts_at)
    )
    return [(_record(meeting), _invitation(invitation)) for meeting, invitation in rows]


async def cancel_owed(session: AsyncSession, meeting_id: int, kinds: tuple[str, ...]) -> int:
    """Cancel the meeting's owed messages of these kinds not sent yet (the pending rows'
    index: the cost is what is owed, not the meeting's history)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.meeting_id == meeting_id,
            OutboxMessage.state == "pending",
            OutboxMessage.kind.in_(kinds),
        )
        .values(state="cancelled")
    )
    return result.rowcount or 0


async def invitee_regions(
    session: AsyncSession, meeting_ids: list[int]
) -> dict[int, set[str | None]]:
    """The regions (None when unknown) each meeting's invitees were invited as: which
    regions' staff see it (coverage). The invitation's snapshot, as its report's rows are:
    by the profile now, a Puno meeting whose invitees moved went to Cusco's staff, Puno's
    rows and all (tests/test_coverage.py)."""
    if not meeting_ids:
        return {}
    rows = await session.execute(
        select(MeetingInvitation.meeting_id, MeetingInvitation.region_code)
        .where(MeetingInvitation.meeting_id.in_(meeting_ids))
        .distinct()
    )
    found: dict[int, set[str | None]] = {}
    for meeting_id, region in rows:
        found.setdefault(meeting_id, set()).add(region)
    return found
