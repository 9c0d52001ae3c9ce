"""Indicator 3's averages beside their bounds. The small-cell rule (`training_rule`) stops
subtraction, but a rating lies between 1 and 5: where the hidden groups' ratings, the total
less the groups shown, add up to 5 (or 1) times their number, each of them is known. The
national 28 over 6 people, less Puno's 13 over 3, left 15 for the three people hidden in
Cusco, Piura and Junín: each rated 5. So, per criterion (`bounded_hidden`):

- the national report hides one more region, or sex, where the hidden ones are so pinned;
  a region it hides (so, or for subtraction) hides its total in its own report too (that
  total is its row);
- the workshops of fewer than 3 raters (whose /taller report shows no average; every other
  workshop's is public there) so pinned hide the national total, and every region's own;
- a region's parts of the workshops are cells of one table (region × workshop) that two
  reports show: /taller by region, and the region's own report per workshop. The region's
  report shows a part only where /taller does (`regions_hidden`, for each criterion): W1's
  /taller hid Piura's 11 over 3 because its 26 over 6 less that left 15 for the three
  others, and Piura's report showed it;
- a region's parts of the workshops that no report shows (of 1 or 2 of its raters, or
  hidden in /taller) so pinned hide its total, nationally and its own;
- a region's report hides one more of its sexes, or of its parts of the workshops.

- the national table by sex hides more sexes while the regions and sexes shown pin a
  cell of region and sex of 1 or 2 raters (`bot.services.bounded_cells`, as for counts);
- the national tables by region and by sex hide more regions (sexes) while they pin a
  part of a workshop of 1 or 2 raters beside the workshops' public averages (the same
  check on the table region × workshop, and sex × workshop): Cusco 10 over 3 beside W3's
  8 over 5 told its rater of W1's 5 and the 1s of W3's three others.

- last, the exact reader (`training_exact`) reads every figure of the national report,
  /taller and the regions' reports together as integers, and the national report hides
  more while it pins a rating of 1 or 2 people: one-way margins of three attributes
  (W2 less the women plus Cusco, 19, is twice Cusco's man of W2 and two ratings: he rated
  5). Integer programs past a few tens of cells; past `training_exact.MOST_CELLS`, read
  in parts (`bot.services.exact_parts`), which hide more, never less.

What stays: the sum of every region's own sexes against the national ones where the
national report hides a sex that each region's report shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.services.bounded_cells import pinned_cells
from bot.services.indicators.common import Cells, Hidden, Query, only, rollup, scoped, sex_code
from bot.services.indicators.sex_rule import hidden_sexes
from bot.services.indicators.training_exact import Fine, exactly_hidden
from bot.services.indicators.training_reads import period_ratings, rating_columns
from bot.services.small_cells import SMALL_CELL, bounded_hidden, hidden_pinned
from bot.services.workshop_report import SCALE, regions_hidden
from storage.models import Region, WorkshopRating
from storage.repositories.workshops import CRITERIA

LOW, HIGH = min(SCALE), max(SCALE)
Hides = tuple[dict[str, Hidden], dict[str, frozenset[int]]]
Workshops = Mapping[int, Counter[str]]


async def workshop_sums(q: Query) -> dict[int, Counter[str]]:
    """Each workshop's sums and counts per criterion, over its raters in the report's scope."""
    columns = rating_columns()
    statement = period_ratings(q, WorkshopRating.workshop_id, *columns).group_by(
        WorkshopRating.workshop_id
    )
    names = [column.name for column in columns]
    rows = await q.session.execute(scoped(q, statement, WorkshopRating.region_code))
    return {
        workshop: Counter({name: int(v or 0) for name, v in zip(names, values, strict=True)})
        for workshop, *values in rows
    }


Parts = dict[Any, dict[int, Counter[str]]]
Shown = dict[str, dict[int, frozenset[Any]]]


async def region_parts(q: Query) -> tuple[Parts, Parts, Shown, Fine]:
    """Per region, each workshop's sums and counts per criterion over its raters from there;
    the same per sex; per criterion, each workshop's regions whose part of it no report
    shows: those /taller by region hides (`regions_hidden`, by the overall rating; by each
    criterion's the same way, as its total is public there too); and per workshop, the sums
    and counts per (region, its name, sex), for the exact reader (`training_exact`)."""
    columns, rating = rating_columns(), WorkshopRating  # the rater's region and sex then
    statement = (
        period_ratings(q, rating.region_code, Region.name, rating.sex, rating.workshop_id, *columns)
        .outerjoin(Region, Region.code == rating.region_code)
        .group_by(rating.region_code, Region.name, rating.sex, rating.workshop_id)
    )
    names = [column.name for column in columns]
    parts: Parts = {}
    sexes: Parts = {}
    workshops: Fine = {}
    for region, label, sex, workshop, *values in await q.session.execute(statement):
        counts = Counter({name: int(v or 0) for name, v in zip(names, values, strict=True)})
        parts.setdefault(region, {}).setdefault(workshop, Counter()).update(counts)
        sexes.setdefault(sex_code(sex), {}).setdefault(workshop, Counter()).update(counts)
        workshops.setdefault(workshop, {})[(region, label, sex_code(sex))] = counts
    hidden: Shown = {name: {} for name in CRITERIA}
    for workshop, groups in workshops.items():
        for name in CRITERIA:
            people: Counter[tuple[Any, Any]] = Counter()
            sums: dict[Any, tuple[float, float]] = {}
            for (_region, label, sex), counts in groups.items():
                people[(label, sex)] += counts[f"n_{name}"]
                total, n = sums.get(label, (0, 0))
                sums[label] = (total + counts[f"sum_{name}"], n + counts[f"n_{name}"])
            # A region's part that is the whole workshop is public as its total.
            labels = regions_hidden(people, sums) if len(sums) > 1 else frozenset()
            hidden[name][workshop] = frozenset(r for r, label, _sex in groups if label in labels)
    return parts, sexes, hidden, workshops


def parts_pinned(parts: Workshops, name: str, unseen: frozenset[int] = frozenset()) -> bool:
    """Whether a region's parts of the workshops that no report shows (those of 1 or 2 of
    its raters, and `unseen`: those /taller by region hides, `region_parts`) are each known
    from the region's total less the others."""
    sums = _sums(parts, name)
    small = {w for w, (_sum, n) in sums.items() if n < SMALL_CELL}
    return hidden_pinned(sums, small | unseen, LOW, HIGH)


