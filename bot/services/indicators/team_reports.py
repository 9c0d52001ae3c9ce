"""Indicator 4's figure on the Regional Teams' monthly reports: how many were sent for the
months of the period, and how many on time (by the end of the 3rd of the next month, Lima).

Reports are people's: a region whose reports come from fewer than 3 people shows only how
many were sent (and enough other regions with it that none can be worked out). Until no
report of the period's months can still be sent (a member may send the last month's during
the next, `settled_from`), such a region shows not even that, nor does the total: a report
that appeared between two readings on either side of its deadline was late, and a hidden
region's count of reports sent, or the total's, told whose (tests/test_team_reports_after_end)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

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
from bot.services.indicators.periods import Period
from bot.services.indicators.row_rule import at_an_end, row_hides
from bot.services.team_reports import deadline, next_first
from storage.models import TeamReport

PARTS = ("on_time",)  # what a hidden row hides of its reports sent
DEFINITION = N_(
    "Regional Team reports: the monthly reports sent for the months of the period, in the "
    "region of the team; on time: sent by the end of the 3rd of the following month (Lima). "
    "A region whose reports come from fewer than 3 people shows only how many were sent."
)


def settled_from(period: Period, zone: ZoneInfo) -> datetime:
    """The first moment no report of `period`'s months can be sent any more: the month after
    its last is the last in which a member may send it (`handlers/team_reports._months`);
    sending one again changes what it says, never when it was sent."""
    last = period.months()[-1]
    after = next_first(f"{last[0]}-{last[1]:02d}")
    return datetime.combine(next_first(f"{after.year}-{after.month:02d}"), time(), tzinfo=zone)


async def report_figures(q: Query) -> tuple[Headline, Table]:
    """The headline share on time and the table by region."""
    _ = q._
    months = [f"{year}-{month:02d}" for year, month in q.period.months()]
    # Every region's: a region's report is the national row, hidden as it is (`row_hides`).
    statement = select(
        TeamReport.region_code,
        TeamReport.person_id,
        TeamReport.month,
        TeamReport.submitted_at,
    ).where(TeamReport.month.in_(months))
    reports = (await q.session.execute(statement)).all()
    hides = row_hides((region, region, person) for region, person, _month, _at in reports)
    hidden, total_hidden = hides.rows, hides.total
    if q.region is not None:
        hidden, total_hidden = hides.region(q.region)
        hidden |= {q.region} if total_hidden else frozenset()
    counts: dict[str, Counter[str]] = {}
    for region, _person, month, submitted_at in reports:
        if not in_scope(q, region):
            continue
        tally = counts.setdefault(region, Counter())
        tally["sent"] += 1
        tally["on_time"] += submitted_at < deadline(month, q.t.timezone)
    grand: Counter[str] = Counter()
    for tally in counts.values():
        grand.update(tally)
    total_hidden |= at_an_end([t for code, t in counts.items() if code in hidden], PARTS, "sent")
    open_ = q.now < settled_from(q.period, q.t.timezone)  # reports of its months still to come
    total_hidden |= open_ and bool(hidden & counts.keys())

    def row(label: str, tally: Counter[str], hide: bool) -> tuple[object, ...]:
        if hide:
            return (label, None if open_ else tally["sent"], None, None)
        share = tally["on_time"] / tally["sent"] if tally["sent"] else None
        return (label, tally["sent"], tally["on_time"], share)

    order = [code for code in q.regions if code in counts]
    rows = [row(q.region_name(code), counts[code], code in hidden) for code in order]
    rows.append(row(_(TOTAL), grand, total_hidden))
    columns = (
        Column(_(N_("Region")), Kind.TEXT),
        Column(_(N_("Reports sent"))),
        Column(_(N_("Sent on time"))),
        Column(_(N_("Share on time")), Kind.SHARE),
    )
    harmless = frozenset((i, 3) for i, values in enumerate(rows) if values[1] == 0)  # none sent
    title = _(N_("Regional Team reports by region"))
    table = Table(title, columns, tuple(rows), total_row=True, harmless=harmless)
    return total_headline(table, 3, _(N_("Regional Team reports on time")), Kind.SHARE), table
