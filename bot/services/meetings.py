"""Meeting rules: audiences, invitations and reminders owed through the outbox, RSVP until
the start, rescheduling and cancelling before the start (old reminders are cancelled, new
ones owed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.services.invitations import Rsvp, answer_status
from bot.services.regions import match_region
from bot.services.roles import Role
from bot.services.workshops import unique_code
from bot.telegram_limits import parse_telegram_id
from storage.repositories import meetings as repo
from storage.repositories import outbox
from storage.repositories.meetings import MeetingRecord
from storage.repositories.regions import list_regions

KINDS: dict[str, str] = {
    "coordinacion": N_("MINEM–GR coordination"),
    "comite": N_("High-level committee"),
    "tecnica": N_("Technical meeting"),
    "otra": N_("Other"),
}
AGENDA_MAX = 1000  # characters: the invitation (title, place, link, agenda) fits a message
DEFAULT_OFFSETS = "7d,1d,2h"
DEEP_LINK_PREFIX = "reunion-"
_OFFSET = re.compile(r"^(\d{1,3})([dhm])$")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60}


class AudienceError(ValueError):
    """An audience item could not be understood; the message is Spanish, for the CLI."""


def parse_offsets(text: str) -> list[int]:
    """'7d,1d,2h' → seconds before the start, largest first (duplicates removed)."""
    seconds = set()
    for part in (p.strip().lower() for p in text.split(",") if p.strip()):
        match = _OFFSET.match(part)
        if not match or int(match.group(1)) == 0:
            raise ValueError(
                f"recordatorio «{part}» no válido: use números con d, h o m (7d,1d,2h)"
            )
        seconds.add(int(match.group(1)) * _UNIT_SECONDS[match.group(2)])
    return sorted(seconds, reverse=True)


@dataclass
class Audience:
    """Who is invited: everyone, or anyone matching one of the criteria."""

    everyone: bool = False
    regions: set[str] = field(default_factory=set)
    institutions: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    telegram_ids: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, object]:
        return {
            "everyone": self.everyone,
            "regions": sorted(self.regions),
            "institutions": sorted(self.institutions),
            "roles": sorted(self.roles),
            "telegram_ids": sorted(self.telegram_ids),
        }


async def parse_audience(session: AsyncSession, items: list[str]) -> Audience:
    """`todos`, `region:NOMBRE`, `institucion:NOMBRE`, `rol:NOMBRE`, `id:TELEGRAM_ID`."""
    audience = Audience()
    regions = await list_regions(session)
    institution_names = {
        "gr": "gr",
        "gobierno regional": "gr",
        "drem": "gr",
        "grem": "gr",
        "minem": "minem",
        "equipo regional": "regional_team",
        "equipo_regional": "regional_team",
        "regional_team": "regional_team",
        "otra": "other",
        "other": "other",
    }
    role_names = {
        "funcionario": Role.OFFICIAL,
        "official": Role.OFFICIAL,
        "especialista": Role.SPECIALIST,
        "specialist": Role.SPECIALIST,
        "coordinador": Role.COORDINATOR,
        "coordinator": Role.COORDINATOR,
        "admin": Role.ADMIN,
        "administrador": Role.ADMIN,
    }
    for item in items:
        kind, _, value = item.partition(":")
        kind, value = kind.strip().lower(), value.strip()
        if kind == "todos" and not value:
            audience.everyone = True
        elif kind == "region" and value:
            match = match_region(value, regions, unambiguous=True)
            if match.region is None and len(match.candidates) > 1:
                names = " o ".join(f"region:{r.name}" for r in match.candidates)
                raise AudienceError(f"la región «{value}» es ambigua: use {names}")
            if match.region is None:
                raise AudienceError(f"región «{value}» no reconocida")
            audience.regions.add(match.region.code)
        elif kind == "institucion" and value.lower() in institution_names:
            audience.institutions.add(institution_names[value.lower()])
        elif kind == "rol" and value.lower() in role_names:
            audience.roles.add(role_names[value.lower()].value)
        elif kind == "id" and (number := parse_telegram_id(value)) is not None:
            audience.telegram_ids.add(number)
        else:
            raise AudienceError(
                f"«{item}» no es un público válido: use todos, region:NOMBRE, "
                "institucion:gr/minem/equipo_regional/otra, rol:NOMBRE o id:NÚMERO"
            )
    return audience


async def people_in(session: AsyncSession, audience: Audience) -> list[int]:
    """Person ids of the registered, reachable people the audience names (meetings, visits)."""
    return await repo.audience(session, audience_query(audience))


def audience_query(audience: Audience) -> Select[tuple[int]] | None:
    """`people_in` as a query (None: nobody), for the database to count or batch."""
    return repo.audience_query(
        everyone=audience.everyone,
        regions=audience.regions,
        institutions=audience.institutions,
        roles=audience.roles,
        telegram_ids=audience.telegram_ids,
    )


async def new_code(session: AsyncSession) -> str:
    return await unique_code(lambda code: repo.code_exists(session, code))


def _reminder_key(meeting: MeetingRecord, person_id: int, offset: int) -> str:
    return f"meeting-reminder:{meeting.id}:{person_id}:{offset}:v{meeting.version}"


async def _owe_reminders(
    session: AsyncSession, meeting: MeetingRecord, person_ids: list[int], now: datetime
) -> None:
    for offset in meeting.reminder_offsets:
        due = meeting.starts_at - timedelta(seconds=offset)
        if due <= now:
            continue  # too late for this one already
        for person_id in person_ids:
            await outbox.enqueue(
                session,
                kind="meeting_reminder",
                dedupe_key=_reminder_key(meeting, person_id, offset),
                person_id=person_id,
                payload={"meeting_id": meeting.id, "offset": offset, "version": meeting.version},
                due_at=due,
                meeting_id=meeting.id,
            )


async def _owe(
    session: AsyncSession, kind: str, meeting: MeetingRecord, person_ids: list[int], now: datetime
) -> None:
    for person_id in person_ids:
        await outbox.enqueue(
            session,
            kind=f"meeting_{kind}",
            dedupe_key=f"meeting-{kind}:{meeting.id}:{person_id}:v{meeting.version}",
            person_id=person_id,
            payload={"meeting_id": meeting.id, "version": meeting.version},
            due_at=now,
            meeting_id=meeting.id,
        )


async def create(
    session: AsyncSession,
    *,
    title: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    audience: Audience,
    offsets: list[int],
    now: datetime,
    place: str | None = None,
    link: str | None = None,
    agenda: str | None = None,
    created_by: int | None = None,
) -> tuple[MeetingRecord, int]:
    """Create the meeting, invite its audience and owe each invitee the invitation and the
    reminders. Returns the meeting and the number invited. A time `schedule_problem` finds
    wrong is refused (ValueError, a msgid)."""
    if kind not in KINDS:
        raise ValueError(f"tipo «{kind}» no válido: {', '.join(KINDS)}")
    if (problem := schedule_problem(starts_at, ends_at, now)) is not None:
        raise ValueError(problem)
    if agenda and len(agenda) > AGENDA_MAX:
        raise ValueError(f"la agenda tiene {len(agenda)} caracteres; el máximo es {AGENDA_MAX}")
    meeting = await repo.create(
        session,
        code=await new_code(session),
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        link=link,
        agenda=agenda,
        audience=audience.as_dict(),
        offsets=offsets,
        created_by=created_by,
    )
    invited = await repo.invite(session, meeting.id, await people_in(session, audience))
    await _owe(session, "invitation", meeting, invited, now)
    await _owe_reminders(session, meeting, invited, now)
    return meeting, len(invited)


# What a started meeting may still change: no indicator reads them (indicators 1 and 2 read
# its start, title and kind), so no period's figures move (tests/test_cancel_after_end).
HARMLESS = frozenset({"place", "link", "agenda"})


def closed(meeting: MeetingRecord, now: datetime) -> str | None:
    """Why the meeting can no longer be moved or cancelled (a msgid), or None. Once it has
    started, its invitees belong to the period it was held in: cancelled or moved then, they
    would leave a period perhaps already read, and two readings, subtracted, would tell who
    they were (tests/test_cancel_after_end)."""
    if meeting.status == "cancelled":
        return N_("This meeting was cancelled.")
    if now >= meeting.starts_at:
        return N_("The meeting has already started; it can no longer be moved or cancelled.")
    return None


def change_problem(meeting: MeetingRecord, now: datetime, changes: dict[str, object]) -> str | None:
    """What is wrong with `changes` (a msgid), or None. A started meeting may change only
    what is `HARMLESS`; a new time must start in the future (not back into a period already
    read) and end after it starts."""
    if meeting.status == "cancelled":
        return N_("This meeting was cancelled.")
    moved = [k for k, v in changes.items() if k not in HARMLESS and getattr(meeting, k) != v]
    if not moved:
        return None
    if (problem := closed(meeting, now)) is not None:
        return problem
    starts_at = changes.get("starts_at", meeting.starts_at)
    ends_at = changes.get("ends_at", meeting.ends_at)
    assert isinstance(starts_at, datetime) and isinstance(ends_at, datetime)
    return schedule_problem(starts_at, ends_at, now)


def schedule_problem(starts_at: datetime, ends_at: datetime, now: datetime) -> str | None:
    """What is wrong with a meeting's time (a msgid), or None: it starts in the future (one
    placed in the past would enter a period perhaps already read, with its invitees) and
    ends after it starts."""
    if starts_at <= now:
        return N_("The start must be in the future.")
    if ends_at <= starts_at:
        return N_("The end must be after the start.")
    return None


async def reschedule(
    session: AsyncSession,
    meeting: MeetingRecord,
    now: datetime,
    **changes: object,
) -> MeetingRecord:
    """New time or place: invitees are told, reminders move to the new time. Refused
    (ValueError, a msgid) when `change_problem` says why."""
    if (problem := change_problem(meeting, now, changes)) is not None:
        raise ValueError(problem)
    await repo.cancel_owed(session, meeting.id, ("meeting_reminder",))
    updated = await repo.change(session, meeting.id, **changes)
    people = [i.person_id for i in await repo.invitees(session, meeting.id) if i.telegram_id]
    await _owe(session, "changed", updated, people, now)
    await _owe_reminders(session, updated, people, now)
    return updated


async def cancel(session: AsyncSession, meeting: MeetingRecord, now: datetime) -> MeetingRecord:
    """Cancel before the start: invitees are told, nothing else owed is sent. Refused
    (ValueError, a msgid) once `closed`."""
    if (problem := closed(meeting, now)) is not None:
        raise ValueError(problem)
    await repo.cancel_owed(session, meeting.id, ("meeting_reminder", "meeting_invitation"))
    updated = await repo.change(session, meeting.id, status="cancelled", cancelled_at=now)
    people = [i.person_id for i in await repo.invitees(session, meeting.id) if i.telegram_id]
    await _owe(session, "cancelled", updated, people, now)
    return updated


async def can_answer(
    session: AsyncSession, meeting_id: int, person_id: int | None, now: datetime
) -> tuple[Rsvp, MeetingRecord | None]:
    meeting = await repo.get(session, meeting_id)
    invited = (
        meeting is not None
        and person_id is not None
        and await repo.invitation(session, meeting_id, person_id) is not None
    )
    return answer_status(meeting, invited, now), meeting