def _unseen(shown: Shown, name: str, region: Any) -> frozenset[int]:
    """The workshops whose part from `region` /taller by region hides (`region_parts`)."""
    return frozenset(w for w, regions in shown[name].items() if region in regions)


def _sums(groups: Mapping[Any, Mapping[str, float]], name: str) -> dict[Any, tuple[float, float]]:
    return {key: (v.get(f"sum_{name}", 0), v.get(f"n_{name}", 0)) for key, v in groups.items()}


def _by_sex(cells: Cells, name: str) -> dict[Any, tuple[float, float]]:
    return _sums(rollup(cells, lambda _region, sex: sex_code(sex)), name)


def _everything(cells: Cells) -> Hidden:
    regions, sexes = {c[0] for c in cells}, {sex_code(c[1]) for c in cells}
    return Hidden(frozenset(regions), frozenset(sexes), total=True)


def national(
    q: Query,
    cells: Cells,
    hides: Hides,
    workshops: Workshops,
    parts: Mapping[Any, Workshops],
    sexes: Mapping[Any, Workshops],
    shown: Shown,
    fine: Fine,
    more: Mapping[str, frozenset[Any]] | None = None,
) -> Hides:
    """The national report's hidden groups and workshops, with what the bounds add. `q`: the
    national query; `cells`: every region's; `workshops`: `workshop_sums` of every rater;
    `parts`, `sexes`, `shown` and `fine`: `region_parts`; `more`: as `by_sex`'s."""
    groups, unrated = dict(hides[0]), hides[1]
    blank = hidden_sexes(q, cells, "attendees", "raters", more=more)  # as `by_sex` blanks them
    regions = rollup(cells, lambda region, _sex: region)
    for name in CRITERIA:
        hidden = groups[f"people_{name}"]
        if hidden.total:
            continue
        sums = _sums(workshops, name)
        small = [w for w, (_sum, n) in sums.items() if n < SMALL_CELL]
        if hidden_pinned(sums, small, LOW, HIGH):
            groups[f"people_{name}"] = _everything(cells)
            continue
        pinned = {
            region
            for region, own in parts.items()
            if parts_pinned(own, name, _unseen(shown, name, region))
        }
        rows = _beside_workshops(
            parts, name, _sums(regions, name), hidden.rows | pinned, shown[name]
        )
        columns = _beside_workshops(sexes, name, _by_sex(cells, name), hidden.columns | blank)
        columns = _pinned_cells(cells, name, rows, columns)
        groups[f"people_{name}"] = exactly_hidden(
            fine, cells, name, Hidden(rows, columns), unrated[name], shown[name]
        )
    return groups, unrated


def _beside_workshops(
    parts: Mapping[Any, Workshops],
    name: str,
    sums: Mapping[Any, tuple[float, float]],
    hidden: frozenset[Any],
    unseen: Mapping[int, frozenset[Any]] | None = None,
) -> frozenset[Any]:
    """`hidden` and more groups of one attribute (regions, or sexes) until neither their
    own sums (`bounded_hidden`) nor the table of them by workshop pin a part of 1 or 2
    ratings at 1 or at 5 (`_more_pinned`): every workshop's average of 3 raters or more is
    public (/taller), so the groups are the columns of a two-way table whose rows are all
    shown. `unseen`: per workshop, the regions whose part of it /taller by region hides
    (`region_parts`); the others of 3 raters or more are known, taken off their margins
    (None: no part is shown, as by sex). Cusco 10 over 3 beside W3's 8 over 5: W3 less
    Cusco's two raters of it is at least 3 for the three others and Cusco's third rater at
    most 5, so 8 - 10 = -2 left the three others' 1s and the third's 5."""
    grid: dict[tuple[Any, Any], tuple[float, float, float]] = {}
    totals: Counter[Any] = Counter()
    for group, own in parts.items():
        for workshop, values in own.items():
            n = values.get(f"n_{name}", 0)
            totals[workshop] += n
            if unseen is None or n < SMALL_CELL or group in unseen.get(workshop, ()):
                grid[(workshop, group)] = (values.get(f"sum_{name}", 0), n, n)
    small = frozenset(w for w, n in totals.items() if n < SMALL_CELL)
    while True:
        before = hidden
        hidden = bounded_hidden(sums, hidden, LOW, HIGH)
        hidden = _more_pinned(grid, small, hidden)
        if hidden == before:
            return hidden


