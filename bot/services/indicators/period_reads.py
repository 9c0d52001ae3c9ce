"""What a year's report and its quarters' tell of indicator 1's people (invited, confirmed,
delegated, attended), for `period_bounds`: read here from the database and the tables the
rules that decide each period's reports print (indicator 1's national table by sex and each
region's, indicator 7's groups by sex), then checked in a worker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from bot.services import report_limit
from bot.services.indicators.common import Cells, Measure, Query, Table, sex_code
from bot.services.indicators.meeting_rule import MeetingHides
from bot.services.indicators.meetings import invitation_cells
from bot.services.indicators.period_bounds import GROUPS, Hides, Key, Told
from bot.services.indicators.registered_at import registered_of, snapshot_for
from bot.services.indicators.sex_rule import by_sex, group_hides
from bot.services.profile import SEXES

RULE = "bot.services.indicators.period_bounds:year_hides"
SEVEN = ("invited", "attended")  # the groups indicator 7 counts by sex too
Sight = tuple[dict[str, frozenset[Any]], frozenset[Key]]  # (`shown_sexes`, `known_cells`)


def shown_sexes(
    q: Query, cells: Cells, table: Table, unseen: Mapping[str, frozenset[Any]]
) -> dict[str, frozenset[Any]]:
    """Per group, the sexes whose national count the national table by sex (`table`) or
    indicator 7 shows: 7 shows a group (invited, attended) of a row 1 hides whole, unless its
    own rule hides it or `unseen` (`meeting_sexes.in_seven`) does."""
    sexes = {q.sex_name(sex): sex for sex in [*SEXES, None]}
    rows = [(sexes[row[0]], row) for row in table.rows if row[0] in sexes]
    blank = {sex for sex, row in rows if all(v is None for v in row[1:])}
    shown = {}
    for column, group in enumerate(GROUPS, start=1):
        seen = {sex for sex, row in rows if row[column] is not None}
        if group in SEVEN:
            seen |= blank - group_hides(q, cells, group)[1] - unseen.get(group, frozenset())
        shown[group] = frozenset(seen)
    return shown


def known_cells(
    q: Query, cells: Cells, hides: MeetingHides, measures: tuple[Measure, ...]
) -> frozenset[Key]:
    """The (region, sex, group) each region's own report shows: its table by sex (as
    `participation` builds it) and indicator 7's row of the region."""
    names = {q.sex_name(sex): sex for sex in [*SEXES, None]}
    seven = {group: group_hides(q, cells, group)[0].rows for group in SEVEN}
    known: set[Key] = set()
    for code in {region for region, _sex in cells}:
        mine = replace(q, region=code)
        given = {"invited": hides.region(code, [*SEXES, None])[0]}
        table = by_sex(mine, "", cells, measures, groups=SEVEN, hides=given, everyone=cells)
        for row in table.rows:
            if row[0] in names:
                sex = names[str(row[0])]
                known |= {(code, sex, g) for c, g in enumerate(GROUPS, 1) if row[c] is not None}
        for group, hidden in seven.items():
            if code not in hidden:
                known |= {(code, sex, group) for sex in [*SEXES, None]}
    return frozenset(known)


async def _told(q: Query, national: Cells, sight: Sight) -> Told:
    """What the national report of `q`'s period and its regions' own tell of its people
    (`period_bounds.Told`), before `joint`."""
    counts: dict[Key, int] = {}
    for (region, sex), values in national.items():
        for group in GROUPS:
            key = (region, sex_code(sex), group)
            counts[key] = counts.get(key, 0) + int(values.get(group, 0))
    snapshot = await registered_of(q)
    people = {
        (code, sex_code(sex)): n for code, by_sex in snapshot.splits.items()
        for sex, n in by_sex.items()
    }  # fmt: skip
    return Told(counts, people, *sight)


_QUARTERS: dict[str, Hides] = {}


async def beside_quarters(
    q: Query, national: Cells, sight: Sight, sight_of: Callable[[Query], Awaitable[Sight]]
) -> Hides:
    """Per group, the sexes a year's national tables (showing `sight` now) hide besides so
    that its quarters' reports beside it pin no one (`period_bounds`), in a worker process.
    The year shows only what every quarter shows (`joint`), so its figures are read so here
    too. `sight_of`: what a quarter's reports show (`participation`)."""
    year = await _told(q, national, sight)
    quarters = []
    for quarter in q.period.quarters():
        snapshot = await snapshot_for(q.session, quarter, q.t, q.now)
        part = replace(q, period=quarter, registered=snapshot)
        if cells := await invitation_cells(part):
            quarters.append(await _told(part, cells, await sight_of(part)))
    sexes, known = dict(year.sexes), set(year.known)
    for told in quarters:  # what `joint` hides of the year: what a quarter hides of someone
        for group in GROUPS:
            hidden = {s for (_r, s, g), n in told.counts.items() if n and g == group}
            sexes[group] = sexes.get(group, frozenset()) - (hidden - told.sexes.get(group, set()))
        known -= {k for k, n in told.counts.items() if n and k not in told.known}
    year = Told(year.counts, year.people, sexes, frozenset(known))
    key = repr((year, quarters))
    if key not in _QUARTERS:
        while len(_QUARTERS) >= 2:
            _QUARTERS.pop(next(iter(_QUARTERS)))
        found, short = await report_limit.run(RULE, year, quarters)
        if short:  # past the report's limit: every count by sex, for this report only
            return {group: frozenset(year.sexes.get(group, ())) for group in GROUPS}
        _QUARTERS[key] = found
    return _QUARTERS[key]
