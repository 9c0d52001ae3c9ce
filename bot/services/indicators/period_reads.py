"""What a year's report and its quarters' tell of indicator 1's people (invited, confirmed,
delegated, attended), for `period_bounds`: read here from the database and the tables the
rules that decide each period's reports print (indicator 1's national table by sex and each
region's, indicator 7's groups by sex), then checked in a worker.

Two readings. The year's (`beside_quarters`): it hides more of its own sexes beside its
quarters as printed. A quarter's (`quarter_first`, as `training_year` for indicator 3): the
year's hiding cannot settle a derivation that uses no figure of the year by sex
(tests/test_meeting_three_quarters, seed 4: Cusco's one delegate in Q2, Q3 and the year,
by region, beside Q2's and Q3's men who sent one, nationally, and Tacna's by region, is
a woman). A quarter is printed from its end on and must print the same later, so it reads
what is known then: the quarters before it as printed and the year so far (its first day to
the quarter's end) as its own rules and `joint` show it; and hides more of its own sexes
(`period_bounds.quarter_hides`), which the year then hides too (`joint`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from bot.services import report_limit
from bot.services.indicators.common import Cells, Measure, Query, Table, sex_code
from bot.services.indicators.meeting_rule import MeetingHides
from bot.services.indicators.meetings import invitation_cells
from bot.services.indicators.period_bounds import CHAIN, GROUPS, Hides, Key, Scheme, Told
from bot.services.indicators.periods import Period
from bot.services.indicators.registered_at import registered_of, snapshot_for
from bot.services.indicators.sex_rule import by_sex, group_hides
from bot.services.profile import SEXES

RULE = "bot.services.indicators.period_bounds:year_hides"
QUARTER_RULE = "bot.services.indicators.period_bounds:quarter_hides"
# A quarter's trials hide their sexes from the year too: it prints only what they all show.
QUARTERS = Scheme(GROUPS, CHAIN, whole_row=True, joint=True)
SEVEN = ("invited", "attended")  # the groups indicator 7 counts by sex too
Sight = tuple[dict[str, frozenset[Any]], frozenset[Key]]  # (`shown_sexes`, `known_cells`)
# What a period's reports show (`participation`); `alone`: by its own rules only, not beside
# its quarters (the year so far a quarter reads, whose own reading would read that quarter).
SightOf = Callable[[Query, bool], Awaitable[Sight]]


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


_QUARTERS: dict[str, Hides] = {}  # the last readings' answers (a year's, a quarter's)
KEPT_READINGS = 4


async def _at(q: Query, period: Period) -> Query:
    return replace(q, period=period, registered=await snapshot_for(q.session, period, q.t, q.now))


async def _quarters(q: Query, periods: list[Period], sight_of: SightOf) -> list[Told]:
    """What each of `periods` (quarters) with meetings tells, as its reports print it."""
    found = []
    for quarter in periods:
        part = await _at(q, quarter)
        if cells := await invitation_cells(part):
            found.append(await _told(part, cells, await sight_of(part, False)))
    return found


def _joint(year: Told, quarters: list[Told]) -> Told:
    """`year` showing only what every quarter shows (`joint`): what a quarter hides of
    someone."""
    sexes, known = dict(year.sexes), set(year.known)
    for told in quarters:
        for group in GROUPS:
            hidden = {s for (_r, s, g), n in told.counts.items() if n and g == group}
            sexes[group] = sexes.get(group, frozenset()) - (hidden - told.sexes.get(group, set()))
        known -= {k for k, n in told.counts.items() if n and k not in told.known}
    return Told(year.counts, year.people, sexes, frozenset(known))


async def _run(rule: str, year: Told, quarters: list[Told], *scheme: Scheme) -> Hides | None:
    """`rule`'s answer in a worker, kept (`KEPT_READINGS`); None past the report's limit."""
    key = repr((rule, year, quarters))
    if key not in _QUARTERS:
        found, short = await report_limit.run(rule, year, quarters, *scheme)
        if short:
            return None
        while len(_QUARTERS) >= KEPT_READINGS:
            _QUARTERS.pop(next(iter(_QUARTERS)))
        _QUARTERS[key] = found
    return _QUARTERS[key]


async def beside_quarters(q: Query, national: Cells, sight: Sight, sight_of: SightOf) -> Hides:
    """Per group, the sexes a year's national tables (showing `sight` now) hide besides so
    that its quarters' reports beside it pin no one (`period_bounds`), in a worker process.
    The year shows only what every quarter shows (`joint`), so its figures are read so here
    too. `sight_of`: what a quarter's reports show (`participation`)."""
    quarters = await _quarters(q, q.period.quarters(), sight_of)
    year = _joint(await _told(q, national, sight), quarters)
    found = await _run(RULE, year, quarters)
    if found is None:  # past the report's limit: every count by sex, for this report only
        return {group: frozenset(year.sexes.get(group, ())) for group in GROUPS}
    return found


async def quarter_first(q: Query, national: Cells, sight: Sight, sight_of: SightOf) -> Hides:
    """Per group, the sexes quarter `q`'s national tables (showing `sight` by their own
    rules) hide besides, so that beside the quarters before it in its year, as printed, and
    the year so far, no cell of 1 or 2 people is pinned (see the module); none for another
    period, or a quarter with no meetings before it in its year."""
    if len(q.period.quarters()) != 1 or not national:
        return {}
    start = Period.year(q.period.first.year).first
    earlier = [p for p in Period(start, q.period.last).quarters() if p != q.period]
    if not (quarters := await _quarters(q, earlier, sight_of)):
        return {}
    quarters.append(await _told(q, national, sight))
    so_far = await _at(q, Period(start, q.period.last))
    cells = await invitation_cells(so_far)
    year = _joint(await _told(so_far, cells, await sight_of(so_far, True)), quarters)
    found = await _run(QUARTER_RULE, year, quarters, QUARTERS)
    if found is None:  # past the report's limit: every count by sex it shows
        return {group: frozenset(quarters[-1].sexes.get(group, ())) for group in GROUPS}
    return found
