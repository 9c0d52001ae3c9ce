"""Indicator 4's figure on the Regional Teams' monthly reports: how many were sent for the
months of the period, and how many on time (by the end of the 3rd of the next month, Lima).

Reports are people's: a region whose reports come from fewer than 3 people shows only how
many were sent (and enough other regions with it that none can be worked out)."""

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
from bot.services.team_reports import deadline
from storage.models import TeamReport

DEFINITION = N_(
    "Regional Team reports: the monthly reports sent for the months of the period, in the "
    "region of the team; on time: sent by the end of the 3rd of the following month (Lima). "
    "A region whose reports come from fewer than 3 people shows only how many were sent."
)


async def report_figures(q: Query) -> tuple[Headline, Table]:
    """The headline share on time and the table by region."""
    _ = q._
    months = [f"{year}-{month:02d}" for year, month in q.period.months()]
    statement = scoped(
        q,
        select(
            TeamReport.region_code,
            TeamReport.person_id,
            TeamReport.month,
            TeamReport.submitted_at,
        ).where(TeamReport.month.in_(months)),
        TeamReport.region_code,
    )
    counts: dict[str, Counter[str]] = {}
    people: dict[str, set[int]] = {}
    for region, person, month, submitted_at in await q.session.execute(statement):
        tally = counts.setdefault(region, Counter())
        people.setdefault(region, set()).add(person)
        tally["sent"] += 1
        tally["on_time"] += submitted_at < deadline(month, q.t.timezone)
    hidden = hidden_rows_of({region: len(who) for region, who in people.items()})
    everyone = {person for who in people.values() for person in who}
    grand: Counter[str] = Counter()
    for tally in counts.values():
        grand.update(tally)

    def row(label: str, tally: Counter[str], hide: bool) -> tuple[object, ...]:
        if hide:
            return (label, tally["sent"], None, None)
        share = tally["on_time"] / tally["sent"] if tally["sent"] else None
        return (label, tally["sent"], tally["on_time"], share)

    order = [code for code in q.regions if code in counts]
    rows = [row(q.region_name(code), counts[code], code in hidden) for code in order]
    rows.append(row(_(TOTAL), grand, 0 < len(everyone) < SMALL_CELL))
    columns = (
        Column(_(N_("Region")), Kind.TEXT),
        Column(_(N_("Reports sent"))),
        Column(_(N_("Sent on time"))),
        Column(_(N_("Share on time")), Kind.SHARE),
    )
    table = Table(_(N_("Regional Team reports by region")), columns, tuple(rows), total_row=True)
    return Headline(_(N_("Regional Team reports on time")), rows[-1][3], Kind.SHARE), table
