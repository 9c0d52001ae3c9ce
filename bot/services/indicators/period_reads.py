"""What a year's report and its quarters' tell of the people invited, for `period_bounds`:
read here from the database and the rules that decide each period's reports (indicator 1's
national table by sex, indicator 7, the regions' own rows), then checked in a worker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from bot.services import report_limit
from bot.services.indicators.common import Cells, Query, sex_code
from bot.services.indicators.invitee_bounds import known_regions
from bot.services.indicators.meetings import invitation_cells
from bot.services.indicators.period_bounds import Told
from bot.services.indicators.registered_at import registered_of, snapshot_for
from bot.services.indicators.sex_rule import group_hides
from bot.services.profile import SEXES

RULE = "bot.services.indicators.period_bounds:year_sexes"


async def _told(q: Query, national: Cells, shown: frozenset[Any]) -> Told:
    """What the national report of `q`'s period (its invitees of the sexes `shown`) and its
    regions' own tell of the people invited (`period_bounds.Told`), before `joint`."""
    invited = {(region, sex_code(sex)): 0 for region, sex in national}
    for (region, sex), values in national.items():
        invited[(region, sex_code(sex))] += int(values.get("invited", 0))
    snapshot = await registered_of(q)
    people = {
        (code, sex_code(sex)): n for code, by_sex in snapshot.splits.items()
        for sex, n in by_sex.items()
    }  # fmt: skip
    known = frozenset(c for c in invited if c[0] in known_regions(invited))
    return Told(invited, people, shown, known)


_QUARTERS: dict[str, frozenset[Any]] = {}


async def beside_quarters(
    q: Query,
    national: Cells,
    shown: frozenset[Any],
    sexes_of: Callable[[Query], Awaitable[Any]],
) -> frozenset[Any]:
    """The sexes a year's national tables of invitees (those of `shown` now) hide besides so
    that its quarters' reports beside it pin no one (`period_bounds`), in a worker process.
    The year shows only what every quarter shows (`joint`), so its figures are read so here
    too. `sexes_of`: `participation.national_sexes`, what a quarter's tables hide."""
    year = await _told(q, national, shown)
    quarters = []
    for quarter in q.period.quarters():
        snapshot = await snapshot_for(q.session, quarter, q.t, q.now)
        part = replace(q, period=quarter, registered=snapshot)
        if cells := await invitation_cells(part):
            told = await sexes_of(part)
            hidden = told.columns["invitees"] | (told.rows & group_hides(part, cells, "invited")[1])
            quarters.append(await _told(part, cells, frozenset([*SEXES, None]) - hidden))
    sexes, known = set(year.sexes), set(year.known)
    for told in quarters:  # what `joint` hides of the year: what a quarter hides of someone
        sexes -= {s for (_r, s), n in told.counts.items() if n and s not in told.sexes}
        known -= {c for c, n in told.counts.items() if n and c not in told.known}
    year = Told(year.counts, year.people, frozenset(sexes), frozenset(known))
    key = repr((year, quarters))
    if key not in _QUARTERS:
        while len(_QUARTERS) >= 2:
            _QUARTERS.pop(next(iter(_QUARTERS)))
        found, short = await report_limit.run(RULE, year, quarters)
        if short:  # past the report's limit: every sex, for this report only
            return year.sexes
        _QUARTERS[key] = found
    return _QUARTERS[key]
