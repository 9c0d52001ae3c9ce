"""Which sexes the national counts of workshop attendees and raters by sex hide besides the
small-cell rule's (`sex_rule.group_hides`), read beside each region's part of each workshop:
its attendees and responses, public however few (/taller by region, the region's report).

Those parts are the rows, and the sexes the columns, of three tables of counts: each part's
raters, its attendees, and those who attended it without rating it (attendees are the other
two added up). The national table by sex shows the columns' sums (indicators 3 and 7), and
a region's report its own, where it shows its row by sex (its columns are then its own). A
count that the margins pin, in one table or through the other two, at 0 or at all of a
region's 1 or 2 people of a sex gives them away: «Sin dato» 4 attended and 4 rated, so
none of them attended without rating; Piura's one attendee of UNION1 gave no response, so is
not «Sin dato»: Piura's one «Sin dato» did not attend it. Each table's cells can move only
along cycles that keep every known sum (`bot.services.bounded_cells`), so a cell is pinned
where no such cycle moves it. The same, summed over the workshops: a cell of region and sex
whose attendees (raters) the regions' and sexes' margins pin, beside its registered people
(Piura's 1 rater, of a woman and a «Prefiero no decir», beside the 0 raters who prefer not
to say, was the woman).

So the national report hides more sexes (secondary suppression), the raters' before the
attendees', until no such count is pinned: one or two that settle it, the women's last (their
share is a headline), then the fewest rows and people. A person who attended several
workshops counts once in the table by sex and once per workshop in the parts: a column's sum
there is known only to be at least its people, so a column above that may shrink, and with
several workshops any may grow. Not read: which people those are (two parts of one person
are taken for two people's, beyond what the sums of region and sex above pin); and a column
less a region's own row by sex, at its end, is taken as told (as a shown one is).

Each cell's reading is a search over the whole graph of parts (regions × workshops × sexes),
so the check grows with the square of the workshops (a year of 20,000 people, some 200
workshops: minutes of CPU for indicator 7 alone): within a report it stops at its limit
(`report_limit`, REPORT_SECONDS), a count then taken as pinned, so every sex goes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from contextvars import ContextVar
from itertools import combinations
from typing import Any

from sqlalchemy import func, literal_column, select, union_all

from bot.services import report_limit
from bot.services.bounded_cells import _reaches, pinned_cells
from bot.services.indicators.common import Cells, Query, sex_code
from bot.services.indicators.registered_at import registered_cells
from bot.services.indicators.sex_rule import group_hides
from bot.services.indicators.training_chain import chain_pinned
from bot.services.indicators.training_reads import period_attendance, period_ratings
from bot.services.indicators.training_year import (
    WORKSHOPS,
    YearReading,
    workshop_cells,
    year_first,
)
from bot.services.small_cells import Hidden, safe_counts, too_small
from storage.models import WorkshopAttendance, WorkshopRating

FEMALE = "female"
KEYS = ("attendees", "raters")  # the groups counted by sex, as `group_hides` hides them
Part = tuple[Any, Any, Any]  # (region, workshop, sex)
Counts = tuple[int, int, int]  # attended, rated, attended without rating
Cell = tuple[Any, Any]  # ((region, workshop), column: a sex, or (region, sex) kept apart)
_HIDDEN = object()
UNREAD: Cell = ((None, None), None)  # `parts_pinned` past the report's limit: none was read
# Per period (its code), `parts_hides`' answer: a report asks it for indicators 3 and 7, and
# for each quarter before the one it reads (`training_year`); `build_report` sets it.
KEPT: ContextVar[dict[str, dict[str, frozenset[Any]]] | None] = ContextVar(
    "training_parts_kept", default=None
)


class _Stopped(Exception):
    """Past the report's limit (`report_limit`): no cell can be read as free."""


