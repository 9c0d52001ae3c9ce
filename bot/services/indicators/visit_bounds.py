"""Indicator 9's leaders and officials beside the bounds of a count (issue #13): the table of
regional leaders and officials (and the headline, its leaders' row) adds up to the total of
the table by region, and splits each region by a third attribute besides region and sex.
Where a count's bounds (0 to the people it counts) would give someone away through it, its
accepted and travelled go (`Hides.split`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from bot.services.bounded_cells import pinned_cells
from bot.services.indicators.common import (
    Cells,
    Measure,
    Query,
    count,
    measure_hides,
    rollup,
    sex_code,
    total,
)
from bot.services.publications import PILOT_REGIONS
from bot.services.small_cells import Hidden, too_small


def bounds_hide_the_split(
    q: Query, measures: tuple[Measure, ...], cells: Cells, given: Mapping[str, Hidden]
) -> bool:
    """Whether the bounds of a count (0 to the people it counts) give someone away unless
    the leaders' and the officials' accepted and travelled go (and with them the headline's):
    where they hide its total in the table by region (`bounded_hides`: Puno 1 accepted of 10
    shown, the total hidden; the leaders' 1 of 3 and the officials' 0 of 10 add up to it, so
    Lima's leader did not accept), or where the regions shown pin a region's leaders or its
    officials at 0 or at all of them (`pinned_cells`: Pasco 1 accepted of 3, its two
    officials among the officials' 0: its leader accepted). The leaders' accepted, shown only
    there and by pilot region, are checked with the rest; their travellers, shown by region
    too, in `leaders_told`."""
    accepted = count("", "leader_accepted", "leader_invited")
    hidden = measure_hides(q, (*measures, accepted), cells, True, given)
    if any(
        groups.total and not hidden[key[0]].total
        for key, groups in hidden.items()
        if isinstance(key, tuple)
    ):
        return True
    return _roles_pinned(cells, hidden, "accepted")


def leaders_told(
    q: Query,
    measures: tuple[Measure, ...],
    cells: Cells,
    given: Mapping[str, Hidden],
    split: bool = False,
    exact: bool = True,
) -> bool:
    """Whether the leaders' total of travellers must go (and their figures in the regions'
    own reports, `visits._regional`), besides the split: where the regions shown pin a
    region's leaders or officials who travelled at either end (Cusco 1 of 4 travelled, the
    leaders' total 0 of 5: its one official travelled); or where a region hidden for its
    leaders, whose travellers all told are shown at 0 or at all of its people, tells its
    leaders' too. Puno shows 0 of 9
    travelled, its 2 leaders hidden; Lima's one leader is then the total's 1 leader who
    travelled. The regions hidden that are left must hold 0 or at least 3 leaders, and not
    be pinned at either end (`pinned_cells`). `split`: the officials' figures are hidden,
    so their total is worked out (the total less the leaders'), not told: at either end it
    gives each official away (the leaders' 0 of 3 beside the total's 5: the officials' 5 of
    5; Cusco's two of them, hidden, travelled)."""
    hidden = measure_hides(q, measures, cells, True, given)
    if _roles_pinned(cells, hidden, "travelled", not split, exact):
        return True
    if split and _officials_at_an_end(cells):
        return True
    everyone = hidden.get(("invited", "travelled", "invited")) or hidden["invited"]
    leaders = hidden.get(("leader_invited", "leader_travelled", "leader_invited"))
    leaders = leaders or hidden["leader_invited"]
    if leaders.total:
        return False
    regions = rollup(cells, lambda region, _sex: region)
    told = {
        region
        for region in leaders.rows - everyone.rows
        if region in regions and regions[region]["travelled"] in (0, regions[region]["invited"])
    }
    if not told:
        return False
    rows = leaders.rows - told
    if too_small(sum(regions[region]["leader_invited"] for region in rows if region in regions)):
        return True
    counts = {
        (region, None): (values["leader_travelled"], values["leader_invited"], n)
        for region, values in regions.items()
        for n in [values["leader_invited"]]
    }
    return bool(pinned_cells(counts, Hidden(rows)))


def _officials_at_an_end(cells: Cells) -> bool:
    """Whether the officials' travellers, worked out as the total's less the leaders' (the
    split hidden), are 0 or all of them while some region's officials of one sex are 1 or 2
    people: each official's answer is then told, theirs too, though their sex's figures are
    hidden (Puno 1 travelled of 14, the leaders' 1 of 4: the officials' 0 of 13, Puno's one
    man among them). The region by role table (`_roles_pinned`) has no sexes to see it."""
    everyone = total(cells)
    officials = everyone["invited"] - everyone["leader_invited"]
    travelled = everyone["travelled"] - everyone["leader_travelled"]
    if not officials or 0 < travelled < officials:
        return False
    groups: Counter[tuple[str | None, str | None]] = Counter()
    for (region, sex), values in cells.items():
        groups[(region, sex_code(sex))] += values["invited"] - values["leader_invited"]
    return any(too_small(n) for n in groups.values())


def officials_told(
    cells: Cells, invited: Hidden, leaders: Hidden, split: bool
) -> frozenset[str | None]:
    """The regions whose officials' accepted or travelled, worked out as the region's less
    its leaders' (shown by region and by pilot region, or worked out from their total: at 0
    or all of them, or one region hidden), are 0 or all of them while its officials of one
    sex are 1 or 2 people: each one's answer is told, though their sex's figures are hidden
    (Cusco 1 travelled of 8, its leaders' 1 of 3: its 5 officials, its one man among them,
    none). `_officials_at_an_end` reads the same on the national total."""
    groups: Counter[tuple[str | None, str | None]] = Counter()
    for (region, sex), values in cells.items():
        groups[(region, sex_code(sex))] += values["invited"] - values["leader_invited"]
    regions = rollup(cells, lambda region, _sex: region)
    everyone = total(cells)
    hidden = [r for r in leaders.rows if r in regions and regions[r]["leader_invited"]]
    told = set()
    for region, values in regions.items():
        if region in invited.rows:
            continue
        officials = values["invited"] - values["leader_invited"]
        keys = ("accepted", "travelled") if region in PILOT_REGIONS else ("travelled",)
        ends_of = (0, officials)
        for key in keys:
            theirs: float | None = values[f"leader_{key}"]
            if region in leaders.rows and (leaders.total and split):
                theirs = None
            elif region in leaders.rows and len(hidden) > 1:
                whole = everyone[f"leader_{key}"]
                ends = (0, everyone["leader_invited"])
                theirs = theirs if whole in ends else None
            small = any(too_small(n) for (r, _s), n in groups.items() if r == region)
            if officials and small and theirs is not None and values[key] - theirs in ends_of:
                told.add(region)
    return frozenset(told)


def _roles_pinned(
    cells: Cells,
    hidden: Mapping[object, Hidden],
    key: str,
    officials_shown: bool = True,
    exact: bool = True,
) -> bool:
    """Whether the regions shown for `key` (accepted, travelled) and the leaders' and the
    officials' totals (the latter worked out, unless `officials_shown`) pin a region's
    leaders or officials at 0 or at all of them, read with each region's leaders' figure
    where it shows (`_leaders_shown`: exact bounds of their cell). Without them a hidden
    region's leaders merged with a shown pilot's looked free: Piura's 1 leader who travelled
    (pilot regions) beside the total's 1 left Puno's one leader, and Cusco's two, at 0.
    `exact`: False reads without them (as before seeds 29 and 65 of tests/test_union_random)."""
    groups = hidden.get(("invited", key, "invited")) or hidden["invited"]
    shown = _leaders_shown(cells, hidden, key) if exact else {}
    limits = {(region, True): (n, n) for region, n in shown.items()}
    roles: dict[tuple[str | None, bool], tuple[float, float, float]] = {}
    for (region, _sex), values in cells.items():
        leaders = values["leader_invited"]
        for leader, done, of in (
            (True, values[f"leader_{key}"], leaders),
            (False, values[key] - values[f"leader_{key}"], values["invited"] - leaders),
        ):
            before = roles.get((region, leader), (0, 0, 0))
            roles[(region, leader)] = (before[0] + done, before[1] + of, before[2] + of)
    officials = frozenset() if officials_shown else frozenset({False})
    margins = Hidden(groups.rows, officials, total=groups.total)
    return bool(pinned_cells(roles, margins, limits=limits))


def _leaders_shown(cells: Cells, hidden: Mapping[object, Hidden], key: str) -> dict[Any, float]:
    """Each region's leaders who did `key` where a table shows them: the pilot regions'
    (accepted and travelled, unless the region's leaders are hidden) and, for travelled, the
    table by region's (unless hidden for its leaders, or by their bounds)."""
    leaders = hidden["leader_invited"]
    bounded = hidden.get(("leader_invited", f"leader_{key}", "leader_invited"), leaders)
    regions = rollup(cells, lambda region, _sex: region)
    return {
        region: values[f"leader_{key}"]
        for region, values in regions.items()
        if values["leader_invited"]
        and region not in leaders.rows
        and (region in PILOT_REGIONS or (key == "travelled" and region not in bounded.rows))
    }


def officials_left_tell(
    cells: Cells, invited: Hidden, leaders: Hidden, split_shown: frozenset[str | None]
) -> bool:
    """Whether the national officials' accepted or travelled, less those of the regions whose
    own report shows its leaders and officials (`split_shown`), tell each other region's
    officials' figure (one region left, or the rest at 0 or all of them), and with its total
    by region, its leaders' where they are 1 or 2 people (officials 11 accepted of 13,
    Cusco's report 3 of 5: the other 8 all accepted, Piura's 3 of its 4 accepted, so its one
    leader did not). Then the national split goes."""
    regions = rollup(cells, lambda region, _sex: region)
    rest = [region for region in regions if region not in split_shown]
    if invited.total or not rest:
        return False
    for key in ("accepted", "travelled"):
        officials = sum(regions[r]["invited"] - regions[r]["leader_invited"] for r in rest)
        done = sum(regions[r][key] - regions[r][f"leader_{key}"] for r in rest)
        if not (len(rest) == 1 or done in (0, officials)):
            continue
        for region in rest:
            small = too_small(regions[region]["leader_invited"])
            hidden = leaders.total or region in leaders.rows
            if small and hidden and region not in invited.rows:
                return True
    return False
