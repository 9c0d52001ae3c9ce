"""Indicator 7: the share of women among the people Minka serves, group by group.

Each group is counted in the database, each person once, per (region, sex) cell (the meeting
and workshop groups come from the indicators that count them); the share of women is then
women / everyone in the group, whatever sex they gave (or none).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from sqlalchemy import func, select

from bot.i18n import N_
from bot.services.indicators.common import (
    TOTAL,
    Cells,
    Chart,
    Column,
    Indicator,
    Kind,
    Query,
    Table,
    add,
    by_region,
    only,
    ratio,
    rollup,
    scoped,
    share,
    total_headline,
)
from bot.services.indicators.meetings import invitation_cells
from bot.services.indicators.sex_rule import FEMALE, group_hides
from bot.services.indicators.training_reads import workshop_people
from bot.services.profile import SEXES
from bot.services.small_cells import Hidden
from storage.models import Person

TITLE = N_("Participation of women")
DEFINITION = N_(
    "Share of women (people who registered their sex as woman) among everyone in each group, "
    "including those who preferred not to say or did not answer; each person is counted once "
    "per group. Registered people: registration completed before the end of the period, "
    "including people who later erased their data (their region and sex are kept). Workshop "
    "attendees and people who rated a workshop (completed survey): workshops that start in the "
    "period. People invited to meetings and people who attended them: meetings that start in "
    "the period and were not cancelled. Periods use Lima dates, first and last day included. "
    "A share is not shown (—) when the group has fewer than 3 people, and neither are the "
    "counts by sex and the share where 1 or 2 people of one sex would be told, nor those of "
    "enough other regions that the totals cannot tell them. People are grouped by their own "
    "region."
)
GROUPS: dict[str, str] = {
    "registered": N_("Registered people"),
    "attendees": N_("Workshop attendees"),
    "raters": N_("People who rated a workshop"),
    "invitees": N_("People invited to meetings"),
    "meeting_attendees": N_("People who attended meetings"),
}
HEADLINES: dict[str, str] = {
    "registered": N_("Women among registered people"),
    "attendees": N_("Women among workshop attendees"),
    "raters": N_("Women among people who rated a workshop"),
    "invitees": N_("Women among people invited to meetings"),
    "meeting_attendees": N_("Women among people who attended meetings"),
}


async def _cells(q: Query) -> Cells:
    """Every group's people per (region, sex), and the women among them under `key`_women."""
    registered = scoped(
        q,
        select(Person.region_code, Person.sex, func.count())
        .where(Person.registered_at.is_not(None), Person.registered_at < q.end)
        .group_by(Person.region_code, Person.sex),
        Person.region_code,
    )
    cells = add({}, await q.session.execute(registered), "registered")
    for key, values in (await workshop_people(q)).items():
        cells.setdefault(key, Counter()).update(
            attendees=values["attendees"], raters=values["raters"]
        )
    for key, values in (await invitation_cells(q)).items():
        cells.setdefault(key, Counter()).update(
            invitees=values["invited"], meeting_attendees=values["attended"]
        )
    for (_region, sex), values in cells.items():
        if sex == FEMALE:
            values.update({f"{key}_women": values[key] for key in GROUPS})
    return cells


def _groups_table(
    q: Query, cells: Cells, hides: dict[str, tuple[Hidden, frozenset[str | None]]]
) -> Table:
    """A row per group: people of each sex, everyone, and the share of women (a "—" of
    fewer than 3 people hides nothing where the counts beside it are shown); the counts by
    sex that `hides` hides, and the share with the women's."""
    sexes: list[str | None] = [*SEXES, None]
    per_sex = rollup(only(q, cells), lambda _region, sex: sex if sex in SEXES else None)
    rows = []
    harmless = set()
    for key, label in GROUPS.items():
        region_hidden, sexes_hidden = hides[key]
        counts = [int(per_sex.get(sex, Counter())[key]) for sex in sexes]
        everyone = sum(counts)
        women_share = None if region_hidden.total else ratio(counts[0], everyone)
        if not sexes_hidden:
            harmless.add((len(rows), len(sexes) + 2))
        shown = [None if sex in sexes_hidden else n for sex, n in zip(sexes, counts, strict=True)]
        rows.append((q._(label), *shown, everyone, women_share))
    columns = (
        Column(q._(N_("Group")), Kind.TEXT),
        *(Column(q.sex_name(sex)) for sex in sexes),
        Column(q._(TOTAL)),
        Column(q._(N_("Share of women")), Kind.SHARE),
    )
    return Table(q._(N_("Women in each group")), columns, tuple(rows), harmless=frozenset(harmless))


async def women(q: Query) -> Indicator:
    """Share of women (people who registered their sex as woman) among everyone in each
    group, including those who preferred not to say or did not answer; each person is counted
    once per group. Registered people: registration completed before the end of the period,
    including people who later erased their data (their region and sex are kept). Workshop
    attendees and people who rated a workshop (completed survey): workshops that start in
    the period. People invited to meetings and people who attended them: meetings that start
    in the period and were not cancelled. Periods use Lima dates, first and last day
    included. A share is not shown (—) when the group has fewer than 3 people, and neither are
    the counts by sex and the share where 1 or 2 people of one sex would be told, nor those of
    enough other regions that the totals cannot tell them. People are grouped by their own
    region.
    """
    # Every region's: what a region's report hides depends on the others (`hidden_groups`).
    cells = await _cells(replace(q, region=None))
    shares = tuple(share(q._(label), f"{key}_women", key) for key, label in GROUPS.items())
    hides = {key: group_hides(q, cells, key) for key in GROUPS}
    regions = by_region(
        q,
        q._(N_("Share of women by region")),
        cells,
        shares,
        sexes=False,
        hides={key: region_hidden for key, (region_hidden, _sexes) in hides.items()},
    )
    headlines = tuple(
        total_headline(regions, i, q._(HEADLINES[key]), Kind.SHARE)
        for i, key in enumerate(GROUPS, start=1)
    )
    groups = _groups_table(q, cells, hides)
    tables = (groups, regions)
    charts = (
        Chart(q._(N_("Share of women in each group")), 0, (len(groups.columns) - 1,), True),
        Chart(q._(N_("Share of women by region")), 1, (1, 2), True),
    )
    return Indicator(7, q._(TITLE), q._(DEFINITION), headlines, tables, charts)
