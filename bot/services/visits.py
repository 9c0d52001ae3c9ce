"""Study visit rules: a delegation invited from an audience (as meetings), answers until
departure, the coordinator's confirmation, reminders before departure and the questionnaire
after return owed through the outbox, changes of dates or destination and cancellation before
departure (invitees told, audited; a new version so what was owed for the old dates is not
sent), and who counts as a regional leader (from the position, unless a coordinator corrected
it); who travelled and who is a leader no longer change once the visit's quarter has ended."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import N_
from bot.services import quarter_close
from bot.services.invitations import Rsvp, answer_status, closer_reminder_due
from bot.services.meetings import Audience, people_in
from bot.services.regions import normalize
from bot.services.workshops import unique_code
from storage.repositories import audit, outbox
from storage.repositories import visits as repo
from storage.repositories.visits import ParticipantRecord, VisitRecord

ANSWERS: dict[str, str] = {
    "pending": N_("no answer yet"),
    "accepted": N_("I accept"),
    "declined": N_("I cannot go"),
}
DEFAULT_OFFSETS = "14d,3d,1d"
DEFAULT_LEADER_WORDS: str = Settings.model_fields["leader_position_words"].default
REASON_MAX = 500
INSTRUCTIONS_MAX = 1500  # with the title and destination, well within one message
SURVEY_REMINDER_AFTER = timedelta(days=3)
# The questionnaire takes answers this long after the return; /visita shows them after it.
SURVEY_OPEN_FOR = timedelta(days=14)


async def create(
    session: AsyncSession,
    *,
    title: str,
    destination: str,
    starts_at: datetime,
    ends_at: datetime,
    audience: Audience,
    offsets: list[int],
    now: datetime,
    words: tuple[str, ...],
    created_by: int | None = None,
    instructions: str | None = None,
) -> tuple[VisitRecord, int]:
    """Create the visit, invite its audience and owe each invitee the invitation, the
    reminders before departure and the questionnaire after return (with one reminder): each is
    sent only if still wanted then. Each invitee keeps whether her position names a leader by
    `words` (LEADER_POSITION_WORDS, `leader_words`) now: indicator 9 counts her by it. Returns
    the visit and the number invited."""
    if ends_at <= starts_at:
        raise ValueError("el regreso debe ser posterior a la salida")
    visit = await repo.create(
        session,
        code=await unique_code(lambda code: repo.code_exists(session, code)),
        title=title,
        destination=destination,
        instructions=instructions,
        starts_at=starts_at,
        ends_at=ends_at,
        audience=audience.as_dict(),
        offsets=offsets,
        created_by=created_by,
    )
    invited = await repo.invite(
        session,
        visit.id,
        await people_in(session, audience),
        lambda position: is_leader_position(position, words),
    )
    await _owe(session, "visit_invitation", visit, invited, now)
    await _owe_schedule(session, visit, invited, now)
    return visit, len(invited)


async def _owe(
    session: AsyncSession,
    kind: str,
    visit: VisitRecord,
    person_ids: list[int],
    due: datetime,
    **extra: int,
) -> None:
    """One owed message per person, for this version of the visit; `extra` (a reminder's
    offset, a confirmation's moment) goes into the payload and tells the messages apart."""
    payload: dict[str, object] = {"visit_id": visit.id, "version": visit.version, **extra}
    for person_id in person_ids:
        key = ":".join(
            [kind.replace("_", "-"), str(visit.id), str(person_id), *map(str, extra.values())]
        )
        await outbox.enqueue(
            session,
            kind=kind,
            dedupe_key=f"{key}:v{visit.version}",
            person_id=person_id,
            payload=payload,
            due_at=due,
        )


async def _owe_schedule(
    session: AsyncSession, visit: VisitRecord, person_ids: list[int], now: datetime
) -> None:
    """The reminders before departure still ahead, and the questionnaire after return with
    its one reminder; each is sent only if still wanted then."""
    for offset in visit.reminder_offsets:
        due = visit.starts_at - timedelta(seconds=offset)
        if due > now:
            await _owe(session, "visit_reminder", visit, person_ids, due, offset=offset)
    await _owe(session, "visit_survey", visit, person_ids, visit.ends_at)
    await _owe(
        session, "visit_survey_reminder", visit, person_ids, visit.ends_at + SURVEY_REMINDER_AFTER
    )


def current(visit: VisitRecord, payload: dict[str, object]) -> bool:
    """Whether an owed message was meant for the visit as it is now (not for older dates).
    Messages owed before visits had versions carry none: they belong to the first."""
    return int(str(payload.get("version", 1))) == visit.version


def closed(visit: VisitRecord, now: datetime) -> str | None:
    """Why the visit can no longer be changed or cancelled (a msgid), or None: only a visit
    not cancelled whose delegation has not left yet."""
    if visit.status == "cancelled":
        return N_("This visit was cancelled.")
    if now >= visit.starts_at:
        return N_("The delegation has already left; the visit can no longer be changed.")
    return None


def schedule_problem(starts_at: datetime, ends_at: datetime, now: datetime) -> str | None:
    """What is wrong with new dates (a msgid), or None."""
    if starts_at <= now:
        return N_("The departure must be in the future.")
    if ends_at <= starts_at:
        return N_("The return must be after the departure.")
    return None


async def _told(session: AsyncSession, visit_id: int) -> list[int]:
    """The invitees Minka can still write to."""
    return [p.person_id for p in await repo.participants(session, visit_id) if p.telegram_id]


async def _audit(
    session: AsyncSession,
    action: str,
    visit: VisitRecord,
    actor: int | None,
    detail: str,
    now: datetime,
) -> None:
    await audit.append(
        session,
        actor_telegram_id=actor,
        action=action,
        outcome="done",
        target=f"visit:{visit.id}",
        detail=detail[:200],
        at=now,
    )


async def change(
    session: AsyncSession,
    visit: VisitRecord,
    now: datetime,
    *,
    actor: int | None,
    destination: str,
    instructions: str | None,
    starts_at: datetime,
    ends_at: datetime,
) -> tuple[VisitRecord, int]:
    """New dates, destination or instructions: every invitee is told (someone who could not
    go may now), reminders and the questionnaire move to the new dates; audited (`actor`: the
    Telegram id, None from the shell). Returns the visit and the number told."""
    problem = closed(visit, now) or schedule_problem(starts_at, ends_at, now)
    if problem is not None:
        raise ValueError(problem)
    updated = await repo.change(
        session,
        visit.id,
        destination=destination,
        instructions=instructions,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    await _audit(
        session,
        "visit_changed",
        updated,
        actor,
        f"{visit.code} v{updated.version}: {starts_at.isoformat()}–{ends_at.isoformat()}",
        now,
    )
    people = await _told(session, visit.id)
    await _owe(session, "visit_changed", updated, people, now)
    await _owe_schedule(session, updated, people, now)
    return updated, len(people)


async def cancel(
    session: AsyncSession, visit: VisitRecord, now: datetime, *, actor: int | None
) -> tuple[VisitRecord, int]:
    """Cancel before departure: every invitee is told; nothing else owed is sent."""
    problem = closed(visit, now)
    if problem is not None:
        raise ValueError(problem)
    updated = await repo.change(session, visit.id, status="cancelled")
    await _audit(session, "visit_cancelled", updated, actor, visit.code, now)
    people = await _told(session, visit.id)
    await _owe(session, "visit_cancelled", updated, people, now)
    return updated, len(people)


async def can_answer(
    session: AsyncSession, visit_id: int, person_id: int | None, now: datetime
) -> tuple[Rsvp, VisitRecord | None]:
    """Invitees answer until departure."""
    visit = await repo.get(session, visit_id)
    invited = (
        visit is not None
        and person_id is not None
        and await repo.participant(session, visit_id, person_id) is not None
    )
    return answer_status(visit, invited, now), visit


def reminder_wanted(
    visit: VisitRecord, person: ParticipantRecord, offset: int, now: datetime
) -> bool:
    """Only to those who accepted, before departure, and only the closest reminder due."""
    if visit.status == "cancelled" or person.answer != "accepted" or now >= visit.starts_at:
        return False
    return not closer_reminder_due(visit, offset, now)


def survey_closes(visit: VisitRecord) -> datetime:
    return visit.ends_at + SURVEY_OPEN_FOR


def survey_open(visit: VisitRecord, person: ParticipantRecord, now: datetime) -> bool:
    """The questionnaire is for the delegation (confirmed or marked as travelled), once the
    visit is over, until answered or closed."""
    return (
        visit.status != "cancelled"
        and visit.ends_at <= now < survey_closes(visit)
        and (person.confirmed or person.travelled)
        and person.survey is None
    )


async def confirm(
    session: AsyncSession, visit: VisitRecord, person_ids: Iterable[int], now: datetime
) -> tuple[list[int], list[int]]:
    """Put people who accepted into the delegation, and owe each newly confirmed person the
    news (sent only if still in the delegation then, before departure); returns (confirmed,
    refused): someone who has not accepted cannot be confirmed."""
    people = {p.person_id: p for p in await repo.participants(session, visit.id)}
    done, refused = [], []
    for person_id in person_ids:
        person = people.get(person_id)
        if person is None or person.answer != "accepted":
            refused.append(person_id)
            continue
        if not person.confirmed:
            await repo.set_flag(session, visit.id, person_id, confirmed_at=now)
            # A person taken out and confirmed again is told again: the moment is in the key.
            await _owe(session, "visit_confirmed", visit, [person_id], now, at=int(now.timestamp()))
        done.append(person_id)
    return done, refused


def leader_words(text: str) -> tuple[str, ...]:
    """LEADER_POSITION_WORDS: entries separated by commas, each one or more words."""
    return tuple(entry for entry in (normalize(part) for part in text.split(",")) if entry)


def is_leader_position(position: str | None, words: Iterable[str]) -> bool:
    """A position names a leader when every word of one entry is in it, ignoring accents and
    case: «Gobernadora Regional», «Director Regional de Energía y Minas»."""
    tokens = set(normalize(position or "").split())
    return any(set(entry.split()) <= tokens for entry in words if entry)


def is_leader(person: ParticipantRecord, words: Iterable[str]) -> bool:
    """The coordinator's correction when there is one, otherwise what her position named
    when she was invited (as indicator 9 counts her: a new position or an erasure moves no
    one in the visit's report); the position now only for a row written without it."""
    if person.leader is not None:
        return person.leader
    if person.invited_as_leader is not None:
        return person.invited_as_leader
    return is_leader_position(person.position, words)


async def toggle_mark(
    session: AsyncSession,
    visit: VisitRecord,
    person: ParticipantRecord,
    mark: str,
    now: datetime,
    zone: ZoneInfo,
    words: Iterable[str] = (),
) -> bool:
    """The staff's press on a participant: `mark` «travelled» marks or undoes her travel,
    «leader» corrects whether she counts as a regional leader. False, nothing changed, once
    the visit's quarter has ended (`quarter_close`: an ended quarter's travellers and
    leaders by region and sex would move, tests/test_visit_after_end)."""
    if quarter_close.closed(visit.starts_at, now, zone):
        return False
    if mark == "travelled":
        values: dict[str, object] = {"travelled_at": None if person.travelled else now}
    else:
        values = {"leader": not is_leader(person, words)}
    await repo.set_flag(session, visit.id, person.person_id, **values)
    return True
