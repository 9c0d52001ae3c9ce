"""Indicator 3: how the people trained rate the workshops: its tables from what
`training_reads` reads (sums and counts, each person counted once, grouped by region and
sex); averages are computed here from integer sums, so SQLite and PostgreSQL agree to the
last digit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy import and_, func, select

from bot.i18n import N_
from bot.services import report_limit
from bot.services.indicators.common import (
    Cells,
    Chart,
    Column,
    Headline,
    Hidden,
    Indicator,
    Kind,
    Measure,
    Query,
    Table,
    average,
    by_region,
    count,
    hidden_groups,
    hidden_rows_of,
    only,
    ratio,
    scoped,
    sex_code,
    share,
    total,
    total_headline,
)
from bot.services.indicators.meetings import day_label, local_day
from bot.services.indicators.sex_rule import by_sex
from bot.services.indicators.training_bounds import bounded
from bot.services.indicators.training_parts import parts_hides
from bot.services.indicators.training_reads import (
    every_rating,
    in_period,
    period_attendance,
    period_ratings,
    rating_cells,
    rating_columns,
    surveys_pending,
    workshop_people,
)
from bot.services.indicators.training_year import year_running
from bot.services.small_cells import hidden_within, safe_counts, too_small
from bot.services.workshop_report import CRITERION_LABELS, SCALE
from storage.models import Workshop, WorkshopAttendance, WorkshopRating
from storage.repositories.workshops import CRITERIA

TITLE = N_("Training rating")
DEFINITION = N_(
    "Workshops that start in the period (Lima dates, first and last day included). Responses: "
    "completed surveys (one per person and workshop). A workshop's responses count once its "
    "survey has closed. Averages (1 to 5) are over the "
    "responses, for the overall rating and each criterion, and are not shown (—) when fewer "
    "than 3 different people answered. Attendees and raters are unique people, each counted "
    "once however many workshops they attended or rated. Response rate: attendees who also "
    "completed a survey, over all attendees (for each workshop: its attendees who completed "
    "its survey); not shown when there were fewer than 3 attendees. A sex's figures are not "
    "shown (—) where its attendees or raters would tell the sex of 1 or 2 people, and "
    "neither are those of enough other sexes and regions that the totals cannot tell them "
    "(the rule of indicator 7). People are grouped by "
    "the region and sex they had when they took part (someone whose profile changed between "
    "two workshops of the period counts once with each); the per-workshop table counts each "
    "workshop's people and shows the workshop's own region. In a year still in progress, "
    "attendees, people who rated and response rates (people counted once over the year) are "
    "not shown (—) until the year ends: read on two dates beside its quarters, they could "
    "tell about someone."
)
ATTENDEES = N_("Attendees")
PENDING = N_(
    "While a survey of the period's workshops is still open after the period's end, the "
    "figures by sex are not shown (—): its raters enter the figures when it closes."
)
RATERS = N_("People who rated")
RESPONSES = N_("Responses")
RESPONSE_RATE = N_("Response rate")
RULE = "bot.services.indicators.training_rule:hidden_ratings"


def _criterion(q: Query, name: str) -> Measure:
    """A criterion's average, resting on the people who answered it (`people_{name}`)."""
    return average(q._(CRITERION_LABELS[name]), f"sum_{name}", f"n_{name}", f"people_{name}")


def _measures(q: Query) -> tuple[Measure, ...]:
    return (
        _once(q, count(q._(ATTENDEES), "attendees")),
        _once(q, count(q._(RATERS), "raters")),
        _once(q, share(q._(RESPONSE_RATE), "responders", "attendees")),
        count(q._(RESPONSES), "responses"),
        *(_criterion(q, name) for name in CRITERIA),
    )


def _once(q: Query, measure: Measure) -> Measure:
    """A measure of people counted once over the period: «—» in a year in progress
    (`training_year.year_running`); a workshop's own people (each workshop's row) are not."""
    return replace(measure, of=lambda _values: None) if year_running(q) else measure


