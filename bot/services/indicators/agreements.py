"""Indicator 2's figure on meeting agreements: the share fulfilled on time.

Agreements are counted, not people; but each one says something about its responsible
person, so a kind of meeting whose agreements rest on fewer than 3 responsible people shows
only how many were due (and enough other kinds with it that none can be worked out)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from bot.i18n import N_
from bot.services.indicators.common import (
    SMALL_CELL,
    TOTAL,
    Column,
    Headline,
    Kind,
    Query,
    Table,
    hidden_rows_of,
    scoped,
)
from bot.services.meetings import KINDS
from storage.models import Meeting, MeetingAgreement, Person

ON_TIME = N_("Agreements fulfilled on time")


async def agreement_figures(q: Query) -> tuple[Headline, Table]:
    """The headline share and the table by kind of meeting."""
    _ = q._
    statement = scoped(
        q,
        select(
            Meeting.kind,
            MeetingAgreement.responsible_id,
            MeetingAgreement.status,
            MeetingAgreement.done_at,
            MeetingAgreement.due_on,
        )
        .join(Meeting, Meeting.id == MeetingAgreement.meeting_id)
        .join(Person, Person.id == MeetingAgreement.responsible_id)
        .where(
            Meeting.status != "cancelled",
            MeetingAgreement.due_on >= q.period.first,
            MeetingAgreement.due_on <= q.period.last,
        ),
        Person.region_code,
    )
    counts: dict[str, Counter[str]] = {}
    people: dict[str, set[int]] = {}
    for kind, responsible, status, done_at, due_on in await q.session.execute(statement):
        tally = counts.setdefault(kind, Counter())
        people.setdefault(kind, set()).add(responsible)
        tally["due"] += 1
        if status != "done" or done_at is None:
            tally["open"] += 1
        elif done_at.astimezone(q.t.timezone).date() <= due_on:
            tally["on_time"] += 1
        else:
            tally["late"] += 1
    hidden = hidden_rows_of({kind: len(who) for kind, who in people.items()})
    everyone = {person for who in people.values() for person in who}
    grand: Counter[str] = Counter()
    for tally in counts.values():
        grand.update(tally)

    def row(label: str, tally: Counter[str], hide: bool) -> tuple[object, ...]:
        if hide:
            return (label, tally["due"], None, None, None, None)
        share = tally["on_time"] / tally["due"] if tally["due"] else None
        return (label, tally["due"], tally["on_time"], tally["late"], tally["open"], share)

    order = [*(k for k in KINDS if k in counts), *sorted(set(counts) - set(KINDS))]
    rows = [row(_(KINDS.get(kind, kind)), counts[kind], kind in hidden) for kind in order]
    total_hidden = 0 < len(everyone) < SMALL_CELL
    rows.append(row(_(TOTAL), grand, total_hidden))
    columns = (
        Column(_(N_("Kind")), Kind.TEXT),
        Column(_(N_("Agreements due"))),
        Column(_(N_("Fulfilled on time"))),
        Column(_(N_("Fulfilled late"))),
        Column(_(N_("Not fulfilled"))),
        Column(_(N_("Share fulfilled on time")), Kind.SHARE),
    )
    table = Table(_(N_("Agreements due in the period")), columns, tuple(rows), total_row=True)
    return Headline(_(ON_TIME), rows[-1][5], Kind.SHARE), table
