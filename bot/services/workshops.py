"""Workshop rules: codes, the check-in window, who may rate what and when, and the survey
schedule (sent at the end, one reminder after 24 hours, results when it closes)."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories import materials, outbox
from storage.repositories import workshops as repo
from storage.repositories.people import PersonRecord
from storage.repositories.workshops import CRITERIA, WorkshopRecord

# Generated codes are unambiguous when read aloud or from a projector: no 0/O, 1/I/L. Codes
# people choose may have any letters, digits and hyphens (storage/codes.py matches O/0, I/L/1).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CHECKIN_OPENS_BEFORE = timedelta(hours=1)
CHECKIN_CLOSES_AFTER = timedelta(hours=24)
SURVEY_OPEN_FOR = timedelta(days=7)
REMINDER_AFTER = timedelta(hours=24)
DEEP_LINK_PREFIX = "taller-"


_CODE_RE = re.compile(r"[A-Z0-9](?:[A-Z0-9-]{2,10})[A-Z0-9]")


def valid_code(code: str) -> bool:
    """4 to 12 letters (A–Z), digits and hyphens, not starting or ending with a hyphen."""
    return _CODE_RE.fullmatch(code) is not None


def normalize_code(text: str) -> str:
    """What people type: lower case, spaces, the link prefix. O/0 and I/L/1 are matched alike
    when the code is looked up."""
    return text.strip().upper().removeprefix(DEEP_LINK_PREFIX.upper()).replace(" ", "")


# A code typed alone, or after a word that says what it is («asistencia K7M2QX», «código:
# K7M2QX»): what participants send when told at the door «escriba el código del taller».
_TYPED_CODE = re.compile(
    r"(?:(?:mi )?(?:asistencia|c[oó]digo|taller)\s*:?\s*)?([a-z0-9-]{4,12})[.!]?", re.IGNORECASE
)


def typed_code(text: str) -> str | None:
    """The code `text` may be, typed without /asistencia; None when it cannot be one."""
    match = _TYPED_CODE.fullmatch(" ".join(text.split()))
    code = normalize_code(match[1]) if match else ""
    return code if valid_code(code) else None


async def typed_workshop(session: AsyncSession, text: str) -> str | None:
    """The code of an existing workshop that a typed message is; None for anything else (a
    question, a word such as «REINFO»), which goes on to the Tool Kit."""
    code = typed_code(text)
    return code if code is not None and await repo.code_exists(session, code) else None


def derived_code(*parts: str) -> str:
    """A stable code from the workshop's own data, so re-importing a file changes nothing."""
    digest = int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest(), "big")
    chars = []
    for _ in range(CODE_LENGTH):
        digest, index = divmod(digest, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return "".join(chars)


async def unique_code(taken: Callable[[str], Awaitable[bool]]) -> str:
    """A random code of CODE_ALPHABET that `taken` says is free (workshops and meetings)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not await taken(code):
            return code


async def new_code(session: AsyncSession) -> str:
    return await unique_code(lambda code: repo.code_exists(session, code))


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={DEEP_LINK_PREFIX}{code}"


class CheckIn(StrEnum):
    DONE = "done"
    ALREADY = "already"
    TOO_EARLY = "too_early"
    CLOSED = "closed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CheckInResult:
    outcome: CheckIn
    workshop: WorkshopRecord | None = None
    survey_now: bool = False  # checked in after the end: the survey goes out at once


async def check_in(
    session: AsyncSession, person: PersonRecord, code: str, now: datetime
) -> CheckInResult:
    workshop = await repo.get_by_code(session, normalize_code(code))
    if workshop is None:
        return CheckInResult(CheckIn.UNKNOWN)
    if await repo.is_attendee(session, workshop.id, person.id):
        return CheckInResult(CheckIn.ALREADY, workshop)  # twice is harmless, whenever
    if now < workshop.starts_at - CHECKIN_OPENS_BEFORE:
        return CheckInResult(CheckIn.TOO_EARLY, workshop)
    if now > workshop.ends_at + CHECKIN_CLOSES_AFTER:
        return CheckInResult(CheckIn.CLOSED, workshop)
    await repo.check_in(session, workshop.id, person.id, now)
    late = now >= workshop.ends_at and now < workshop.survey_closes_at
    if late:
        await enqueue_survey(session, workshop, person.id, now)
    return CheckInResult(CheckIn.DONE, workshop, survey_now=late)


class CanRate(StrEnum):
    YES = "yes"
    NOT_ENDED = "not_ended"
    NOT_ATTENDED = "not_attended"
    CLOSED = "closed"
    UNKNOWN = "unknown"


async def can_rate(
    session: AsyncSession, person: PersonRecord | None, workshop_id: int, now: datetime
) -> tuple[CanRate, WorkshopRecord | None]:
    workshop = await repo.get(session, workshop_id)
    if workshop is None:
        return CanRate.UNKNOWN, None
    if person is None or not await repo.is_attendee(session, workshop_id, person.id):
        return CanRate.NOT_ATTENDED, workshop
    if now < workshop.ends_at:
        return CanRate.NOT_ENDED, workshop
    if now >= workshop.survey_closes_at:
        return CanRate.CLOSED, workshop
    return CanRate.YES, workshop


async def rate(
    session: AsyncSession, workshop_id: int, person_id: int, criterion: str, value: int
) -> None:
    if criterion not in CRITERIA or not 1 <= value <= 5:
        raise ValueError(f"bad rating {criterion}={value}")
    await repo.set_rating(session, workshop_id, person_id, **{criterion: value})


def next_criterion(criterion: str) -> str | None:
    index = CRITERIA.index(criterion)
    return CRITERIA[index + 1] if index + 1 < len(CRITERIA) else None


async def finish_survey(
    session: AsyncSession, workshop_id: int, person_id: int, comment: str | None, now: datetime
) -> None:
    await repo.set_rating(session, workshop_id, person_id, comment=comment, completed_at=now)


async def _owe(
    session: AsyncSession, kind: str, workshop_id: int, person_id: int, now: datetime
) -> int:
    """One message per kind, workshop and person, ever (the dedupe key guarantees it)."""
    return await outbox.enqueue(
        session,
        kind=f"workshop_{kind}",
        dedupe_key=f"workshop-{kind}:{workshop_id}:{person_id}",
        person_id=person_id,
        payload={"workshop_id": workshop_id},
        due_at=now,
        workshop_id=workshop_id,
    )


async def enqueue_survey(
    session: AsyncSession, workshop: WorkshopRecord, person_id: int, now: datetime
) -> None:
    await _owe(session, "survey", workshop.id, person_id, now)


async def schedule_due(session: AsyncSession, now: datetime) -> int:
    """Turn time into owed messages: surveys at the end, the reminder, the results.

    Every message gets a dedupe key, so running this twice (or in two processes) owes nothing
    twice. Returns how many messages were added."""
    added = 0
    for workshop in await repo.ended_without_surveys(session, now):
        if now < workshop.survey_closes_at:
            with_materials = bool(await materials.of_workshops(session, [workshop.id]))
            for person_id in await repo.attendee_ids(session, workshop.id):
                added += await _owe(session, "survey", workshop.id, person_id, now)
                if with_materials:  # the workshop's files come with the survey
                    added += await _owe(session, "materials", workshop.id, person_id, now)
        await repo.mark(session, workshop.id, "surveys_sent_at", now)
    for workshop in await repo.reminders_due(session, now - REMINDER_AFTER):
        if now < workshop.survey_closes_at:
            for person_id in await repo.pending_raters(session, workshop.id):
                added += await _owe(session, "reminder", workshop.id, person_id, now)
        await repo.mark(session, workshop.id, "reminders_sent_at", now)
    for workshop in await repo.results_due(session, now):
        for person_id in await repo.attendee_ids(session, workshop.id):
            added += await _owe(session, "results", workshop.id, person_id, now)
        await repo.mark(session, workshop.id, "results_sent_at", now)
    return added
