"""The sexes indicator 1's national table by sex hides beside the people registered, and
indicator 7's meeting invitees with it.

Each cell of region and sex holds between 0 and its registered people invited (the reader
knows those: /registrados, indicator 7), and a region whose invitees by sex are each 0 or
at least 3 shows them in its own report (indicator 7's row of invitees: a cell known
exactly, `pinned_cells`' limits). The national tables by region and by sex, beside those,
could pin a cell of 1 or 2 people at 0 or at all of them (random union dataset 43: Piura 1
invited of its 5, women 4 invited of 7, only 3 of them outside Piura: Piura's one man was
not invited; 33: women 7 invited of 8, Cusco's one woman not invited in Cusco's report, so
Puno's one woman was). `pinned_cells` finds such a cell; the sexes hidden here go until
none is pinned.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from bot.services.bounded_cells import pinned_cells
from bot.services.indicators.common import Cells, Query, sex_code
from bot.services.indicators.registered_at import registered_cells
from bot.services.profile import SEXES
from bot.services.small_cells import Hidden, hidden_rows

Cell = tuple[Hashable, Hashable]


async def registered(q: Query) -> dict[Cell, int]:
    """Every region's people registered per (region, sex), at the month's end the report
    reads (`registered_at.registered_cells`: what the reader knows, not a live count)."""
    return dict(await registered_cells(q))


def known_regions(invited: Mapping[Cell, int]) -> set[Hashable]:
    """The regions whose invitees by sex their own report shows (`sex_rule.group_hides`)."""
    sexes: list[str | None] = [*SEXES, None]
    rows: dict[Hashable, list[int]] = {}
    for (region, sex), n in invited.items():
        rows.setdefault(region, [0] * len(sexes))[sexes.index(sex)] += n
    rows = {region: counts for region, counts in rows.items() if any(counts)}
    return set(rows) - hidden_rows(rows)


def bounded_sexes(
    cells: Cells, people: Mapping[Cell, int], hidden: frozenset[Any], cheap: frozenset[Any]
) -> frozenset[Any]:
    """The sexes to hide besides `hidden` (whose invitees neither table shows) so that no
    cell of region and sex of 1 or 2 registered people is pinned: `cells`, every region's
    invitees (`invitation_cells`); `people`, the registered (`registered`). Each region's
    invitees are shown, however few. A sex that settles it first, those of `cheap` first
    (rows indicator 1 hides anyway), then the fewest invitees; else the pinned cell's."""
    invited: dict[Cell, int] = {}
    for (region, sex), values in cells.items():
        key = (region, sex_code(sex))
        invited[key] = invited.get(key, 0) + int(values.get("invited", 0))
    known = known_regions(invited)
    counts = {
        key: (invited.get(key, 0), max(people.get(key, 0), invited.get(key, 0)))
        for key in {*invited, *people}
    }
    bounds = {key: (n, whole, whole) for key, (n, whole) in counts.items()}
    fixed = {key: (n, n) for key, (n, _whole, _people) in bounds.items() if key[0] in known}
    per_sex: dict[Any, int] = {}
    for (_region, sex), (n, _whole) in counts.items():
        per_sex[sex] = per_sex.get(sex, 0) + n
    chosen = set(hidden)

    def pinned(sexes: set[Any]) -> set[Any]:
        found = pinned_cells(bounds, Hidden(frozenset(), frozenset(sexes)), limits=fixed)
        return {column for (_row, (_side, column)) in found}

    while cut := pinned(chosen):
        left = sorted(
            (sex not in cheap, n, str(sex), sex) for sex, n in per_sex.items() if sex not in chosen
        )
        if not left:
            break
        settles = [sex for *_order, sex in left if not pinned(chosen | {sex})]
        beside = [sex for *_order, sex in left if sex in cut]
        chosen.add((settles or beside or [left[0][-1]])[0])
    return frozenset(chosen - hidden)
