"""Indicators 4 and 5: cases attended by the regional governments, and formalization.

A case counts in the region it was registered for; "by sex" is the sex the official who
registered it had then (`Case.sex`: a later correction in /perfil moves no case of a published
period; Minka does not record the miners' sex).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from bot.i18n import N_
from bot.services import cases as codes
from bot.services.indicators.case_months import months_hidden
from bot.services.indicators.case_officials import officials_hidden
from bot.services.indicators.closing import closing
from bot.services.indicators.common import (
    Cells,
    Chart,
    Column,
    Headline,
    Indicator,
    Kind,
    Query,
    Table,
    add,
    by_region,
    count,
    in_scope,
    is_hidden,
    measure_hides,
    only,
    ratio,
    scoped,
    share,
    total_headline,
)
from bot.services.indicators.formal_reads import with_stocks
from bot.services.indicators.formal_sexes import sexes_beside_cases
from bot.services.indicators.months import month_bucket, month_label
from bot.services.indicators.sex_rule import by_sex
from bot.services.indicators.team_reports import DEFINITION as TEAM_REPORTS_DEFINITION
from bot.services.indicators.team_reports import report_figures
from storage.models import Case, CaseEvent


def _registered(q: Query, *columns: object) -> object:
    """Cases registered in the period and scope."""
    statement = (
        select(*columns)
        .select_from(Case)
        .where(Case.created_at >= q.start, Case.created_at < q.end)
    )
    return scoped(q, statement, Case.region_code)


def status_at_end(q: Query) -> Any:
    """A case's status at the end of its quarter of the period (`closing`: a year's case as
    its quarter read it, so the year is its quarters' sum, tests/test_year_beside_quarters):
    what its first change of status after that end changed from, else its status now. Its
    status now would move a past period's figures when the case changes later, and two
    readings of the period, subtracted, would tell the region and sex of whoever registered
    it (tests/test_period_after_end)."""
    end = closing(q, Case.created_at)
    later = (
        select(CaseEvent.from_value)
        .where(CaseEvent.case_id == Case.id, CaseEvent.kind == "status", CaseEvent.at >= end)
        .order_by(CaseEvent.at, CaseEvent.id)
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    return func.coalesce(later, Case.status)


async def case_cells(q: Query) -> Cells:
    """Indicator 4's cells: every region's (what a region's report hides depends on the
    others, `hidden_groups`), cases, supported, resolved and officials."""
    everywhere = replace(q, region=None)
    cells: Cells = {}
    group = (Case.region_code, Case.sex)
    rows = await q.session.execute(_registered(everywhere, *group, func.count()).group_by(*group))
    add(cells, rows.all(), "cases")
    supported = _registered(everywhere, *group, func.count()).where(Case.supported.is_(True))
    add(cells, (await q.session.execute(supported.group_by(*group))).all(), "supported")
    closed = _registered(everywhere, *group, func.count()).where(status_at_end(q) == "resolved")
    add(cells, (await q.session.execute(closed.group_by(*group))).all(), "resolved")
    officials = _registered(everywhere, *group, func.count(func.distinct(Case.person_id)))
    add(cells, (await q.session.execute(officials.group_by(*group))).all(), "officials")
    return cells


async def cases_attended(q: Query) -> Indicator:
    """Indicator 4. Cases registered in Minka with a registration date within the period (and
    the case's region within the scope): how many, how many with the Equipo Regional's
    support, by type, by status at the period's end (a year's case at its quarter's end,
    `status_at_end`), by month of registration, by region and by the sex
    the official who registered them had then. Counts are of cases; "officials" counts unique
    people. Also the Regional Teams' monthly reports sent for the period's months, and how many on
    time (bot.services.indicators.team_reports).
    """
    _ = q._
    cells = await case_cells(q)
    measures = (
        count(_(N_("Cases")), "cases"),
        count(_(N_("With the regional team's support")), "supported", "cases"),
        share(_(N_("Share with support")), "supported", "cases"),
        count(_(N_("Resolved cases")), "resolved", "cases"),
        count(_(N_("Officials who registered cases")), "officials"),
    )
    total = sum(c["cases"] for c in only(q, cells).values())
    kinds = await _counts_by(q, Case.kind)
    statuses = await _counts_by(q, status_at_end(q))
    on_time, reports = await report_figures(q)
    hides = measure_hides(q, measures, cells)
    resolved_hidden = is_hidden(measures[3], hides, "total", None)
    regions = by_region(q, _(N_("Cases by region")), cells, measures)
    tables = (
        _code_table(q, _(N_("Cases by type")), _(N_("Type")), codes.KINDS, kinds),
        _code_table(
            q,
            _(N_("Cases by status at the period's end")),
            _(N_("Status")),
            codes.STATUSES,
            statuses,
            hidden=resolved_hidden,
        ),
        await _by_month(q, await months_hidden(q, measures, cells)),
        regions,
        by_sex(
            q,
            _(N_("Cases by sex of the official who registered them")),
            cells,
            measures,
            groups=("officials",),
            more={"officials": await officials_hidden(q, cells, (regions, measures))},
        ),
        reports,
    )
    return Indicator(
        number=4,
        title=_(N_("Cases attended by the regional governments with the regional teams")),
        definition=_(
            N_(
                "Cases registered in Minka during the period, in the region they concern. «With "
                "support» means the regional team (Equipo Regional) took part. Status is the "
                "one at the period's end (a year's case: at the end of the quarter it was "
                "registered in, as that quarter's report shows it; a later change moves no past "
                "period's figures). By sex: the sex the official who registered the case had "
                "when registering it (a "
                "later change in her profile moves no case). Shares based on fewer than 3 cases "
                "show «—». A sex's figures are not shown (—) where they would tell the sex of 1 "
                "or 2 of the officials who registered cases, and neither are those of enough "
                "other sexes and regions that the totals cannot tell them (the rule of indicator "
                "7)."
            )
        )
        + " "
        + _(TEAM_REPORTS_DEFINITION),
        headlines=(
            Headline(_(N_("Cases registered")), total),
            # As the table by region's total shows them (a region's own report: its row).
            total_headline(regions, 2, _(N_("With the regional team's support"))),
            total_headline(regions, 3, _(N_("Share with support")), Kind.SHARE),
            total_headline(regions, 4, _(N_("Resolved cases"))),
            on_time,
        ),
        tables=tables,
        charts=(
            Chart(_(N_("Cases by type")), 0, (1,), horizontal=True),
            Chart(_(N_("Cases by month of registration")), 2, (1, 2)),
        ),
    )


async def _counts_by(q: Query, column: object) -> Counter[str]:
    rows = await q.session.execute(_registered(q, column, func.count()).group_by(column))
    return Counter({code: number for code, number in rows.all()})


def _code_table(
    q: Query,
    title: str,
    heading: str,
    labels: dict[str | None, str],
    counts: Counter[str | None],
    *,
    hidden: bool = False,
) -> Table:
    """Every code in its documented order (zeros included), with its share of the total (a
    "—" of fewer than 3 cases hides nothing: the counts are shown). `hidden`: every code's
    count and share are «—», the total's shown (the resolved or formalized cases, where the
    table by region hides their total: beside the other codes and the total, «Resuelto» or
    «Formalizado» would be told; the other codes are the rest's split, which tells nothing
    more of them, tests/test_case_support_disclosure.py)."""
    total = sum(counts.values())
    rows = [
        (q._(label), *((None, None) if hidden else (n, ratio(n, total))))
        for code, label in labels.items()
        for n in [counts.get(code, 0)]
    ]
    rows.append((q._(N_("Total")), total, ratio(total, total)))
    columns = (
        Column(heading, Kind.TEXT),
        Column(q._(N_("Cases"))),
        Column(q._(N_("Share")), Kind.SHARE),
    )
    shares = frozenset((row, 2) for row in range(len(rows)) if not hidden or row == len(rows) - 1)
    return Table(title, columns, tuple(rows), total_row=True, harmless=shares)


async def _by_month(q: Query, hidden: Callable[[int], bool]) -> Table:
    """Cases and those with support by month of registration; `hidden(month index)`: the
    month's supported shows «—» (`case_months.months_hidden`)."""
    bucket = month_bucket(q, Case.created_at)
    supported = func.sum(case((Case.supported.is_(True), 1), else_=0))
    rows = await q.session.execute(_registered(q, bucket, func.count(), supported).group_by(bucket))
    found = {index: (number, helped or 0) for index, number, helped in rows.all()}
    table_rows = [
        (month_label(q, year, month), number, None if number and hidden(index) else helped)
        for index, (year, month) in enumerate(q.period.months())
        for number, helped in [found.get(index, (0, 0))]
    ]
    columns = (
        Column(q._(N_("Month")), Kind.TEXT),
        Column(q._(N_("Cases"))),
        Column(q._(N_("With the regional team's support"))),
    )
    return Table(q._(N_("Cases by month of registration")), columns, tuple(table_rows))


