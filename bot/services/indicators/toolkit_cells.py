"""Indicator 6's cells: per region and sex, what its people did with the Tool Kit in the period
(views and readers, questions and people asking, «¿Le fue útil?» answers and who gave them,
escalations and who sent them). Every region's, whatever the report's scope: a region's
report hides what every region's cells decide (`sex_rule.group_hides`), and a quarter's
national report reads its year's (`reader_bounds`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from sqlalchemy import case, func, select

from bot.services.indicators.closing import closing
from bot.services.indicators.common import Cells, Query, scoped
from storage.models import ArticleFeedback, ArticleView, Escalation, Question

GROUPS = ("readers", "askers", "judges", "escalators")  # the people the table by sex splits


async def toolkit_cells(q: Query) -> Cells:
    """Every region's cells of `q`'s period (see the module)."""
    everywhere = replace(q, region=None)
    cells: Cells = {}
    for model, at, people, counts, *where in (
        (ArticleView, ArticleView.at, "readers", {"views": func.count()}),
        (
            Question,
            Question.at,
            "askers",
            {"questions": func.count(), "answered": _yes(Question.confident.is_(True))},
        ),
        (
            ArticleFeedback,
            ArticleFeedback.at,
            "judges",
            {"feedback": func.count(), "useful": _yes(ArticleFeedback.useful.is_(True))},
        ),
        (
            Escalation,
            Escalation.created_at,
            "escalators",
            {"escalated": func.count(), "experts_answered": _yes(answered_by_end(q))},
            Escalation.article_id.is_(None),  # error reports on articles are not questions
        ),
    ):
        await _add(everywhere, cells, model, at, people, counts, *where)
    return cells


def answered_by_end(q: Query) -> Any:
    """A question to the specialists answered by the end of its quarter of the period (as
    that quarter's report counts it, `closing`): an answer after it moves no ended period,
    and a year counts what its quarters do (tests/test_escalation_after_end,
    tests/test_year_beside_quarters)."""
    return Escalation.answered_at < closing(q, Escalation.created_at)


def _yes(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


async def _add(
    q: Query,
    cells: Cells,
    model: Any,
    at: Any,
    people: str,
    counts: dict[str, Any],
    *where: Any,
) -> None:
    """Count `model`'s rows dated within the period per person and the region and sex she had
    then (the row's own, `take_snapshot`: a later change of her profile moves nothing), then
    add the sums per (region, sex), with the number of distinct people under `people` (once
    per region and sex she had). Grouping per person before summing reads each row once: the
    fast way through a million views."""
    group = (model.person_id, model.region_code, model.sex)
    per_person = (
        select(*group, *(value.label(key) for key, value in counts.items()))
        .where(at >= q.start, at < q.end, *where)
        .group_by(*group)
        .subquery()
    )
    cell = (per_person.c.region_code, per_person.c.sex)
    statement = select(
        *cell,
        func.count(per_person.c.person_id),
        *(func.sum(per_person.c[key]) for key in counts),
    ).group_by(*cell)
    rows = (await q.session.execute(scoped(q, statement, per_person.c.region_code))).all()
    for region, sex, distinct, *sums in rows:
        values = cells.setdefault((region, sex), Counter())
        values[people] += distinct
        for key, value in zip(counts, sums, strict=True):
            values[key] += int(value or 0)  # PostgreSQL sums integers as Decimal