async def _per_workshop(
    q: Query, unrated: Mapping[str, frozenset[int]], cells: Cells
) -> tuple[Table, bool]:
    """One row per workshop; a person has one rating and one check-in per workshop at most,
    so rows are people here. `unrated`: per criterion, the workshops whose averages are
    hidden (`hidden_ratings` of the ratings that answered it); `cells`: every region's
    people, whose response rates by region decide, with every workshop's, which rows' rates
    a region's report hides. Also whether the period's distribution of scores may be shown
    beside the workshops' own (each /taller report shows its workshop's when safe)."""
    sums = rating_columns()
    attendance = WorkshopAttendance
    ratings_statement = (
        period_ratings(
            q,
            WorkshopRating.workshop_id,
            *sums,
            func.count(attendance.person_id).label("responders"),
        )
        .outerjoin(
            attendance,
            and_(
                attendance.workshop_id == WorkshopRating.workshop_id,
                attendance.person_id == WorkshopRating.person_id,
            ),
        )
        .group_by(WorkshopRating.workshop_id)
    )
    names = [*(c.name for c in sums), "responders"]
    ratings: dict[int, Counter[str]] = {}
    for workshop_id, *values in await q.session.execute(
        scoped(q, ratings_statement, WorkshopRating.region_code)
    ):
        ratings[workshop_id] = Counter(
            {name: int(value or 0) for name, value in zip(names, values, strict=True)}
        )
        ratings[workshop_id]["raters"] = ratings[workshop_id]["responses"]
        for name in CRITERIA:
            ratings[workshop_id][f"people_{name}"] = ratings[workshop_id][f"n_{name}"]
    attendance_statement = period_attendance(
        q, attendance.workshop_id, func.count(attendance.person_id)
    ).group_by(attendance.workshop_id)
    attendees = {
        workshop_id: int(n)
        for workshop_id, n in await q.session.execute(
            scoped(q, attendance_statement, attendance.region_code)
        )
    }
    workshops = await q.session.execute(
        select(Workshop.id, Workshop.code, Workshop.title, Workshop.starts_at, Workshop.region_code)
        .where(*in_period(q))
        .order_by(Workshop.starts_at, Workshop.id)
    )
    criteria = [_criterion(q, name) for name in CRITERIA]
    unattended = await _unattended(q, cells)
    scores = [[int(values[f"score_{v}"]) for v in SCALE] for values in ratings.values()]
    unsafe = [counts for counts in scores if not safe_counts(counts)]
    residual = [sum(column) for column in zip(*unsafe, strict=True)] if unsafe else []
    distribution_shown = q.region is None and safe_counts(residual)
    rows = []
    for workshop_id, code, title, starts_at, region in workshops:
        outside = q.region is not None and region != q.region
        if outside and workshop_id not in ratings and workshop_id not in attendees:
            continue  # neither held in the region nor attended or rated by anyone from it
        values = ratings.get(workshop_id, Counter())
        values["attendees"] = attendees.get(workshop_id, 0)
        rate = ratio(values["responders"], values["attendees"])
        averages = [
            None if workshop_id in unrated[name] else measure.of(values)
            for name, measure in zip(CRITERIA, criteria, strict=True)
        ]
        rows.append(
            (
                code,
                title,
                day_label(q, local_day(q, starts_at)),
                q.region_name(region),
                int(values["attendees"]),
                int(values["responses"]),
                None if workshop_id in unattended else rate,
                *averages,
            )
        )
    columns = (
        Column(q._(N_("Code")), Kind.TEXT),
        Column(q._(N_("Title")), Kind.TEXT),
        Column(q._(N_("Date")), Kind.TEXT),
        Column(q._(N_("Workshop region")), Kind.TEXT),
        Column(q._(ATTENDEES)),
        Column(q._(RESPONSES)),
        Column(q._(RESPONSE_RATE), Kind.SHARE),
        *(measure.column for measure in criteria),
    )
    table = Table(q._(N_("Each workshop")), columns, tuple(rows))
    return table, distribution_shown


async def _unattended(q: Query, cells: Cells) -> frozenset[int]:
    """The workshops whose response rate the report hides. The national report's rows and
    rates by region, and each region's report's rows, are margins and cells of one table
    (workshop × region): a region's report hides the cells that would give a hidden one
    away (`hidden_within`)."""
    attendance = WorkshopAttendance
    statement = period_attendance(
        q, attendance.workshop_id, attendance.region_code, func.count()
    ).group_by(attendance.workshop_id, attendance.region_code)
    table = {(w, r): int(n) for w, r, n in await q.session.execute(statement)}
    per_workshop: dict[int, int] = {}
    for (workshop, _region), n in table.items():
        per_workshop[workshop] = per_workshop.get(workshop, 0) + n
    rows = hidden_rows_of(per_workshop)
    if q.region is None:
        return rows
    regions = hidden_groups(cells, "attendees").rows
    inside = hidden_within(table, Hidden(rows, regions))
    return frozenset(w for w, r in inside if r == q.region)


def _criteria_table(q: Query, sums: Counter[str], hides: Mapping[str, Hidden]) -> Table:
    rows = tuple(
        (
            q._(CRITERION_LABELS[name]),
            None if hides[f"people_{name}"].total else _criterion(q, name).of(sums),
            int(sums[f"n_{name}"]),
        )
        for name in CRITERIA
    )
    columns = (
        Column(q._(N_("Criterion")), Kind.TEXT),
        Column(q._(N_("Average")), Kind.AVERAGE),
        Column(q._(RESPONSES)),
    )
    return Table(q._(N_("Average rating per criterion (1 to 5)")), columns, rows)


def _distribution_table(q: Query, sums: Counter[str], allowed: bool) -> Table:
    """Responses per overall score and their shares, shown only when each count is 0 or at
    least 3 (otherwise the whole distribution is hidden: a count of 1 is one person's
    answer, and one hidden count follows from the others and the total), and when `allowed`
    (the workshops' own distributions do not give it away)."""
    counts = [int(sums[f"score_{value}"]) for value in SCALE]
    shown = allowed and safe_counts(counts) and not too_small(sums["people_overall"])
    rows = tuple(
        (
            str(value),
            number if shown else None,
            share("", f"score_{value}", "n_overall", people="raters").of(sums) if shown else None,
        )
        for value, number in zip(SCALE, counts, strict=True)
    )
    columns = (
        Column(q._(N_("Score")), Kind.TEXT),
        Column(q._(RESPONSES)),
        Column(q._(N_("Share of responses")), Kind.SHARE),
    )
    return Table(q._(N_("Overall rating: responses per score")), columns, rows)