def _pinned_cells(
    cells: Cells, name: str, rows: frozenset[Any], columns: frozenset[Any]
) -> frozenset[Any]:
    """`columns` and more sexes (fewest raters first) while the regions and sexes shown pin
    the ratings of a cell of region and sex of 1 or 2 people at 1 or at 5 (`_more_pinned`):
    the men's 5,0 tells each man's 5, and Piura's 7 over 3 less its man's 5 left 2 for its
    two women, both 1."""
    grid: dict[tuple[Any, Any], tuple[float, float, float]] = {}
    for (region, sex), values in cells.items():
        key = (region, sex_code(sex))
        total, n, people = grid.get(key, (0, 0, 0))
        grid[key] = (
            total + values.get(f"sum_{name}", 0),
            n + values.get(f"n_{name}", 0),
            people + values.get(f"people_{name}", 0),
        )
    return _more_pinned(grid, rows, columns)


def _more_pinned(
    grid: Mapping[tuple[Any, Any], tuple[float, float, float]],
    rows: frozenset[Any],
    columns: frozenset[Any],
) -> frozenset[Any]:
    """`columns` and more columns (fewest raters first) while the rows and columns shown pin
    the ratings of a cell of 1 or 2 people at 1 or at 5, or of one person at any value
    (`pinned_cells`: a rating less 1 is a count between 0 and 4). `grid`: (row, column) ->
    (sum, ratings, people)."""
    counts = {key: (t - LOW * n, (HIGH - LOW) * n, p) for key, (t, n, p) in grid.items()}
    raters: Counter[Any] = Counter()
    for (_row, column), (_t, _n, people) in grid.items():
        raters[column] += people
    chosen = set(columns)
    while any(column not in chosen for column in raters) and pinned_cells(
        counts, Hidden(rows, frozenset(chosen)), between=True
    ):
        chosen.add(min((n, str(c), c) for c, n in raters.items() if c not in chosen)[2])
    return frozenset(chosen)


def regional(
    q: Query, cells: Cells, hides: Hides, every: Hides, parts: Workshops, shown: Shown
) -> Hides:
    """A region's report's hidden groups and parts of workshops, with what the bounds add.
    `every`: the national report's (`national`). A region the national report hides (or
    whose total it hides) shows no average of its own, nor any of its parts of the
    workshops (they add up to it): its total is its national row, and the national total
    less the regions shown and its own would give the others hidden (as `hidden_groups`
    decides for every other indicator). Nor its part of a workshop that /taller by region
    hides: the workshop's average less it would give the others hidden there (`shown`, from
    `region_parts`). `parts`: `workshop_sums` of the region's raters."""
    groups, unrated = dict(hides[0]), dict(hides[1])
    blank = hidden_sexes(q, cells, "attendees", "raters")
    mine = only(q, cells)
    for name in CRITERIA:
        key = f"people_{name}"
        hidden, now = groups[key], every[0][key]
        unseen = _unseen(shown, name, q.region)
        if now.total or q.region in now.rows or parts_pinned(parts, name, unseen):
            groups[key] = _everything(mine)
            unrated[name] = frozenset(parts)
            continue
        if not hidden.total:  # (hidden here, its total is still its national row)
            columns = bounded_hidden(_by_sex(mine, name), hidden.columns | blank, LOW, HIGH)
            groups[key] = Hidden(hidden.rows, columns)
        unrated[name] = bounded_hidden(_sums(parts, name), unrated[name] | unseen, LOW, HIGH)
    return groups, unrated


async def bounded(
    q: Query,
    cells: Cells,
    hides: Hides,
    before: Hides | None = None,
    more: Mapping[str, frozenset[Any]] | None = None,
) -> Hides:
    """`national` or `regional`, as the report's scope asks. `cells`: every region's;
    `before`: for a region's report, the national report's hidden groups and workshops
    before the bounds (`training._hidden` of the national query); `more`: the sexes the
    national table by sex hides besides (`training_parts.parts_hides`)."""
    everywhere = replace(q, region=None)
    workshops, (parts, sexes, shown, fine) = (
        await workshop_sums(everywhere),
        await region_parts(everywhere),
    )
    nationally = national(
        everywhere, cells, before or hides, workshops, parts, sexes, shown, fine, more
    )
    if q.region is None:
        return nationally
    assert before is not None
    return regional(q, cells, hides, nationally, await workshop_sums(q), shown)
