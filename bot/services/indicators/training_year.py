"""Year first: what a quarter's national tables of workshop attendees and raters by sex
(indicator 3's, 7's rows) hide besides, so that the quarters printed before their year and
the year printed after them give no one away together (tests/test_report_bounds, seed 11).

Why the quarter decides, not the year. A quarter's report is printed from its end on, long
before its year's ends, and asked again later must print the same: its hiding may rest on
nothing after its end. But all up to its end is known then: the quarters before it as they
were printed, and the year so far (its first day to the quarter's end). So quarter k
decides its hiding from the whole year's data known at its end: it reads the year so far
beside quarters 1..k together (`period_bounds.quarter_hides`: integer programs) and hides
more of its own sexes until no cell of region and sex of 1 or 2 people is pinned that
neither its own period's figures nor what is told openly pin. The quarters printed earlier
and the year printed later are so consistent: quarter k hides what the year will need as
far as the year is known; Q4's reading is the whole year's, and the year shows only what
its quarters show (`joint`).

Seed 11 (the year's workshops all in Q1 and Q2): the year's Cusco attendees 7, all of its 7
registered, so its one woman attended in Q1 or Q2; Q1's Cusco attendees and raters 5 and 5
(public, by region), so every Cusco attendee of Q1 rated; Q2's hidden sexes, women and «Sin
dato», attendees 22 - 8 - 8 = 6 and raters 18 - 6 - 6 = 6 (the total less the sexes shown),
so every one of them who attended Q2 rated: she rated, a cell of 1. The year's figures by
sex play no part (all hidden, she is pinned all the same), its count by region does, and Q2
sees it at its end (7 of 7 already): it hides one sex more.

Why no hidden cell is then a sum or difference of printed ones across the four quarters and
the year. The reading's unknowns are, per period and cell, attendees and raters, each
between 0 and the people registered at the period's end, raters at most attendees; the
year at least each quarter's and at most their sum, and those counted as raters in several
quarters at most those counted so as attendees. Its figures: each period's counts by region
and in total (public), its national counts of the sexes shown (the year: those every
quarter and its own rule show), its regions' own rows by sex. A sum or difference of
printed figures equal to a hidden cell would hold it at one value in every solution, so the
reading would find it pinned; it finds none once Q4 has hidden what it needs, unless its
own sexes cannot settle it (all hidden already: a region's own row, or the counts by region,
tell it), which tests/test_training_year.py (random tables, an independent reader of people
rather than cells, each period's own rule leaving no one pinned by itself) has not met.
The premise: the year's people counted once are printed once, from its end. The year so
far read on other dates is a period of its own: at the ends of Q2 and Q3, beside the year,
it pins people the year alone does not (seed 2 of that test's tables, whose Q3 had hidden
every sex already). So a year in progress shows them «—» (`year_running`: 3's attendees,
raters and response rates, 7's workshop rows and shares; tests/test_year_in_progress.py),
as indicator 6's share found useful does; each workshop's own row, the responses and the
averages are sums over the quarters, shown. Not read: each workshop's own counts by region
(/taller) beside the year (the quarter's own rules read them); a quarter in progress read on
two dates (its own read twice, as for every indicator); a year's figures moving after its
end (a survey closing in January).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.services import report_limit
from bot.services.indicators.common import Cells, Query, sex_code
from bot.services.indicators.period_bounds import Hides, Key, Scheme, Told
from bot.services.indicators.periods import Period
from bot.services.indicators.registered_at import registered_cells, snapshot_for
from bot.services.indicators.sex_rule import group_hides
from bot.services.indicators.training_reads import rating_cells, workshop_people
from bot.services.profile import SEXES

KEYS = ("attendees", "raters")
WORKSHOPS = Scheme(KEYS, (("raters", "attendees"),))
RULE = "bot.services.indicators.period_bounds:quarter_hides"
EVERY_SEX: frozenset[Any] = frozenset({*SEXES, None})
# A quarter's national sexes hidden as printed, given its query and cells (`parts_hides`).
Printed = Callable[[Query, Cells], Awaitable[Hides]]
# The last readings' answers: every scope's report of a quarter (and its year's) reads the same
# (indicators 3 and 6 each read a quarter and, for their own hiding, the quarters before it).
_READ: dict[str, Hides] = {}
KEPT_READINGS = 8


@dataclass(frozen=True, slots=True)
class YearReading:
    """What `year_first` reads of one indicator: its groups of people and their chain
    (`scheme`, the first the root), a period's cells (every region's, counting the groups)
    and an earlier quarter's national sexes hidden as printed."""

    scheme: Scheme
    cells: Callable[[Query], Awaitable[Cells]]
    printed: Printed