async def _hidden(q: Query, cells: Cells) -> tuple[dict[str, Hidden], dict[str, frozenset[int]]]:
    """Per criterion, the groups (by `people_{name}`) and workshops whose averages are hidden:
    the small-cell rule (`RULE`) over the ratings that answered it, which are all of them
    unless a completed rating left it empty (then the rule runs again on those)."""
    ratings, answered = await every_rating(q)
    one_region = q.region is not None
    # In a worker process: the exact check is seconds of CPU that no reply should wait for.
    everyone, _short = await report_limit.run(RULE, ratings, one_region)
    hides: dict[str, Hidden] = {}
    unrated: dict[str, frozenset[int]] = {}
    for name in CRITERIA:
        subset = answered[name]
        groups, rows = (
            everyone
            if len(subset) == len(ratings)
            else (await report_limit.run(RULE, subset, one_region))[0]
        )
        if groups.total:
            regions, sexes = {c[0] for c in cells}, {sex_code(c[1]) for c in cells}
            groups = Hidden(frozenset(regions), frozenset(sexes), total=True)
        hides[f"people_{name}"], unrated[name] = groups, rows
    return hides, unrated


def _settled(table: Table, pending: bool) -> Table:
    """The table by sex, every sex's figures «—» (its total kept) while a survey of the
    period's workshops is open after its end (`training_reads.surveys_pending`)."""
    if not pending:
        return table
    *sexes, whole = table.rows
    return replace(table, rows=(*((row[0], *[None] * (len(row) - 1)) for row in sexes), whole))


async def training(q: Query) -> Indicator:
    """Workshops that start in the period (Lima dates, first and last day included).
    Responses: completed surveys (one per person and workshop). A workshop's responses count
    once its survey has closed. Averages (1 to 5) are over
    the responses, for the overall rating and each criterion, and are not shown (—) when
    fewer than 3 different people answered. Attendees and raters are unique people, each
    counted once however many workshops they attended or rated. Response rate: attendees who
    also completed a survey, over all attendees (for each workshop: its attendees who
    completed its survey); not shown when there were fewer than 3 attendees. A sex's figures
    are not shown (—) where its attendees or raters would tell the sex of 1 or 2 people, and
    neither are those of enough other sexes and regions that the totals cannot tell them (the
    rule of indicator 7). People are grouped by the region and sex they had when they took
    part (someone whose profile changed between two workshops of the period counts once with
    each); the per-workshop table counts each workshop's people and shows the workshop's own
    region. In a year still in progress, attendees, people who rated and response rates
    (people counted once over the year) are not shown (—) until the year ends: read on two
    dates beside its quarters, they could tell about someone.
    """
    # The region and sex they had then are kept on the check-in and rating
    # (`storage.models.workshops.take_snapshot`): a later move in /perfil changes no figure.
    # Every region's: what a region's report hides depends on the others (`hidden_groups`).
    everywhere = replace(q, region=None)
    cells = await rating_cells(everywhere, await workshop_people(everywhere))
    sums = total(only(q, cells))
    measures = _measures(q)
    hides, unrated = await _hidden(q, cells)
    before = None if q.region is None else await _hidden(everywhere, cells)
    more = await parts_hides(everywhere, cells)  # beside the regions' parts of the workshops
    hides, unrated = await bounded(q, cells, (hides, unrated), before, more)
    workshops, distribution_shown = await _per_workshop(q, unrated, cells)
    overall_hidden = hides["people_overall"].total
    overall = None if overall_hidden else measures[4].of(sums)
    regions = by_region(q, q._(N_("Rating by region")), cells, measures, hides=hides)
    headlines = (
        Headline(q._(N_("Workshops")), len(workshops.rows)),
        Headline(q._(ATTENDEES), measures[0].of(sums)),
        Headline(q._(RATERS), measures[1].of(sums)),
        total_headline(regions, 3, q._(RESPONSE_RATE), Kind.SHARE),
        Headline(
            q._(N_("Average overall rating")), overall, Kind.AVERAGE, harmless=not sums["raters"]
        ),
    )
    tables = (
        _criteria_table(q, sums, hides),
        _distribution_table(q, sums, distribution_shown and not overall_hidden),
        regions,
        _settled(
            by_sex(
                q,
                q._(N_("Rating by sex")),
                cells,
                measures,
                groups=("attendees", "raters"),  # as indicator 7 hides them
                hides=hides,
                more=more,
            ),
            await surveys_pending(q),
        ),
        workshops,
    )
    charts = (
        Chart(q._(N_("Average rating per criterion")), 0, (1,), True),
        Chart(q._(N_("Overall rating: responses per score")), 1, (1,)),
    )
    definition = q._(DEFINITION) + " " + q._(PENDING)
    return Indicator(3, q._(TITLE), definition, headlines, tables, charts)
