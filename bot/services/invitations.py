"""What meetings and study visits share for their invitees: whether one may still answer, and
which of the reminders due is sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol


class Rsvp(StrEnum):
    SAVED = "saved"
    NOT_INVITED = "not_invited"
    STARTED = "started"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class Scheduled(Protocol):
    @property
    def status(self) -> str: ...

    @property
    def starts_at(self) -> datetime: ...


class Reminded(Scheduled, Protocol):
    @property
    def reminder_offsets(self) -> tuple[int, ...]: ...


def answer_status(event: Scheduled | None, invited: bool, now: datetime) -> Rsvp:
    """An invitee answers until the meeting starts or the delegation leaves, unless it was
    cancelled; `event` None: it does not exist (a stale or forged button)."""
    if event is None:
        return Rsvp.UNKNOWN
    if not invited:
        return Rsvp.NOT_INVITED
    if event.status == "cancelled":
        return Rsvp.CANCELLED
    if now >= event.starts_at:
        return Rsvp.STARTED
    return Rsvp.SAVED


def closer_reminder_due(event: Reminded, offset: int, now: datetime) -> bool:
    """Whether a reminder closer to the start than the one `offset` seconds before it is due
    too (e.g. after downtime): then only that closer one is sent."""
    return any(
        o < offset and now >= event.starts_at - timedelta(seconds=o) for o in event.reminder_offsets
    )
