"""Indicator 3's last check: the exact reader (`bot.services.exact_cells`) over everything a
national coordinator reads of one criterion, as sums of the cells of region × sex ×
workshop. The rules in `training_bounds` read one table, or two side by side; three one-way
tables read together as whole numbers may still pin a rating (W2 less the women plus
Cusco, 19, is twice Cusco's man of W2 plus two ratings: he rated 5). What the reader sees:

- the national total, each region and each sex the national report shows;
- each workshop's average where the national report shows it, or /taller does (3 raters
  or more);
- each region's part of a workshop that /taller by region shows (3 raters or more, not
  hidden there: `region_parts`), which is all a region's report shows of its parts;
- each region's sexes in its own report: taken as shown wherever they have 3 people or
  more and the national report shows the region (more than that report shows: the safe
  side, as the regional report's own rules are decided after this one).

While a rating of 1 or 2 people is pinned, the national report hides one more region or
sex, of those whose figure holds such a cell (fewest raters first); where none does (the
workshops' public figures pin it), the total and every group, as for the workshops pinned
in `training_bounds.national`. A region so hidden hides its own report's averages too
(`training_bounds.regional`). Only where the cells are few (`MOST_CELLS`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from typing import Any

from bot.services.exact_cells import Moved, each_given_away
from bot.services.indicators.common import Cells, Hidden, sex_code
from bot.services.small_cells import SMALL_CELL
from bot.services.workshop_report import SCALE

# Per workshop, (region, its name, sex code) -> measures (`training_bounds.region_parts`).
Fine = dict[int, dict[tuple[Any, Any, Any], Counter[str]]]
LOW, HIGH = min(SCALE), max(SCALE)
# The cells of region × sex × workshop, at most, for the exact reader to run. Its search
# proves a cell free with a swap of 4 cells, or pinned by trying the integer solutions near
# it; on a year of 3,000 people of bench.seed_indicators (605 cells, 312 of 1 or 2 raters)
# most lone raters of a workshop from another region have no such swap, the search gave up
# on them (`exact_cells.WORK`), and hiding them hid every region and sex, at 1.0-1.4 s per
# criterion; 1,000 people (200 cells) likewise. So the check runs on few cells only (a
# month, a small programme): above this it is not made, and what the three tables pin read
# together as integers stays open there.
MOST_CELLS = 40


def exactly_hidden(
    fine: Fine,
    cells: Cells,
    name: str,
    hidden: Hidden,
    unrated: Collection[int],
    unseen: Mapping[int, Collection[Any]],
) -> Hidden:
    """`hidden` (the national report's groups for criterion `name`) and more, until the
    exact reader pins no rating of 1 or 2 people. `unrated`: the workshops the national
    table hides; `unseen`: per workshop, the regions whose part /taller by region hides."""
    sums: dict[tuple[Any, Any, int], tuple[int, int]] = {}
    for workshop, groups in fine.items():
        for (region, _label, sex), values in groups.items():
            if values[f"n_{name}"]:
                sums[(region, sex, workshop)] = (values[f"sum_{name}"], values[f"n_{name}"])
                if len(sums) > MOST_CELLS:
                    return hidden  # not read: see `MOST_CELLS`
    people: Counter[tuple[Any, Any]] = Counter()
    for (region, sex), values in cells.items():
        people[(region, sex_code(sex))] += values.get(f"people_{name}", 0)
    rows, columns = set(hidden.rows), set(hidden.columns)
    raters: Counter[tuple[int, Any]] = Counter()
    for (region, sex), n in people.items():
        raters[(0, region)] += n
        raters[(1, sex)] += n
    moved = Moved()
    while True:
        figures = _figures(sums, people, rows, columns, unrated, unseen)
        pinned = False
        for found in each_given_away(sums, figures, LOW, HIGH, moved=moved):
            pinned = True
            options = sorted(
                (raters[(side, found[side])], str(found[side]), side)
                for side in (0, 1)
                if found[side] not in (rows, columns)[side]
            )
            if options:
                _n, _label, side = options[0]
                (rows, columns)[side].add(found[side])
                break
        else:
            if not pinned:
                return Hidden(frozenset(rows), frozenset(columns))
            everyone = {key[0] for key in people}, {key[1] for key in people}
            return Hidden(frozenset(everyone[0]), frozenset(everyone[1]), total=True)


def _figures(
    sums: Mapping[tuple[Any, Any, int], tuple[int, int]],
    people: Mapping[tuple[Any, Any], int],
    rows: Collection[Any],
    columns: Collection[Any],
    unrated: Collection[int],
    unseen: Mapping[int, Collection[Any]],
) -> list[list[tuple[Any, Any, int]]]:
    """The sums of cells a national coordinator reads (see the module's docstring)."""
    groups: dict[tuple[Any, ...], list[tuple[Any, Any, int]]] = {}
    for key in sums:
        region, sex, workshop = key
        groups.setdefault(("total",), []).append(key)
        if region not in rows:
            groups.setdefault(("region", region), []).append(key)
            if people.get((region, sex), 0) >= SMALL_CELL:
                groups.setdefault(("sex of region", region, sex), []).append(key)
        if sex not in columns:
            groups.setdefault(("sex", sex), []).append(key)
        groups.setdefault(("workshop", workshop), []).append(key)
        if region not in unseen.get(workshop, ()):
            groups.setdefault(("part", region, workshop), []).append(key)
    ratings: Counter[tuple[Any, ...]] = Counter()
    for group, keys in groups.items():
        ratings[group] = sum(sums[key][1] for key in keys)
    return [
        keys
        for group, keys in groups.items()
        if group[0] not in ("workshop", "part")
        or ratings[group] >= SMALL_CELL
        or (group[0] == "workshop" and group[1] not in unrated)
    ]
