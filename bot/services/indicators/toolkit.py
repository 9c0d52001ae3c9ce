"""Indicator 6: how far the Mining Tool Kit reaches, and how well it answers."""

from __future__ import annotations

from dataclasses import replace
from statistics import median

from sqlalchemy import select

from bot.i18n import N_
from bot.services.indicators.common import (
    SMALL_CELL,
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
from bot.services.indicators.toolkit_cells import GROUPS, answered_by_end, toolkit_cells
from storage.models import Escalation

HEADLINES = (0, 1, 2, 4, 5, 6)  # of the measures: all but people asking and specialists'


async def dissemination(q: Query) -> Indicator:
    """Indicator 6. Within the period: article views (every time an article was shown) and
    unique readers (people who accepted the notice; anonymous views count as views only);
    free-text questions and unique people asking; share of questions answered with confidence;
    share of «¿Le fue útil?» answers that said yes; questions escalated to specialists, how many
    were answered by the period's end (a year's, by the end of the quarter it was sent in, so
    that the year is its quarters' sum, tests/test_year_beside_quarters) and the median time to
    answer them (hours): an answer given after the end would move an ended period, and two
    readings of it, subtracted, would tell whose question was answered by region and sex
    (tests/test_escalation_after_end). By
    the region and sex the person had then (the rows' own, `toolkit_cells`);
    shares and medians resting on fewer than 3 people show «—», and so does the share found
    useful of a period in progress (`_useful_share`)."""
    _ = q._
    cells = await toolkit_cells(q)
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
    # Readers are some of the people registered: beside them, the sexes shown may pin some,
    # and so may a quarter's beside its year (`reader_bounds`).
    more = {"readers": await readers_hidden(q, cells, hidden_sexes(q, cells, *GROUPS))}
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
                "sent to the specialists, how many they answered by the period's end (a year's "
                "question: by the end of the quarter it was sent in, as that quarter's report "
                "counts it) and the median time to answer in hours. By the region and sex the "
                "person had when "
                "reading, asking, answering or writing (a later change in her profile moves "
                "nothing). Shares, medians and how "
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
                groups=GROUPS,
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
    if q.in_progress:
        return replace(measure, of=lambda _values: None)
    return measure


def _median(times: list[tuple[int, float]]) -> float | None:
    """The median of (person, hours) answer times; "—" when fewer than 3 people asked."""
    people = {person for person, _hours in times}
    return median(hours for _person, hours in times) if len(people) >= SMALL_CELL else None


async def _answer_times(q: Query) -> dict[str | None, list[tuple[int, float]]]:
    """Hours from escalation to the specialists' answer given by its quarter's end, per region
    of the person asking when she asked (the escalation's)."""
    statement = select(
        Escalation.region_code,
        Escalation.person_id,
        Escalation.created_at,
        Escalation.answered_at,
    ).where(
        Escalation.created_at >= q.start,
        Escalation.created_at < q.end,
        answered_by_end(q),  # an ended period moves no more; a year is its quarters' sum
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