async def workshop_parts(q: Query) -> tuple[dict[Part, Counts], Counter[tuple[Any, Any]]]:
    """Per (region, workshop, sex): the period's workshops' attendees, raters (completed
    ratings) and attendees who did not rate it, each person once per workshop; and the
    people registered per (region, sex), whom those counts are parts of. National."""
    one, zero = literal_column("1"), literal_column("0")
    rows = union_all(
        period_attendance(
            q,
            WorkshopAttendance.person_id.label("person_id"),
            WorkshopAttendance.workshop_id.label("workshop_id"),
            WorkshopAttendance.region_code.label("region_code"),
            WorkshopAttendance.sex.label("sex"),
            one.label("attended"),
            zero.label("rated"),
        ),
        period_ratings(
            q,
            WorkshopRating.person_id,
            WorkshopRating.workshop_id,
            WorkshopRating.region_code,
            WorkshopRating.sex,
            zero,
            one,
        ),
    ).subquery()
    # Each person as she took part (`training_reads.workshop_people`: region and sex then).
    group = (rows.c.person_id, rows.c.workshop_id, rows.c.region_code, rows.c.sex)
    pair = (
        select(
            *group[1:],
            func.max(rows.c.attended).label("attended"),
            func.max(rows.c.rated).label("rated"),
        )
        .group_by(*group)
        .subquery()
    )
    statement = select(
        pair.c.region_code,
        pair.c.sex,
        pair.c.workshop_id,
        func.sum(pair.c.attended),
        func.sum(pair.c.rated),
        func.sum(pair.c.attended * (1 - pair.c.rated)),
    ).group_by(pair.c.region_code, pair.c.sex, pair.c.workshop_id)
    parts: dict[Part, Counts] = {}
    for region, sex, workshop, attended, rated, unrated in await q.session.execute(statement):
        key = (region, workshop, sex_code(sex))
        before = parts.get(key, (0, 0, 0))
        parts[key] = (
            before[0] + int(attended or 0),
            before[1] + int(rated or 0),
            before[2] + int(unrated or 0),
        )
    people = await registered_cells(q)  # at the month's end the reader knows (not live)
    return parts, people


async def parts_hides(q: Query, cells: Cells) -> dict[str, frozenset[str | None]]:
    """Per key of `KEYS`, the sexes the national report hides besides `group_hides`' rule
    (`extra_sexes`, then a quarter's beside the quarters before it and its year so far:
    `training_year`; none for a region's report, which shows its row by sex or none of
    it). `cells`: every region's, counting the groups."""
    if q.region is not None:
        return {key: frozenset() for key in KEYS}
    kept = KEPT.get()
    if kept is not None and q.period.code in kept:
        return kept[q.period.code]
    parts, people = await workshop_parts(q)
    hides = {key: group_hides(q, cells, key) for key in KEYS}
    # A region of nobody counted shows its zeros, and is left in the national columns: the
    # same whatever else the cells count (indicator 7's count the registered too).
    counted = {key: {region for (region, _sex), v in cells.items() if v.get(key)} for key in KEYS}
    extra = extra_sexes(
        parts,
        people,
        cells,
        {key: sexes for key, (_rows, sexes) in hides.items()},
        {key: frozenset(counted[key] - rows.rows) for key, (rows, _sexes) in hides.items()},
    )
    own = {key: hides[key][1] | extra[key] for key in KEYS}
    later = await year_first(q, cells, own, YearReading(WORKSHOPS, workshop_cells, _printed))
    found = {key: extra[key] | later.get(key, frozenset()) for key in KEYS}
    if kept is not None:
        kept[q.period.code] = found
    return found


async def _printed(q: Query, cells: Cells) -> dict[str, frozenset[Any]]:
    """The sexes an (earlier) quarter's national table hides, per key, as it prints them."""
    more = await parts_hides(q, cells)
    return {key: group_hides(q, cells, key, more[key])[1] for key in KEYS}