async def formalization(q: Query) -> Indicator:
    """Indicator 5. Formalization cases (type «formalization») registered before the period's
    end, in the scope: how many had reached each step when the period ended (the last step
    recorded before the end), how many were formalized by then, and how many became
    formalized during the period; by region and by sex of the official who registered them.
    """
    return await with_stocks(q, _formalization)


async def _formalization(q: Query, reads: dict[Any, Any]) -> tuple[Indicator, Cells]:
    """Indicator 5 by its own rule, and every region's cells; `reads`: the database's
    formalization cases and steps per period, read once for every scope's report."""
    _ = q._
    if q.period.code not in reads:
        reads[q.period.code] = await _read_formalization(q)
    everywhere, steps, became = reads[q.period.code]
    found = [row for row in everywhere if in_scope(q, row[1])]
    cells: Cells = {}
    for case_id, region, sex, _current, created_at in everywhere:
        cell = cells.setdefault((region, sex), Counter())
        cell["cases"] += 1
        cell["formalized"] += steps[case_id] == "formalized"
        cell["new"] += created_at >= q.start
        cell["formalized_now"] += case_id in became
    by_step = Counter(steps[row[0]] for row in found)
    total = len(found)
    measures = (
        count(_(N_("Formalization cases")), "cases"),
        count(_(N_("Formalized cases")), "formalized", "cases"),
        share(_(N_("Share formalized")), "formalized", "cases"),
        count(_(N_("Registered in the period")), "new"),
        count(_(N_("Formalized in the period")), "formalized_now", "cases"),
    )
    regions = _within(by_region(q, _(N_("Formalization by region")), cells, measures))
    cases4 = await case_cells(q) if q.region is None else {}  # (a region's: not read)
    hidden = is_hidden(measures[1], measure_hides(q, measures, cells), "total", None)
    step_table = _code_table(
        q,
        _(N_("Formalization cases by step reached at the end of the period")),
        _(N_("Step")),
        # «Not recorded» where some are, or where hidden (its row would tell some are).
        {**codes.STEPS, **({None: N_("Not recorded")} if by_step.get(None) or hidden else {})},
        by_step,
        hidden=hidden,
    )
    indicator = Indicator(
        number=5,
        title=_(N_("Progress of formalization")),
        definition=_(
            N_(
                "Formalization cases registered in Minka up to the end of the period, with the "
                "step each had reached when the period ended (the last step recorded before that "
                "date). «Formalized in the period»: cases whose step became «Formalized» during "
                "the period. By sex: the sex the official who registered the case had when "
                "registering it (a later change in her profile moves no case). Shares based on "
                "fewer than 3 cases show «—». A sex's figures are not shown (—) where its cases, 1 "
                "or 2, would tell the sex of the officials who registered them, and neither are "
                "those of enough other sexes and regions that the totals cannot tell them (the "
                "rule of indicator 7)."
            )
        )
        + " "
        + _(TEAM_REPORTS_DEFINITION),
        headlines=(
            Headline(_(N_("Formalization cases")), total),
            # As the table by region's total shows them (a region's own report: its row).
            total_headline(regions, 2, _(N_("Formalized cases"))),
            total_headline(regions, 3, _(N_("Share formalized")), Kind.SHARE),
            total_headline(regions, 5, _(N_("Formalized in the period"))),
        ),
        tables=(
            step_table,
            regions,
            _within(
                by_sex(
                    q,
                    _(N_("Formalization by sex of the official")),
                    cells,
                    measures,
                    groups=("cases",),  # one official's cases tell their sex
                    more={"cases": await sexes_beside_cases(q, cells, cases4, (regions, measures))},
                )
            ),
        ),
        charts=(Chart(_(N_("Formalization cases by step reached")), 0, (1,), horizontal=True),),
    )
    return indicator, cells


