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
- each region's sexes in its own report: taken as shown wherever the national report shows
  the region and the small-cell rule of the region's own table by sex alone
  (`hidden_margins`, the first thing `training_rule.hidden_ratings` decides for a region's
  report) does not hide them. That report hides those and maybe more (its other rules, and
  what the national report hides, are decided after this one): fewer figures, which pin
  nothing more, so reading these is the safe side. (Taking every sex of 3 people or more
  as shown read a region's one «Prefiero no decir» as its part of a workshop less its women
  and men, which its report never shows beside them: 7 regions hidden for nothing on
  bench.seed_indicators' year of 1,000 people.)

While a rating of 1 or 2 people is pinned, the national report hides one more region or
sex, of those whose figure holds such a cell (fewest raters first); where none does, the
shown region or sex of fewest raters (a region hidden alone is the total less the others:
its own parts of the workshops, public in /taller, then told its one hidden part, so one
more is hidden), and where none is left, the total and every group, as for the workshops
pinned in `training_bounds.national`. A region so hidden hides its own report's averages too
(`training_bounds.regional`). Past `MOST_CELLS` cells, in parts (`exact_parts`): a
move found in a part is one of the whole, and what no part moves counts as pinned (so the
report hides more, never less, than reading it whole would). The reader's limits are counts
of work (`exact_cells.PROGRAMS`, `integer_moves.NODES`), so a busy machine hides what a quiet
one does; past its wall-clock safety net (`exact_cells.SECONDS`) all of them are hidden."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Mapping
from typing import Any

from bot.services import exact_parts
from bot.services.exact_cells import PROGRAMS, SECONDS, SHORT, Moved, each_given_away
from bot.services.indicators.common import Cells, Hidden, sex_code
from bot.services.integer_moves import OutOfTime
from bot.services.small_cells import SMALL_CELL, hidden_margins
from bot.services.workshop_report import SCALE

# Per workshop, (region, its name, sex code) -> measures (`training_bounds.region_parts`).
Fine = dict[int, dict[tuple[Any, Any, Any], Counter[str]]]
LOW, HIGH = min(SCALE), max(SCALE)
# The cells of region × sex × workshop, at most, that the exact reader reads as one system.
# Its own search alone gave up on hundreds of cells (605 on a year of 3,000 people of
# bench.seed_indicators: most lone raters of another region's workshop have no 2 × 2 swap)
# and hid every region and sex; with integer programs (`exact_cells.PUSHED`) python -m
# bench.exact_scale measured 0.7-2.4 s per report (5 criteria) at 40-400 cells, 3.5-4.1 s at
# 1,000, 17.5 s at 2,000 (2 cores shared with other work). Since its programs go around a
# cell before the whole (`exact_near`) and push once past 1,000 cells, the whole is read
# faster than parts (bench.exact_scale, one criterion: 4,000 cells 0.5-1.6 s whole against
# 7.6-8.0 s in parts of 1,000; 17,725, bench.seed_indicators' year of 100,000 people, 12 s
# whole, nothing hidden, against 162 s in parts and everything hidden). A larger report is
# read in parts of half as many (`exact_parts`): once skipped (`return hidden  # not
# read`), a report that large gave a rating away (tests/test_exact_scale, with this brought
# down to 40).
MOST_CELLS = 20_000
# Cells, for each (begun) of which the reader may solve `exact_cells.PROGRAMS` integer
# programs: bench.exact_scale's reports ran 4 to 22 per criterion at 400 to 2,000 cells read
# whole, 175 to 220 at 4,000 read in parts (most of them small parts proving a cell pinned).
PROGRAMS_CELLS = 500
log = logging.getLogger(__name__)


def exactly_hidden(
    fine: Fine,
    cells: Cells,
    name: str,
    hidden: Hidden,
    unrated: Collection[int],
    unseen: Mapping[int, Collection[Any]],
) -> Hidden:
    """`_exactly_hidden`, or, past the reader's safety net, every region and sex and the
    total: what a faster machine would hide is a part of it (not a partial answer, which a
    second download on a quiet moment could complete)."""
    try:
        return _exactly_hidden(fine, cells, name, hidden, unrated, unseen)
    except OutOfTime:
        log.warning(
            "Indicator 3, %s: the exact check passed its safety net (%.0f s) or the report's"
            " limit (REPORT_SECONDS); every region and sex is hidden",
            name,
            SECONDS,
        )
        _short(name)
        regions = {region for region, _sex in cells} | hidden.rows
        sexes = {sex_code(sex) for _region, sex in cells} | hidden.columns
        return Hidden(frozenset(regions), frozenset(sexes), total=True)


def _exactly_hidden(
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
    people: Counter[tuple[Any, Any]] = Counter()
    for (region, sex), values in cells.items():
        people[(region, sex_code(sex))] += values.get(f"people_{name}", 0)
    rows, columns = set(hidden.rows), set(hidden.columns)
    raters: Counter[tuple[int, Any]] = Counter()
    for (region, sex), n in people.items():
        raters[(0, region)] += n
        raters[(1, sex)] += n
    # `PROGRAMS` integer programs for each `PROGRAMS_CELLS` cells (past them, what is not yet
    # freed counts as pinned, and more is hidden); in parts, the safety net's time for each
    # `MOST_CELLS` as for a report read whole.
    moved = Moved(
        programs=PROGRAMS * max(1, -(-len(sums) // PROGRAMS_CELLS)),
        seconds=SECONDS * max(1, -(-len(sums) // MOST_CELLS)),
    )
    while True:
        figures = _figures(sums, people, rows, columns, unrated, unseen)
        pinned = False
        if len(sums) > MOST_CELLS:  # in parts: see `MOST_CELLS`
            reading = exact_parts.each_given_away(sums, figures, LOW, HIGH, MOST_CELLS // 2, moved)
        else:
            reading = each_given_away(sums, figures, LOW, HIGH, moved=moved)
        for found in reading:
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
                return _told(name, moved, Hidden(frozenset(rows), frozenset(columns)))
            shown = sorted(
                (n, str(group), side, group)
                for (side, group), n in raters.items()
                if n and group not in (rows, columns)[side]
            )
            if not shown:
                everyone = {key[0] for key in people}, {key[1] for key in people}
                hidden_all = Hidden(frozenset(everyone[0]), frozenset(everyone[1]), total=True)
                return _told(name, moved, hidden_all)
            _n, _label, side, group = shown[0]  # the total less the others told it
            (rows, columns)[side].add(group)


def _told(name: str, moved: Moved, hidden: Hidden) -> Hidden:
    """`hidden`, the unsettled integer programs logged: their cells counted as pinned (the
    safe side), a decision another HiGHS version might not make (`integer_moves`)."""
    if moved.unsettled:
        log.warning(
            "Indicator 3, %s: %d cells of the exact check counted as pinned with their integer"
            " programs unsettled (past their count or nodes): another HiGHS may hide otherwise",
            name,
            moved.unsettled,
        )
        _short(name)
    return hidden


def _short(name: str) -> None:
    """Criterion `name`'s reading stopped short: the report says why it shows «—»."""
    if (short := SHORT.get()) is not None:
        short.add(name)


def _figures(
    sums: Mapping[tuple[Any, Any, int], tuple[int, int]],
    people: Mapping[tuple[Any, Any], int],
    rows: Collection[Any],
    columns: Collection[Any],
    unrated: Collection[int],
    unseen: Mapping[int, Collection[Any]],
) -> list[list[tuple[Any, Any, int]]]:
    """The sums of cells a national coordinator reads (see the module's docstring)."""
    own = _own_sexes(people)
    groups: dict[tuple[Any, ...], list[tuple[Any, Any, int]]] = {}
    for key in sums:
        region, sex, workshop = key
        groups.setdefault(("total",), []).append(key)
        if region not in rows:
            groups.setdefault(("region", region), []).append(key)
            if (region, sex) in own:
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


def _own_sexes(people: Mapping[tuple[Any, Any], int]) -> set[tuple[Any, Any]]:
    """The (region, sex) whose average a region's own report may show: those the small-cell
    rule of its table by sex alone leaves (it may hide more, never less)."""
    regions: dict[Any, dict[tuple[Any, Any], int]] = {}
    for (region, sex), n in people.items():
        if n > 0:
            regions.setdefault(region, {})[(region, sex)] = n
    shown: set[tuple[Any, Any]] = set()
    for sexes in regions.values():
        hidden = hidden_margins(sexes)
        if not hidden.total:
            shown.update(key for key in sexes if key[1] not in hidden.columns)
    return shown