def extra_sexes(
    parts: Mapping[Part, Counts],
    people: Mapping[tuple[Any, Any], int],
    cells: Cells,
    hidden: Mapping[str, frozenset[Any]],
    apart: Mapping[str, frozenset[Any]],
) -> dict[str, frozenset[Any]]:
    """The sexes the national report hides, per key of `KEYS`, besides `hidden` (the rule
    of `group_hides`), so that no part's count is pinned (`parts_pinned`). `cells`: every
    region's, counting the groups; `apart`: per key, the regions whose row by sex their
    own reports show."""
    national = {key: Counter[Any]() for key in KEYS}
    for (_region, sex), values in cells.items():
        for key in KEYS:
            national[key][sex_code(sex)] += int(values.get(key, 0))
    extra: dict[str, frozenset[Any]] = {key: frozenset() for key in KEYS}

    def now(more: Mapping[str, frozenset[Any]]) -> dict[str, frozenset[Any]]:
        return {key: hidden[key] | more[key] for key in KEYS}

    def safe(more: Mapping[str, frozenset[Any]]) -> bool:
        merged = [sum(national[key][s] for s in now(more)[key]) for key in KEYS]
        if not safe_counts(merged):
            return False
        if parts_pinned(parts, people, cells, now(more), apart) is not None:
            return False
        return not chain_pinned(people, cells, now(more), apart, parts)

    while not safe(extra):
        # One sex or two that settle it (one hidden alone is the total less the others), the
        # raters' trials first, then the attendees' (a cell of attendees that only their
        # column settles hid every sex of raters first: seed 0's year); within a key the
        # women's last (their share is a headline), then the fewest rows, the fewest people;
        # none settling it, the first of them.
        tries = []
        for key in ("raters", "attendees"):
            options = [
                (sex == FEMALE, n, str(sex), sex)
                for sex, n in national[key].items()
                if sex not in now(extra)[key]
            ]
            choices = sorted(
                (any(o[0] for o in chosen), len(chosen), sum(o[1] for o in chosen), chosen)
                for size in (1, 2)
                for chosen in combinations(sorted(options), size)
            )
            tries += [{**extra, key: extra[key] | {o[3] for o in c[-1]}} for c in choices]
        if not tries:
            return extra  # every sex hidden: what is left is the parts themselves
        extra = next((more for more in tries if safe(more)), tries[0])
    return extra


def parts_pinned(
    parts: Mapping[Part, Counts],
    people: Mapping[tuple[Any, Any], int],
    cells: Cells,
    hidden: Mapping[str, frozenset[Any]],
    apart: Mapping[str, frozenset[Any]],
) -> Cell | None:
    """A cell whose count the parts' margins pin of a region's 1 or 2 people of a sex at
    either end, not told by a margin at its end (0 of a part: it is shown so): their
    attendees of a workshop, its raters, or all of them attending it without rating it.
    `cells`: every region's, counting the groups' people; `hidden`: per key, the sexes the
    national table by sex hides; `apart`: per key, the regions whose own report shows their
    row by sex. None: no such cell; `UNREAD` past the report's limit (as though pinned)."""
    if report_limit.stopped("training_parts"):  # before its tables: each is work too
        return UNREAD
    rows = {(region, workshop) for region, workshop, _sex in parts}
    grid = {
        ((region, workshop), sex): parts.get((region, workshop, sex), (0, 0, 0))
        for (region, workshop) in rows
        for (place, sex), n in people.items()
        if place == region and n
    }
    sizes = {cell: people[(cell[0][0], cell[1])] for cell in grid}
    counted: Counter[tuple[Any, Any, str]] = Counter()
    for (region, sex), values in cells.items():
        for key in KEYS:
            counted[(region, sex_code(sex), key)] += int(values.get(key, 0))
    floors = [
        {(r, s): counted[(r, s, "attendees")] for r, s, _key in counted},
        {(r, s): counted[(r, s, "raters")] for r, s, _key in counted},
        {
            (r, s): counted[(r, s, "attendees")] - counted[(r, s, "raters")]
            for r, s, _key in counted
        },
    ]
    grows = len({workshop for _region, workshop in rows}) > 1
    try:
        fixed = [
            _fixed(
                {c: (counts[i], sizes[c]) for c, counts in grid.items()},
                floors[i],
                hidden[key] if key else hidden["attendees"] | hidden["raters"],
                apart[key] if key else apart["attendees"] & apart["raters"],
                grows,
            )
            for i, key in enumerate(("attendees", "raters", ""))
        ]
    except _Stopped:
        return UNREAD
    for cell, size in sizes.items():
        if not too_small(size):
            continue
        (a, a_told), (r, r_told), (n, n_told) = (values[cell] for values in fixed)
        if a is None and r is not None and n is not None:
            a = r + n
        if r is None and a is not None and n is not None:
            r = a - n
        if n is None and a is not None and r is not None:
            n = a - r
        # Who rated a workshop attended it: 0 attendees shown tell 0 raters, all of them
        # shown as raters tell that all attended.
        r_told = r_told or (a == 0 and a_told)
        a_told = a_told or (r == size and r_told)
        if (a in (0, size) and not a_told) or (r in (0, size) and not r_told):
            return cell
        if n == size and not n_told:
            return cell
    return _people_pinned(people, cells, hidden, apart)


