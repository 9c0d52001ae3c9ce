"""Indicator 2's figure on meeting agreements: the share fulfilled on time.

Agreements are counted, not people; but each one says something about its responsible
person, so a kind of meeting whose agreements rest on fewer than 3 responsible people shows
only how many were due (and enough other kinds with it that none can be worked out)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import aliased

from bot.i18n import N_
from bot.services.indicators.common import (
    TOTAL,
    Column,
    Headline,
    Kind,
    Query,
    Table,
    in_scope,
    total_headline,
)
from bot.services.indicators.row_rule import at_an_end, row_hides
from bot.services.meetings import KINDS
from storage.models import (
    Meeting,
    MeetingAgreement,
    MeetingAgreementChange,
    MeetingInvitation,
    Person,
)

ON_TIME = N_("Agreements fulfilled on time")


def _as_at_end(q: Query) -> Select[Any]:
    """Every region's agreements due in the period, as each stood at the period's end: its
    terms before the first change after the end (`MeetingAgreementChange`), else as they are
    (reopened, re-dated or given to someone else after the end, it would move an ended
    period by one person's act: tests/test_agreement_changed_after_end). Every region's, as
    what a region's report hides depends on the others (`row_hides`). An agreement counts in
    the region its responsible was invited to the meeting as (her invitation's snapshot), as
    the meeting's people do: by her profile now, a move in /perfil took a closed quarter's
    agreements to another region's report (tests/test_profile_move_reports.py)."""
    first = (
        select(MeetingAgreementChange.agreement_id, func.min(MeetingAgreementChange.id).label("id"))
        .where(MeetingAgreementChange.changed_at >= q.end)
        .group_by(MeetingAgreementChange.agreement_id)
        .subquery()
    )
    then = aliased(MeetingAgreementChange)
    responsible = func.coalesce(then.responsible_id, MeetingAgreement.responsible_id)
    due = func.coalesce(then.due_on, MeetingAgreement.due_on)
    return (
        select(
            Meeting.kind,
            responsible,
            case(
                (MeetingInvitation.id.is_not(None), MeetingInvitation.region_code),
                else_=Person.region_code,
            ),
            case(
                (then.id.is_not(None), then.done_at),
                (MeetingAgreement.status == "done", MeetingAgreement.done_at),
                else_=None,
            ),
            due,
        )
        .select_from(MeetingAgreement)
        .join(Meeting, Meeting.id == MeetingAgreement.meeting_id)
        .outerjoin(first, first.c.agreement_id == MeetingAgreement.id)
        .outerjoin(then, then.id == first.c.id)
        .join(Person, Person.id == responsible)
        .outerjoin(  # chosen among the invitees (bot.services.agreements); a row written
            MeetingInvitation,  # otherwise (an import, a test's dataset): her profile's
            (MeetingInvitation.meeting_id == MeetingAgreement.meeting_id)
            & (MeetingInvitation.person_id == responsible),
        )
        .where(
            # of a meeting not cancelled by the period's end (as `meetings.held`): one of a
            # later meeting, cancelled after the end before it started, would leave it
            or_(Meeting.status != "cancelled", Meeting.cancelled_at >= q.end),
            due >= q.period.first,
            due <= q.period.last,
        )
    )


async def _outcomes(q: Query) -> list[tuple[str, int, str | None, str]]:
    """(kind, responsible, region, outcome) of every agreement due in the period, outcome
    «on_time», «late» or «open». A period of several calendar quarters (a year) is its
    quarters' readings together, each agreement as it stood at its quarter's end: read at
    the year's end instead, one re-dated into another quarter (counted in both), or of a
    meeting cancelled after its quarter (counted in its quarter), made the year differ from
    its quarters' sum, and the two, subtracted, told what a quarter hid
    (tests/test_agreement_year_beside_quarters)."""
    found = []
    for period in q.period.quarters() or [q.period]:
        part = replace(q, period=period)
        for kind, person, region, done_at, due_on in await q.session.execute(_as_at_end(part)):
            if done_at is None or done_at >= part.end:
                # as at the period's end: a fulfilment after it would move an ended period,
                # by one person's act (tests/test_agreement_after_end)
                outcome = "open"
            elif done_at.astimezone(q.t.timezone).date() <= due_on:
                outcome = "on_time"
            else:
                outcome = "late"
            found.append((kind, person, region, outcome))
    return found


async def agreement_figures(q: Query) -> tuple[Headline, Table]:
    """The headline share and the table by kind of meeting."""
    _ = q._
    rows = await _outcomes(q)
    hides = row_hides((kind, region, person) for kind, person, region, _outcome in rows)
    hidden, total_hidden = hides.rows, hides.total
    if q.region is not None:
        hidden, total_hidden = hides.region(q.region)
    counts: dict[str, Counter[str]] = {}
    for kind, _responsible, region, outcome in rows:
        if not in_scope(q, region):
            continue
        tally = counts.setdefault(kind, Counter())
        tally["due"] += 1
        tally[outcome] += 1
    grand: Counter[str] = Counter()
    for tally in counts.values():
        grand.update(tally)
    hidden_rows = [tally for kind, tally in counts.items() if kind in hidden]
    total_hidden |= at_an_end(hidden_rows, ("on_time", "late", "open"), "due")

    def row(label: str, tally: Counter[str], hide: bool) -> tuple[object, ...]:
        if hide:
            return (label, tally["due"], None, None, None, None)
        share = tally["on_time"] / tally["due"] if tally["due"] else None
        return (label, tally["due"], tally["on_time"], tally["late"], tally["open"], share)

    order = [*(k for k in KINDS if k in counts), *sorted(set(counts) - set(KINDS))]
    shown = [row(_(KINDS.get(kind, kind)), counts[kind], kind in hidden) for kind in order]
    shown.append(row(_(TOTAL), grand, total_hidden))
    columns = (
        Column(_(N_("Kind")), Kind.TEXT),
        Column(_(N_("Agreements due"))),
        Column(_(N_("Fulfilled on time"))),
        Column(_(N_("Fulfilled late"))),
        Column(_(N_("Not fulfilled"))),
        Column(_(N_("Share fulfilled on time")), Kind.SHARE),
    )
    harmless = frozenset((i, 5) for i, values in enumerate(shown) if not values[1])  # none due
    title = _(N_("Agreements due in the period"))
    table = Table(title, columns, tuple(shown), total_row=True, harmless=harmless)
    return total_headline(table, 5, _(ON_TIME), Kind.SHARE), table