async def _read_formalization(q: Query) -> tuple[list[Any], dict[int, str | None], set[int]]:
    """Every region's formalization cases registered before the period's end (what a
    region's report hides depends on the others), their steps at the end and those
    formalized in the period (`_steps_at_end`)."""
    statement = select(
        Case.id, Case.region_code, Case.sex, Case.formalization_step, Case.created_at
    ).where(Case.kind == codes.FORMALIZATION, Case.created_at < q.end)
    everywhere = list((await q.session.execute(statement)).all())
    steps, became = await _steps_at_end(q, [(row[0], row[4], row[3]) for row in everywhere])
    return everywhere, steps, became


def _within(table: Table) -> Table:
    """Indicator 5's table with «Formalized in the period» hidden where «Formalized cases»
    is: they are some of them (Sin dato 0 in the period beside its formalized «—», and
    Piura and Puno, hidden, 1 formalized and 1 in the period: Puno's one Sin dato case was
    not formalized; test_case_support_disclosure's seed 68)."""
    rows = tuple(
        (*row[:5], None) if row[2] is None and row[5] is not None else row for row in table.rows
    )
    return replace(table, rows=rows)


async def _steps_at_end(
    q: Query, found: list[tuple[int, datetime, str | None]]
) -> tuple[dict[int, str | None], set[int]]:
    """For each (case, registered at, current step): the step reached when the period ended
    (the last step recorded before the end or, when it changed only later, the step it changed
    from); and the cases that became formalized during the period (registered as formalized
    in the period, or moved to «formalized» in it)."""
    events = await q.session.execute(
        select(CaseEvent.case_id, CaseEvent.at, CaseEvent.from_value, CaseEvent.to_value)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(Case.kind == codes.FORMALIZATION, CaseEvent.kind == "step")
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    wanted = {case_id for case_id, _at, _step in found}
    first: dict[int, str | None] = {}
    before: dict[int, str | None] = {}
    after: dict[int, str | None] = {}
    moved: set[int] = set()
    for case_id, at, from_value, to_value in events.all():
        if case_id not in wanted:
            continue
        first.setdefault(case_id, from_value)
        if at < q.end:
            before[case_id] = to_value
            if to_value == "formalized" and from_value != "formalized" and at >= q.start:
                moved.add(case_id)
        elif case_id not in after:
            after[case_id] = from_value
    steps: dict[int, str | None] = {}
    became: set[int] = set()
    for case_id, created_at, current in found:
        steps[case_id] = before[case_id] if case_id in before else after.get(case_id, current)
        registered_formalized = first.get(case_id, current) == "formalized"
        if case_id in moved or (registered_formalized and created_at >= q.start):
            became.add(case_id)
    return steps, {case_id for case_id in became if steps[case_id] == "formalized"}
