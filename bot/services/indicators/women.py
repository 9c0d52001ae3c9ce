"""Indicator 7: the share of women among the people Minka serves, group by group.

Each group is counted in the database, each person once, per (region, sex) cell (the meeting
and workshop groups come from the indicators that count them); the share of women is then
women / everyone in the group, whatever sex they gave (or none).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from bot.i18n import N_
from bot.services.bounded_cells import pinned_cells
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
    sex_code,
    share,
    total_headline,
)
from bot.services.indicators.meetings import invitation_cells
from bot.services.indicators.participation import MeetingSexes, national_sexes
from bot.services.indicators.registered_at import registered_of, registered_rows
from bot.services.indicators.sex_rule import FEMALE, group_hides
from bot.services.indicators.training_parts import parts_hides
from bot.services.indicators.training_reads import surveys_pending, workshop_people
from bot.services.indicators.training_year import KEYS, year_running
from bot.services.profile import SEXES
from bot.services.small_cells import Hidden

TITLE = N_("Participation of women")
DEFINITION = N_(
    "Share of women (people who registered their sex as woman) among everyone in each group, "
    "including those who preferred not to say or did not answer; each person is counted once "
    "per group. Registered people: registration completed by the end of the period's last "
    "month, or of the last whole month while the period runs (the figures /registrados "
    "shows), including people who later erased their data (their region and sex are kept); "
    "their counts by sex are also hidden where they changed by 1 or 2 since an earlier "
    "month's end. Workshop "
    "attendees and people who rated a workshop (completed survey, counted once its survey has "
    "closed): workshops that start in the "
    "period. People invited to meetings and people who attended them: meetings that start in "
    "the period and were not cancelled. Periods use Lima dates, first and last day included. "
    "A share is not shown (—) when the group has fewer than 3 people, and neither are the "
    "counts by sex and the share where 1 or 2 people of one sex would be told, nor those of "
    "enough other regions that the totals cannot tell them. People are grouped by their own "
    "region; workshop attendees and raters, and people invited, by the one they had when they "
    "took part or were invited. In a year still in progress, workshop attendees and people "
    "who rated a workshop are not shown (—) until the year ends."
)
PENDING = N_(
    "While a survey of the period's workshops is still open after the period's end, workshop "
    "attendees and people who rated a workshop are not shown (—)."
)
# Two readings of a running period on two dates would tell the people between them by sex
# (`sex_rule.group_hides`); registered people are read at a month's end.
RUNNING = N_(
    "While the period is in progress, every group's counts by sex and share of women but "
    "registered people's are not shown (—): they are published once it ends."
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
    # At the month's end /registrados reads, with what it hides (`registered_at`).
    cells = add({}, registered_rows(await registered_of(q), q.region), "registered")
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
    q: Query,
    cells: Cells,
    hides: dict[str, tuple[Hidden, frozenset[str | None]]],
    blank: frozenset[str] = frozenset(),
) -> Table:
    """A row per group: people of each sex, everyone, and the share of women (a "—" of
    fewer than 3 people hides nothing where the counts beside it are shown); the counts by
    sex that `hides` hides, and the share with the women's; every figure of the groups
    `blank` (a year in progress's workshop people)."""
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
        rows.append((q._(label), *shown, None if key in blank else everyone, women_share))
    columns = (
        Column(q._(N_("Group")), Kind.TEXT),
        *(Column(q.sex_name(sex)) for sex in sexes),
        Column(q._(TOTAL)),
        Column(q._(N_("Share of women")), Kind.SHARE),
    )
    return Table(q._(N_("Women in each group")), columns, tuple(rows), harmless=frozenset(harmless))


def _beside_meetings(
    cells: Cells, hides: dict[str, tuple[Hidden, frozenset[str | None]]], meetings: MeetingSexes
) -> dict[str, tuple[Hidden, frozenset[str | None]]]:
    """The national hides of the meeting groups beside indicator 1's table by sex, which
    counts them too: the sexes it hides by its bounds go here as well; those whose row it
    hides whole, while the regions it shows and the sexes shown here pin a cell of region
    and sex at 0 or at all of its people (`pinned_cells`: men 5 and «Prefiero no decir» 5
    invited, blank in indicator 1, beside women 3, «Sin dato» 3 and Puno 1, Tacna 6 of 12,
    Cusco 6 of 7 and Piura 3 of 4: the 11 who are not men fill every place, Cusco's one
    woman among them), the fewest people first."""
    found = {}
    # Each region's invitees are shown however few (a group's size); its attendees may not be.
    for key, whole, regions in (
        ("invitees", "registered", frozenset()),
        ("meeting_attendees", "invitees", meetings.regions),
    ):
        region_hidden, hidden = hides[key]
        chosen = set(hidden | meetings.columns[key])
        counts: dict[tuple[Any, Any], tuple[float, float, float]] = {}
        for (region, sex), values in cells.items():
            done, of, _n = counts.get((region, sex_code(sex)), (0, 0, 0))
            done, of = done + values[key], of + max(values[whole], values[key])
            counts[(region, sex_code(sex))] = (done, of, of)
        people: Counter[Any] = Counter()
        for (_region, sex), (n, _of, _p) in counts.items():
            people[sex] += n
        while pinned_cells(counts, Hidden(regions, frozenset(chosen))):
            left = [(people[sex], str(sex), sex) for sex in meetings.rows - chosen]
            if not left:
                break
            chosen.add(min(left)[2])
        total = region_hidden.total or FEMALE in chosen  # the share tells the women
        found[key] = (replace(region_hidden, total=total), frozenset(chosen))
    return found


async def women(q: Query) -> Indicator:
    """Share of women (people who registered their sex as woman) among everyone in each
    group, including those who preferred not to say or did not answer; each person is counted
    once per group. Registered people: registration completed by the end of the period's
    last month, or of the last whole month while the period runs (the figures /registrados
    shows), including people who later erased their data (their region and sex are kept);
    their counts by sex are also hidden where they changed by 1 or 2 since an earlier
    month's end. Workshop
    attendees and people who rated a workshop (completed survey, counted once its survey has
    closed): workshops that start in
    the period. People invited to meetings and people who attended them: meetings that start
    in the period and were not cancelled. Periods use Lima dates, first and last day
    included. A share is not shown (—) when the group has fewer than 3 people, and neither are
    the counts by sex and the share where 1 or 2 people of one sex would be told, nor those of
    enough other regions that the totals cannot tell them. People are grouped by their own
    region; workshop attendees and raters, and people invited, by the one they had when they
    took part or were invited. In a year still in progress, workshop attendees and people
    who rated a workshop are not shown (—) until the year ends.
    """
    # Every region's: what a region's report hides depends on the others (`hidden_groups`).
    cells = await _cells(replace(q, region=None))
    shares = tuple(share(q._(label), f"{key}_women", key) for key, label in GROUPS.items())
    more = await parts_hides(q, cells) if q.region is None else {}
    hides = {key: group_hides(q, cells, key, more.get(key, frozenset())) for key in GROUPS}
    if q.region is None:
        hides |= _beside_meetings(cells, hides, await national_sexes(q))
    # People counted once over a year in progress, or a period whose surveys are still open
    # after its end: «—» (`training_year`, `training_reads.surveys_pending`).
    running = frozenset(KEYS) if year_running(q) or await surveys_pending(q) else frozenset()
    everywhere = Hidden(frozenset(r for r, _s in cells), total=True)
    hides |= {key: (everywhere, frozenset([*SEXES, None])) for key in running}
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
    groups = _groups_table(q, cells, hides, running)
    tables = (groups, regions)
    charts = (
        Chart(q._(N_("Share of women in each group")), 0, (len(groups.columns) - 1,), True),
        Chart(q._(N_("Share of women by region")), 1, (1, 2), True),
    )
    definition = " ".join(q._(text) for text in (DEFINITION, PENDING, RUNNING))
    return Indicator(7, q._(TITLE), definition, headlines, tables, charts)