def _people_pinned(
    people: Mapping[tuple[Any, Any], int],
    cells: Cells,
    hidden: Mapping[str, frozenset[Any]],
    apart: Mapping[str, frozenset[Any]],
) -> Cell | None:
    """A cell of region and sex, of 1 or 2 people, whose attendees (or raters: people, each
    once) the regions' and sexes' margins pin at 0 or at all of them (`pinned_cells`), with
    the people registered as its whole (public in /registrados): Cusco's one «Prefiero no
    decir» attended, its woman and men all did, and no other region with room for a «Sin
    dato» had a «Prefiero no decir» to trade places with. As a cell of `parts_pinned`, its
    workshop None."""
    counted: Counter[tuple[Any, Any, str]] = Counter()
    for (region, sex), values in cells.items():
        for key in KEYS:
            counted[(region, sex_code(sex), key)] += int(values.get(key, 0))
    groups = {(region, sex) for region, sex, _key in counted} | set(people)
    for key in KEYS:
        grid: dict[tuple[Any, Any], tuple[float, float, float]] = {}
        for region, sex in groups:
            size, n = people.get((region, sex), 0), counted[(region, sex, key)]
            column = (region, sex) if region in apart[key] else sex
            grid[(region, column)] = (n, max(size, n), size)
        for (_row, region), (_column, column) in pinned_cells(grid, Hidden(columns=hidden[key])):
            return ((region, None), column[1] if isinstance(column, tuple) else column)
    return None


def _fixed(
    cells: Mapping[Cell, tuple[int, int]],
    floors: Mapping[tuple[Any, Any], int],
    hidden: frozenset[Any],
    apart: frozenset[Any],
    grows: bool,
) -> dict[Cell, tuple[int | None, bool]]:
    """Each cell's count where the margins pin it (else None), and whether a margin at its
    end tells it. `cells`: (part, sex) -> (count, people); a region `apart` has columns of
    its own, (region, sex); the sexes `hidden` are one column, whose sum is the total less
    the others. A column's sum counts a person once per workshop, the table by sex once:
    the reader knows only that it is at least that (`floors`: per (region, sex), the
    people), and, with more than one workshop (`grows`), may be more: a column whose sum
    can grow or shrink is tied to the others through one more node."""

    def column_of(region: Any, sex: Any) -> Any:
        return (region, sex) if region in apart else _HIDDEN if sex in hidden else sex

    graph: dict[tuple[Hashable, Hashable], list[Any]] = {}
    for ((region, workshop), sex), (count, whole) in cells.items():
        edge = ((0, (region, workshop)), (1, column_of(region, sex)))
        entry = graph.setdefault(edge, [0, 0, []])
        entry[0] += count
        entry[1] += whole
        entry[2].append(((region, workshop), sex))
    nodes: dict[Hashable, list[int]] = {}
    for edge, (count, whole, _members) in graph.items():
        for node in edge:
            sums = nodes.setdefault(node, [0, 0])
            sums[0] += count
            sums[1] += whole
    told = {
        node for node, (n, whole) in nodes.items() if node[1] is not _HIDDEN and n in (0, whole)
    }
    least: Counter[Hashable] = Counter()
    for (region, sex), n in floors.items():
        least[(1, column_of(region, sex))] += n
    arcs: dict[Hashable, set[Hashable]] = {}
    for (row, column), (count, whole, _members) in graph.items():
        if count < whole:
            arcs.setdefault(row, set()).add(column)
        if count > 0:
            arcs.setdefault(column, set()).add(row)
    free = (2, None)
    for node, (n, _whole) in nodes.items():
        if node[0] == 1 and grows:
            arcs.setdefault(node, set()).add(free)
        if node[0] == 1 and n > max(0, least[node]):
            arcs.setdefault(free, set()).add(node)
    found: dict[Cell, tuple[int | None, bool]] = {}
    for edge, (count, whole, members) in graph.items():
        if report_limit.stopped("training_parts"):
            raise _Stopped
        row, column = edge
        up = count < whole and _reaches(arcs, column, row, edge)
        down = count > 0 and _reaches(arcs, row, column, edge)
        for member in members:
            value: int | None = None
            if not up and not down and len(members) == 1:
                value = count
            elif count == 0 and not up:
                value = 0
            elif count == whole and not down:
                value = cells[member][1]
            found[member] = (value, row in told or column in told)
    return found
