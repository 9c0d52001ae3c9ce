"""What indicator 3 reads from the database: the period's workshops, their attendance and
completed ratings of the surveys closed when the report is read, grouped by person first
(each person counts once) and then by the (region, sex) cell she took part as: the region and
sex kept on her check-in and rating (`storage.models.workshops.take_snapshot`), not her
profile now, which a move in /perfil would change after the fact (someone who took part as
two cells in one period counts once in each); and every rating with its rater, for the
small-cell rule (`training_rule`). Sums and counts only: averages are
computed in `training` from integer sums, so SQLite and PostgreSQL agree to the last digit.
Apart from `training`, which builds the tables; `women` (indicator 7) counts the same
attendees and raters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, literal_column, select, union_all

from bot.services.indicators.common import Cells, Query, scoped, sex_code
from bot.services.indicators.meetings import add_many
from bot.services.indicators.training_rule import Rating
from bot.services.workshop_report import SCALE
from storage.models import Workshop, WorkshopAttendance, WorkshopRating
from storage.repositories.workshops import CRITERIA


def in_period(q: Query) -> tuple[Any, ...]:
    """Workshops that start in the period."""
    return (Workshop.starts_at >= q.start, Workshop.starts_at < q.end)


def completed() -> Any:
    return WorkshopRating.completed_at.is_not(None)


def rating_columns() -> list[Any]:
    """Responses, (count, sum) per criterion and the overall distribution, labelled."""
    rating = WorkshopRating
    columns: list[Any] = [func.count(rating.id).label("responses")]
    for name in CRITERIA:
        value = getattr(rating, name)
        columns += [func.count(value).label(f"n_{name}"), func.sum(value).label(f"sum_{name}")]
    columns += [
        func.count(case((rating.overall == value, 1))).label(f"score_{value}") for value in SCALE
    ]
    return columns


async def surveys_pending(q: Query) -> bool:
    """Whether the period has ended at the report's `now` while a survey of its workshops is
    still open: that workshop's raters enter the period's figures when it closes, so the
    period read now and again then would differ by them, by region and by sex (Puno's one
    woman rated: tests/test_survey_after_end). Until then its figures of workshop people by
    sex show «—» (indicators 3 and 7)."""
    if q.in_progress:
        return False
    statement = select(Workshop.id).where(*in_period(q), Workshop.survey_closes_at > q.now)
    return await q.session.scalar(statement.limit(1)) is not None


def period_ratings(q: Query, *columns: Any) -> Any:
    """Completed ratings of the period's workshops whose survey has closed at the report's
    `now`: a workshop's ratings enter its figures all at once, never one response at a time
    (two reads, subtracted, would give the newcomer's rating: tests/test_quarter_after_its_end)."""
    return (
        select(*columns)
        .select_from(WorkshopRating)
        .join(Workshop, Workshop.id == WorkshopRating.workshop_id)
        .where(*in_period(q), completed(), Workshop.survey_closes_at <= q.now)
    )


def period_attendance(q: Query, *columns: Any) -> Any:
    return (
        select(*columns)
        .select_from(WorkshopAttendance)
        .join(Workshop, Workshop.id == WorkshopAttendance.workshop_id)
        .where(*in_period(q))
    )


async def workshop_people(q: Query) -> Cells:
    """Per (region, sex): people who attended a workshop of the period ("attendees"), who
    completed a survey for one ("raters"), and who did both ("responders"). Rows are grouped
    by person first, so each person counts once, then joined to people in id order."""
    one, zero = literal_column("1"), literal_column("0")
    rows = union_all(
        period_attendance(
            q,
            WorkshopAttendance.person_id.label("person_id"),
            WorkshopAttendance.region_code.label("region_code"),
            WorkshopAttendance.sex.label("sex"),
            one.label("attended"),
            zero.label("rated"),
        ),
        period_ratings(
            q, WorkshopRating.person_id, WorkshopRating.region_code, WorkshopRating.sex, zero, one
        ),
    ).subquery()
    person = (
        select(
            rows.c.region_code,
            rows.c.sex,
            func.max(rows.c.attended).label("attended"),
            func.max(rows.c.rated).label("rated"),
        )
        .group_by(rows.c.person_id, rows.c.region_code, rows.c.sex)
        .subquery()
    )
    statement = select(
        person.c.region_code,
        person.c.sex,
        func.sum(person.c.attended),
        func.sum(person.c.rated),
        func.sum(person.c.attended * person.c.rated),
    ).group_by(person.c.region_code, person.c.sex)
    result = await q.session.execute(scoped(q, statement, person.c.region_code))
    return add_many({}, result, ("attendees", "raters", "responders"))


async def rating_cells(q: Query, cells: Cells) -> Cells:
    """Sums and counts of the completed ratings, per rater's (region, sex)."""
    columns = rating_columns()
    person = (
        period_ratings(
            q,
            WorkshopRating.region_code.label("region_code"),
            WorkshopRating.sex.label("sex"),
            *columns,
        )
        .group_by(WorkshopRating.person_id, WorkshopRating.region_code, WorkshopRating.sex)
        .subquery()
    )
    # A completed rating may leave a criterion empty: its averages rest on those who answered.
    answered = [
        func.sum(case((person.c[f"n_{name}"] > 0, 1), else_=0)).label(f"people_{name}")
        for name in CRITERIA
    ]
    statement = select(
        person.c.region_code,
        person.c.sex,
        *(func.sum(person.c[c.name]) for c in columns),
        *answered,
    ).group_by(person.c.region_code, person.c.sex)
    result = await q.session.execute(scoped(q, statement, person.c.region_code))
    return add_many(cells, result, [*(c.name for c in columns), *(a.name for a in answered)])


async def every_rating(q: Query) -> tuple[list[Rating], dict[str, list[Rating]]]:
    """Every completed rating of the period with its rater's region and sex, and whether the
    rater is in the report's scope: raters from elsewhere count for the workshops' public
    averages. Also, per criterion, the ratings that answered it (the database allows a
    completed rating with a criterion left empty: its averages rest on the others)."""
    statement = period_ratings(
        q,
        WorkshopRating.person_id,
        WorkshopRating.region_code,
        WorkshopRating.sex,
        WorkshopRating.workshop_id,
        *(getattr(WorkshopRating, name).is_not(None) for name in CRITERIA),
    )
    ratings: list[Rating] = []
    answered: dict[str, list[Rating]] = {name: [] for name in CRITERIA}
    for person, region, sex, workshop, *given in await q.session.execute(statement):
        # The rater as the cells count her: once per (region, sex) she took part as.
        rater = (person, region, sex)
        rating = (rater, region, sex_code(sex), workshop, q.region is None or region == q.region)
        ratings.append(rating)
        for name, answer in zip(CRITERIA, given, strict=True):
            if answer:
                answered[name].append(rating)
    return ratings, answered
