"""Indicator 6: how far the Mining Tool Kit reaches, and how well it answers."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from statistics import median
from typing import Any

from sqlalchemy import case, func, select

from bot.i18n import N_
from bot.services.indicators.common import (
    SMALL_CELL,
    Cells,
    Chart,
    Column,
    Headline,
    Indicator,
    Kind,
    Measure,
    Query,
    Table,
    by_region,
    count,
    scoped,
    share,
    total_headline,
)
from bot.services.indicators.reader_bounds import readers_hidden
from bot.services.indicators.sex_rule import by_sex, hidden_sexes
from storage.models import ArticleFeedback, ArticleView, Escalation, Question
from storage.types import utcnow


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


def _yes(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


HEADLINES = (0, 1, 2, 4, 5, 6)  # of the measures: all but people asking and specialists'


async def dissemination(q: Query) -> Indicator:
    """Indicator 6. Within the period: article views (every time an article was shown) and
    unique readers (people who accepted the notice; anonymous views count as views only);
    free-text questions and unique people asking; share of questions answered with confidence;
    share of «¿Le fue útil?» answers that said yes; questions escalated to specialists, how many
    were answered and the median time to answer (hours). By the region and sex the person
    had then (the rows' own, `_add`);
    shares and medians resting on fewer than 3 people show «—», and so does the share found
    useful of a period in progress (`_useful_share`)."""
    _ = q._
    everywhere = replace(q, region=None)  # every region's: see `hidden_groups`
    cells: Cells = {}
    await _add(everywhere, cells, ArticleView, ArticleView.at, "readers", {"views": func.count()})
    await _add(
        everywhere,
        cells,
        Question,
        Question.at,
        "askers",
        {"questions": func.count(), "answered": _yes(Question.confident.is_(True))},
    )
    await _add(
        everywhere,
        cells,
        ArticleFeedback,
        ArticleFeedback.at,
        "judges",
        {"feedback": func.count(), "useful": _yes(ArticleFeedback.useful.is_(True))},
    )
    await _add(
        everywhere,
        cells,
        Escalation,
        Escalation.created_at,
        "escalators",
        {"escalated": func.count(), "experts_answered": func.count(Escalation.answered_at)},
        Escalation.article_id.is_(None),  # error reports on articles are not questions
    )
    # How many times people did something is, for 1 or 2 people, what each of them did: it
    # rests on them as a share does.
    measures = (
        count(_(N_("Article views")), "views", "readers", part=False),
        count(_(N_("Unique readers")), "readers"),
        count(_(N_("Questions")), "questions", "askers", part=False),
        count(_(N_("People asking")), "askers"),
        share(_(N_("Share answered")), "answered", "questions", "askers"),
        _useful_share(q),
        count(_(N_("Escalated")), "escalated", "escalators", part=False),
        count(_(N_("Answered by specialists")), "experts_answered", "escalators", part=False),
    )
    times = await _answer_times(q)
    groups = ("readers", "askers", "judges", "escalators")
    # Readers are some of the people registered: beside them, the sexes shown may pin some.
    more = {"readers": await readers_hidden(q, cells, hidden_sexes(q, cells, *groups))}
    regions = by_region(q, _(N_("Tool Kit use by region")), cells, measures)
    all_hours = [time for values in times.values() for time in values]
    return Indicator(
        number=6,
        title=_(N_("Dissemination of the Mining Tool Kit")),
        definition=_(
            N_(
                "Within the period: article views (each time an article was shown) and unique "
                "readers; questions written to Minka and unique people asking; share answered with "
                "a confident article; share of «Was it useful?» answers that said yes; questions "
                "sent to the specialists, how many they answered and the median time to answer in "
                "hours. By the region and sex the person had when reading, asking, answering or "
                "writing (a later change in her profile moves nothing). Shares, medians and how "
                "many views, questions or escalations resting on fewer than 3 people show «—». A "
                "sex's figures are not shown (—) where its readers, people asking, people who "
                "answered «Was it useful?» or people who sent questions to the specialists would "
                "tell the sex of 1 or 2 people, and neither are those of enough other sexes and "
                "regions that the totals cannot tell them (the rule of indicator 7). The share "
                "found useful of a period still in progress is not shown (—) until the period "
                "ends: each answer would move it."
            )
        ),
        headlines=(
            *(
                total_headline(regions, i + 1, measures[i].label, measures[i].kind)
                for i in (0, 1, 2, 4, 5, 6)
            ),
            Headline(
                _(N_("Median answer time (hours)")),
                _median(all_hours),
                Kind.NUMBER,
                harmless=not all_hours,
            ),
        ),
        tables=(
            regions,
            by_sex(
                q,
                _(N_("Tool Kit use by sex")),
                cells,
                measures,
                groups=groups,
                more=more,
            ),
            _answer_table(q, times),
        ),
        charts=(Chart(_(N_("Unique readers and people asking, by region")), 0, (2, 4)),),
    )


def _useful_share(q: Query) -> Measure:
    """The share of «¿Le fue útil?» answers that said yes, shown once the period has ended at
    the report's `now`. Its answers have no close to wait for (a workshop's survey has): in
    progress, two reads one answer apart would tell that answer by the share's move
    (tests/test_useful_read_twice.py). An answer counts in the period it was given, so an
    ended period's share no longer moves."""
    measure = share(q._(N_("Share found useful")), "useful", "feedback", "judges")
    if (q.now or utcnow()) < q.end:
        return replace(measure, of=lambda _values: None)
    return measure


def _median(times: list[tuple[int, float]]) -> float | None:
    """The median of (person, hours) answer times; "—" when fewer than 3 people asked."""
    people = {person for person, _hours in times}
    return median(hours for _person, hours in times) if len(people) >= SMALL_CELL else None


async def _answer_times(q: Query) -> dict[str | None, list[tuple[int, float]]]:
    """Hours from escalation to the specialists' answer, per region of the person asking
    when she asked (the escalation's)."""
    statement = select(
        Escalation.region_code,
        Escalation.person_id,
        Escalation.created_at,
        Escalation.answered_at,
    ).where(
        Escalation.created_at >= q.start,
        Escalation.created_at < q.end,
        Escalation.answered_at.is_not(None),
        Escalation.article_id.is_(None),
    )
    times: dict[str | None, list[tuple[int, float]]] = {}
    for region, person, asked, answered in (
        await q.session.execute(scoped(q, statement, Escalation.region_code))
    ).all():
        times.setdefault(region, []).append((person, (answered - asked).total_seconds() / 3600))
    return times


def _answer_table(q: Query, times: dict[str | None, list[tuple[int, float]]]) -> Table:
    _ = q._
    order = [code for code in q.regions if code in times]
    order += [code for code in times if code not in q.regions]
    rows = [(q.region_name(code), len(times[code]), _median(times[code])) for code in order]
    everything = [time for values in times.values() for time in values]
    rows.append((_(N_("Total")), len(everything), _median(everything)))
    columns = (
        Column(_(N_("Region")), Kind.TEXT),
        Column(_(N_("Answered by specialists"))),
        Column(_(N_("Median answer time (hours)")), Kind.NUMBER),
    )
    return Table(_(N_("Specialists' answer time by region")), columns, tuple(rows), total_row=True)