async def workshop_cells(q: Query) -> Cells:
    """Indicator 3's people of the period per (region, sex), with their ratings."""
    return await rating_cells(q, await workshop_people(q))


def year_running(q: Query) -> bool:
    """Whether `q`'s period is a year (several quarters) not ended at the report's `now`: its
    workshop people counted once show «—» until it ends (indicators 3 and 7; see the
    module: the year so far read on two dates is a period of its own)."""
    return len(q.period.quarters()) > 1 and q.in_progress


async def year_first(q: Query, cells: Cells, hidden: Hides, what: YearReading) -> Hides:
    """Per key, the sexes quarter `q`'s national table hides besides `hidden` (its own
    rules') beside the quarters before it in its year and the year so far (see the module).
    `cells`: every region's, counting the groups; `what`: the indicator read (3's workshop
    people, `training_parts`; 6's readers, `reader_bounds`)."""
    keys = what.scheme.groups
    if q.region is not None or len(q.period.quarters()) != 1:
        return {}
    start = Period.year(q.period.first.year).first
    earlier = [p for p in Period(start, q.period.last).quarters() if p != q.period]
    if not earlier or not any(v.get(keys[0]) for v in cells.values()):
        return {}
    periods: list[Told] = []
    every: list[Hides] = []
    for quarter in earlier:
        part = await _at(q, quarter)
        mine = await what.cells(part)
        every.append(await what.printed(part, mine))
        periods.append(await _told(part, mine, every[-1], keys))
    every.append(hidden)
    periods.append(await _told(q, cells, hidden, keys))
    year = await _so_far(q, periods, every, what)
    reading = repr((year, periods))
    if reading not in _READ:
        found, short = await report_limit.run(RULE, year, periods, what.scheme)
        if short:  # past the report's limit: every sex it shows, for this report only
            return {key: periods[-1].sexes.get(key, frozenset()) for key in keys}
        while len(_READ) >= KEPT_READINGS:
            _READ.pop(next(iter(_READ)))
        _READ[reading] = found
    return _READ[reading]


async def _so_far(q: Query, quarters: list[Told], hidden: list[Hides], what: YearReading) -> Told:
    """The year so far at the end of `q`'s quarter, the last of `quarters` (each of the
    year's up to it), as the year's report prints it: what every quarter shows and its own
    rule shows (`joint`)."""
    so_far = await _at(q, Period(Period.year(q.period.first.year).first, q.period.last))
    whole = await what.cells(so_far)
    year = await _told(so_far, whole, {}, what.scheme.groups, hidden)
    for told in quarters:  # a region's row by sex the year shows where every quarter does
        gone = {k for k, n in told.counts.items() if n and k not in told.known}
        year = replace(year, known=year.known - gone)
    return year


async def _at(q: Query, period: Period) -> Query:
    return replace(q, period=period, registered=await snapshot_for(q.session, period, q.t, q.now))


async def _told(
    q: Query, cells: Cells, hidden: Hides, keys: Sequence[str], quarters: Sequence[Hides] = ()
) -> Told:
    """What period `q`'s national table by sex and its regions' own rows tell of its
    people of `keys` (attendees and raters; readers) (`period_bounds.Told`). `quarters`: for
    the year so far, its quarters' hidden sexes, which it hides too (`joint`). A region's
    own row counts as shown unless `keys`' own rule hides it (the safe side where its table
    hides it for other groups too: indicator 6's)."""
    counts: dict[Key, int] = {}
    for (region, sex), values in cells.items():
        for key in keys:
            cell = (region, sex_code(sex), key)
            counts[cell] = counts.get(cell, 0) + int(values.get(key, 0))
    sexes: dict[str, frozenset[Any]] = {}
    known: set[Key] = set()
    for key in keys:
        rows, own = group_hides(q, cells, key, hidden.get(key, frozenset()))
        besides = frozenset().union(*(h.get(key, frozenset()) for h in quarters))
        sexes[key] = EVERY_SEX - own - besides
        counted = {region for (region, _sex), v in cells.items() if v.get(key)}
        known |= {(r, s, key) for r in counted - rows.rows for s in EVERY_SEX}
    people = dict(await registered_cells(q))
    return Told(counts, people, sexes, frozenset(known))
