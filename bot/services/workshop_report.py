"""A workshop's results for coordinators: attendance, survey averages, comments and breakdowns.

Everything is computed in the database with GROUP BY queries (a fixed handful per report, however
many people attended), and nothing here knows about Telegram, so the same report feeds a chat
message or a spreadsheet. People are counted once each, never by button presses. Figures
resting on fewer than 3 people are hidden, and so are enough others that none can be worked
out from the total and the groups shown (`bot.services.small_cells`): nobody's answers can
be singled out.

Nothing of the survey's answers while it is open (`while_open`): its figures move with each
response, and two looks at /taller, one response apart, subtracted, gave the newcomer's
rating (an average shown to one decimal pins its sum up to 10 responses), and the responses
by region where they came from (tests/test_taller_two_looks.py). Once it closes nobody can
answer or change an answer.

No breakdown by sex: a workshop's attendees by sex are the inner cells of a table (workshop ×
region × sex) whose margins are all shown elsewhere (the indicators' national and regional
tables by sex, every workshop's attendees by region), so the national men less the other
workshops' men gave the one man of this one. The indicators count workshops' people by sex
(3 and 7), by quarter and year, under one rule (`bot.services.indicators.sex_rule`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.services.profile import SEXES
from bot.services.regions import normalize
from bot.services.small_cells import (
    SMALL_CELL,
    bounded_hidden,
    hidden_margins,
    safe_counts,
    too_small,
)
from storage.models import Region, WorkshopAttendance, WorkshopRating
from storage.repositories import workshops as repo
from storage.repositories.workshops import CRITERIA, WorkshopRecord

SCALE = (1, 2, 3, 4, 5)

CRITERION_LABELS: dict[str, str] = {
    "overall": N_("Overall rating"),
    "content": N_("Content"),
    "facilitation": N_("Facilitation"),
    "usefulness": N_("Usefulness for my work"),
    "organization": N_("Organisation"),
}


@dataclass(frozen=True, slots=True)
class CriterionStats:
    """One question of the survey over the completed responses (1–5 each). The average is
    None with fewer than SMALL_CELL answers; the distribution (how many answered 1, 2, 3, 4
    and 5) is None unless each of its counts is 0 or at least SMALL_CELL."""

    average: float | None
    count: int
    distribution: tuple[int, int, int, int, int] | None


@dataclass(frozen=True, slots=True)
class Cell:
    """One group of the breakdown by region; `label_code` None means "not given".

    `average_overall` is None when fewer than SMALL_CELL people in the group rated
    "overall", or when it would reveal a hidden group's answers through the total.
    """

    label_code: str | None
    responses: int
    average_overall: float | None
    attendees: int = 0


@dataclass(frozen=True, slots=True)
class WorkshopReport:
    """What a coordinator needs to judge a workshop, without anyone's name."""

    workshop: WorkshopRecord
    attendees: int
    responses: int
    response_rate: float | None
    criteria: dict[str, CriterionStats]
    comments: tuple[str, ...]
    by_region: list[Cell]
    withheld: bool = False  # the survey is open: no averages, distributions nor comments


def _completed(workshop_id: int) -> list[Any]:
    return [WorkshopRating.workshop_id == workshop_id, WorkshopRating.completed_at.is_not(None)]


async def _criteria(session: AsyncSession, workshop_id: int) -> dict[str, CriterionStats]:
    """All five distributions in one query: COUNT(CASE WHEN col = k THEN 1 END) per value."""
    columns = [
        func.count(case((getattr(WorkshopRating, name) == value, 1)))
        for name in CRITERIA
        for value in SCALE
    ]
    row = (await session.execute(select(*columns).where(*_completed(workshop_id)))).one()
    stats: dict[str, CriterionStats] = {}
    for index, name in enumerate(CRITERIA):
        counts = tuple(int(n) for n in row[index * len(SCALE) : (index + 1) * len(SCALE)])
        distribution: tuple[int, int, int, int, int] = (
            counts[0],
            counts[1],
            counts[2],
            counts[3],
            counts[4],
        )
        total = sum(distribution)
        # Averaged from the counts, so SQLite and PostgreSQL give the very same float.
        points = sum(v * n for v, n in zip(SCALE, distribution, strict=True))
        average = points / total if total >= SMALL_CELL else None
        shown = distribution if safe_counts(distribution) else None
        stats[name] = CriterionStats(average, total, shown)
    return stats


async def _comments(session: AsyncSession, workshop_id: int) -> tuple[str, ...]:
    """The comments in alphabetical order (accents aside), not in the order people began
    rating, which a coordinator watching the room could match to faces."""
    rows = await session.scalars(
        select(WorkshopRating.comment).where(
            *_completed(workshop_id), WorkshopRating.comment.is_not(None)
        )
    )
    return tuple(sorted((text for text in (c.strip() for c in rows if c) if text), key=normalize))


def _cells(
    attendance: dict[Any, int],
    ratings: dict[Any, tuple[int, int, int]],
    order: Iterable[Any],
    hidden: frozenset[Any],
) -> list[Cell]:
    """Merge attendance and ratings per group; `ratings` is (responses, n_overall, sum)."""
    cells = []
    for key in order:
        responses, rated, total = ratings.get(key, (0, 0, 0))
        average = None if key in hidden or too_small(rated) or not rated else total / rated
        cells.append(Cell(key, responses, average, attendance.get(key, 0)))
    return cells


