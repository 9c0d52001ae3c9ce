"""Following meeting agreements to their end: each has a responsible invitee, a due date and
a status; the responsible is reminded before the due date (outbox) and answers from the
reminder's buttons. «Overdue» is computed from the Lima date, never stored."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.services.indicators.periods import Period
from storage.repositories import agreements as repo
from storage.repositories import meetings as meeting_repo
from storage.repositories import outbox
from storage.repositories.agreements import AgreementRecord
from storage.repositories.meetings import MeetingRecord

KIND = "agreement_reminder"
STATUSES: dict[str, str] = {
    "pending": N_("Pending"),
    "in_progress": N_("Under way"),
    "done": N_("Fulfilled"),
    "overdue": N_("Overdue"),
}
SETTABLE = ("pending", "in_progress", "done")
REMIND_BEFORE = timedelta(days=3)
REMIND_AT = time(9, 0)  # Lima, the working morning
MAX_TEXT = 500


class AgreementError(ValueError):
    """Why an agreement cannot be recorded (a msgid, shown translated)."""


def shown_status(agreement: AgreementRecord, today: date) -> str:
    """The status people see: a pending or started agreement past its due date is overdue."""
    if agreement.status != "done" and agreement.due_on < today:
        return "overdue"
    return agreement.status


def on_time(agreement: AgreementRecord, zone: ZoneInfo) -> bool:
    """Fulfilled no later than its due date (Lima)."""
    return agreement.done_at is not None and agreement.done_at.astimezone(zone).date() <= (
        agreement.due_on
    )


def closed_quarter(agreement: AgreementRecord, today: date) -> Period | None:
    """The quarter of its due date, if it has ended by `today` (Lima): a change now is kept
    and followed up, but that quarter's reports keep the agreement as it stood at its end
    (indicators.agreements), which the official is told rather than refused."""
    due = agreement.due_on
    quarter = Period.quarter(due.year, (due.month - 1) // 3 + 1)
    return quarter if quarter.last < today else None


def reminder_due(due_on: date, zone: ZoneInfo, now: datetime) -> datetime:
    """09:00 Lima three days before the due date; at once if that has passed."""
    return max(now, datetime.combine(due_on - REMIND_BEFORE, REMIND_AT, tzinfo=zone))


async def record(
    session: AsyncSession,
    meeting: MeetingRecord,
    *,
    text: str,
    responsible_id: int,
    due_on: date,
    created_by: int | None,
    now: datetime,
    zone: ZoneInfo,
) -> AgreementRecord:
    """Record the agreement and owe its responsible the reminder."""
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise AgreementError(N_("The agreement must have between 1 and 500 characters."))
    if await meeting_repo.invitation(session, meeting.id, responsible_id) is None:
        raise AgreementError(N_("The responsible person must be one of the meeting's invitees."))
    if due_on < now.astimezone(zone).date():
        raise AgreementError(N_("The due date has already passed."))
    agreement_id = await repo.create(
        session,
        meeting_id=meeting.id,
        text=text,
        responsible_id=responsible_id,
        due_on=due_on,
        created_by=created_by,
        now=now,
    )
    await outbox.enqueue(
        session,
        kind=KIND,
        dedupe_key=f"agreement-reminder:{agreement_id}",
        person_id=responsible_id,
        payload={"agreement_id": agreement_id},
        due_at=reminder_due(due_on, zone, now),
        meeting_id=meeting.id,
    )
    agreement = await repo.get(session, agreement_id)
    assert agreement is not None
    return agreement


async def edit(
    session: AsyncSession,
    agreement: AgreementRecord,
    *,
    responsible_id: int,
    due_on: date,
    now: datetime,
    zone: ZoneInfo,
) -> bool:
    """A new responsible (one of the invitees) and/or due date; the reminder follows them:
    the one not sent yet is cancelled and the (new) responsible is owed one for the new date.
    Whether the terms changed: the same ones again (both steps skipped) record nothing, and
    the coordinator is not told of a change."""
    changed_who = responsible_id != agreement.responsible_id
    changed_due = due_on != agreement.due_on
    if (
        changed_who
        and await meeting_repo.invitation(session, agreement.meeting_id, responsible_id) is None
    ):
        raise AgreementError(N_("The responsible person must be one of the meeting's invitees."))
    if changed_due and due_on < now.astimezone(zone).date():
        raise AgreementError(N_("The due date has already passed."))
    if not (changed_who or changed_due):
        return False
    await repo.set_terms(session, agreement.id, responsible_id, due_on, now)
    await repo.cancel_reminders(session, KIND, agreement.id)
    if agreement.status != "done":
        await outbox.enqueue(
            session,
            kind=KIND,
            dedupe_key=f"agreement-reminder:{agreement.id}:{now.isoformat()}",
            person_id=responsible_id,
            payload={"agreement_id": agreement.id},
            due_at=reminder_due(due_on, zone, now),
            meeting_id=agreement.meeting_id,
        )
    return True


async def change_status(
    session: AsyncSession, agreement: AgreementRecord, status: str, now: datetime
) -> AgreementRecord:
    """Move the agreement; fulfilling it records when (for «on time»). A press that leaves
    it as it is (a double tap, ✅ on one fulfilled) changes nothing: no terms kept as changed
    (`repo.set_status`), which /mis_datos would list as a change of status."""
    if status not in SETTABLE:
        raise AgreementError(N_("That button is no longer valid."))
    done_at = (agreement.done_at or now) if status == "done" else None
    if (status, done_at) == (agreement.status, agreement.done_at):
        return agreement
    await repo.set_status(session, agreement.id, status, done_at, now)
    updated = await repo.get(session, agreement.id)
    assert updated is not None
    return updated


async def overdue_before(
    session: AsyncSession, meeting: MeetingRecord, person_id: int | None, today: date
) -> list[AgreementRecord]:
    """Overdue agreements of earlier meetings of the same kind (with `person_id`: that this
    person was also invited to): what the next meeting should take up first."""
    return await repo.open_of_earlier(
        session,
        kind=meeting.kind,
        before=meeting.starts_at,
        person_id=person_id,
        due_before=today,
    )


def parse_due(text: str) -> date | None:
    """A due date as a form stored it: ISO (bot.services.dates read what was typed); '20/12/2026'
    in a form begun before the form stored ISO."""
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        return None