async def _raters(session: AsyncSession, workshop_id: int) -> dict[tuple[Any, Any], int]:
    """Raters of the overall rating per (region name, sex): the regions hidden are decided
    from these, as when the report also had a table by sex, so that it shows no region's
    average it hid then."""
    rows = await session.execute(
        select(Region.name, WorkshopRating.sex, func.count(WorkshopRating.overall))
        .select_from(WorkshopRating)
        .outerjoin(Region, Region.code == WorkshopRating.region_code)
        .where(*_completed(workshop_id))
        .group_by(Region.name, WorkshopRating.sex)
    )
    people: dict[tuple[Any, Any], int] = {}
    for region, sex, n in rows:
        key = (region, sex if sex in SEXES else None)
        people[key] = people.get(key, 0) + int(n)
    return people


def regions_hidden(
    people: Mapping[tuple[Hashable, Hashable], float],
    sums: Mapping[Any, tuple[float, float]],
) -> frozenset[Any]:
    """The regions whose part of a workshop no report shows: `people` counts its raters per
    (region, sex); `sums`, per region, the (sum, number) of their ratings. Too few, or
    enough others that none can be subtracted (`hidden_margins`); then one more
    where the hidden ones' ratings (the workshop's less the regions shown) add up to 5 (or 1)
    times their number: each would be known. /taller by region shows the rest, and each
    region's report (indicator 3) shows its part of every workshop only where this does."""
    return bounded_hidden(sums, hidden_margins(people).rows, SCALE[0], SCALE[-1])


def _rating_columns() -> list[Any]:
    return [
        func.count(WorkshopRating.id),
        func.count(WorkshopRating.overall),
        func.coalesce(func.sum(WorkshopRating.overall), 0),
    ]


async def _by_region(
    session: AsyncSession, workshop_id: int, people: Mapping[tuple[Any, Any], int]
) -> list[Cell]:
    """By the participants' own region (not the workshop's) as it was when they took part
    (kept on the check-in and rating: a later move in /perfil would carry a rating from one
    row to another, tests/test_taller_region_move.py), in the official list order."""
    order: dict[str | None, int | None] = {}
    attendance: dict[str | None, int] = {}
    for name, sort_order, n in await session.execute(
        select(
            Region.name,
            Region.sort_order,
            func.count(func.distinct(WorkshopAttendance.person_id)),
        )
        .select_from(WorkshopAttendance)
        .outerjoin(Region, Region.code == WorkshopAttendance.region_code)
        .where(WorkshopAttendance.workshop_id == workshop_id)
        .group_by(Region.name, Region.sort_order)
    ):
        order[name], attendance[name] = sort_order, int(n)
    ratings: dict[str | None, tuple[int, int, int]] = {}
    for name, sort_order, n, rated, total in await session.execute(
        select(Region.name, Region.sort_order, *_rating_columns())
        .select_from(WorkshopRating)
        .outerjoin(Region, Region.code == WorkshopRating.region_code)
        .where(*_completed(workshop_id))
        .group_by(Region.name, Region.sort_order)
    ):
        order[name], ratings[name] = sort_order, (int(n), int(rated), int(total))
    keys = sorted(order, key=lambda k: (k is None, order[k] or 0, k or ""))
    sums = {key: (float(total), float(rated)) for key, (_n, rated, total) in ratings.items()}
    return _cells(attendance, ratings, keys, regions_hidden(people, sums))


async def build_report(session: AsyncSession, workshop_id: int) -> WorkshopReport | None:
    """The whole report, or None for an unknown workshop."""
    workshop = await repo.get(session, workshop_id)
    if workshop is None:
        return None
    attendees = int(
        await session.scalar(
            select(func.count(func.distinct(WorkshopAttendance.person_id))).where(
                WorkshopAttendance.workshop_id == workshop_id
            )
        )
        or 0
    )
    responses = int(
        await session.scalar(
            select(func.count(func.distinct(WorkshopRating.person_id))).where(
                *_completed(workshop_id)
            )
        )
        or 0
    )
    return WorkshopReport(
        workshop=workshop,
        attendees=attendees,
        responses=responses,
        response_rate=responses / attendees if attendees else None,
        criteria=await _criteria(session, workshop_id),
        # Shown without a name, so only among enough others: as a study visit's texts.
        comments=await _comments(session, workshop_id) if responses >= SMALL_CELL else (),
        by_region=await _by_region(session, workshop_id, await _raters(session, workshop_id)),
    )


def while_open(report: WorkshopReport, now: datetime) -> WorkshopReport:
    """What a coordinator may read at `now`: the whole report once the survey has closed;
    before, who attended and how many answered (by region too), nothing of what they answered,
    which two looks would give away (see the module's docstring)."""
    if now >= report.workshop.survey_closes_at:
        return report
    return replace(
        report,
        criteria={
            name: CriterionStats(None, stats.count, None) for name, stats in report.criteria.items()
        },
        comments=(),
        by_region=[replace(cell, average_overall=None) for cell in report.by_region],
        withheld=True,
    )
