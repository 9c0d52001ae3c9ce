"""Where a group's counts by sex are hidden, one rule for every report that counts the group
by sex: indicator 7 (its groups and its shares of women), indicator 3 («Valoración por sexo»:
workshop attendees and raters) and indicator 1 («Invitados por sexo»: invited and attended).
Each showed them by its own rule, so one printed the two men another hid (issue #13). Every
table by sex of every indicator (`by_sex`, here) hides its sexes by this rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from math import inf
from typing import Any

from bot.i18n import N_
from bot.services.bounded_cells import pinned_cells
from bot.services.indicators.common import (
    TOTAL,
    Cells,
    Column,
    Kind,
    Measure,
    Query,
    Table,
    is_hidden,
    measure_hides,
    nobody_behind,
    only,
    rollup,
    sex_code,
    shown_values,
    total,
)
from bot.services.profile import SEXES
from bot.services.small_cells import Hidden, hidden_rows

FEMALE = "female"
REGISTERED = "registered"  # the key counting people registered by the period's end


def group_hides(
    q: Query, cells: Cells, key: str, more: frozenset[str | None] = frozenset()
) -> tuple[Hidden, frozenset[str | None]]:
    """Where a group's share of women and its counts by sex are hidden. A share beside its
    group's size (a public count: /registrados, indicator 1) tells the women and the others
    of that region, so each region is a row of counts by sex under the rule of /registrados
    (`hidden_rows`, decided from every region's, whatever the report's scope): hidden unless
    each count is 0 or at least 3, with enough other regions that the totals by sex less the
    regions shown give none away. Also the sexes whose counts the report hides: a region's
    all of them where its row is hidden; the national report its sexes of 1 or 2 people,
    with enough others that its total less those shown gives none away, and `more` (the
    national report's, beside other tables: `training_parts`). `cells`: every region's,
    people of the group under `key`. Registered people (`REGISTERED`, read at a month's end:
    `registered_at`) hide besides the regions and sexes that date hides for the dates
    before it (`bot.services.registered_history`). While the period runs
    (`Query.in_progress`) every group but the registered hides every region and sex: two
    readings of it on two dates, subtracted, are the days between, a period of its own that
    no rule looked at (Puno's one woman invited between 15 and 30 May:
    tests/test_period_in_progress); its figures by sex are published once it ends."""
    sexes: list[str | None] = [*SEXES, None]
    rows: dict[str | None, list[int]] = {}
    for (region, sex), values in cells.items():
        counts = rows.setdefault(region, [0] * len(sexes))
        counts[sexes.index(sex_code(sex))] += int(values.get(key, 0))
    rows = {region: counts for region, counts in rows.items() if any(counts)}  # 0 tells nothing
    if q.in_progress and key != REGISTERED:
        regions = frozenset({q.region}) if q.region is not None else frozenset(rows)
        return Hidden(regions, total=True), frozenset(sexes)
    before = frozenset()  # registered people: also what earlier dates' readings make hidden
    if key == REGISTERED and q.registered is not None:
        before, more = q.registered.hidden & rows.keys(), more | q.registered.sexes
    hidden = hidden_rows(rows, before)
    if q.region is not None:
        mine = q.region in hidden
        shown = Hidden(frozenset({q.region}) if mine else frozenset(), total=mine)
        return shown, frozenset(sexes) if mine else frozenset()
    national = [sum(column) for column in zip(*rows.values(), strict=True)] or [0] * len(sexes)
    by_sex = hidden_rows({sex: [n] for sex, n in zip(sexes, national, strict=True)}) | more
    return Hidden(frozenset(hidden), total=FEMALE in by_sex), frozenset(by_sex)


def hidden_sexes(
    q: Query, cells: Cells, *keys: str, more: Mapping[str, frozenset[str | None]] | None = None
) -> frozenset[str | None]:
    """The sexes whose rows a table by sex hides when it counts the groups under `keys`
    (`more`: per key, as `group_hides`)."""
    more = more or {}
    return frozenset().union(
        *(group_hides(q, cells, key, more.get(key, frozenset()))[1] for key in keys)
    )


def bounded_columns(
    measures: tuple[Measure, ...],
    cells: Cells,
    hides: Mapping[Any, Hidden],
    blank: frozenset[str | None],
) -> dict[tuple[str, str, str | None], Hidden]:
    """For each count bounded by its people (`Measure.bounds`), the sexes it hides besides
    `blank`: more of them, smallest first, while its regions and sexes shown pin some cell of
    region and sex at 0 or at all of its people (`pinned_cells`). Piura 1 received of 3,
    every man shown as received (4 of 4, one of them in Piura): Piura's two women received
    none. A count of people (bounded by a whole) of 1 or 2 in a cell of region and sex, which
    the region's own table hides, is not to be pinned anywhere in its range either: Piura
    confirmed 11 of its 11 invitees, its 4 women too, women confirmed 6, Cusco's 6 - 4 = 2
    (tests/test_quarter_bounds, seed 1). The national report's table; a region's own shows
    its cells by sex, hidden by `hidden_within`."""
    extra: dict[tuple[str, str, str | None], Hidden] = {}
    for m in measures:
        if not (m.people and m.bounds):
            continue
        part, whole = m.bounds
        groups = hides.get((m.people, part, whole)) or hides[m.people]
        counts: dict[tuple[str | None, str | None], tuple[float, float, float]] = {}
        for (region, sex), values in cells.items():
            done, of, n = counts.get((region, sex_code(sex)), (0, 0, 0))
            most = values.get(whole, 0) if whole else inf if values.get(m.people) else 0
            counts[(region, sex_code(sex))] = (
                done + values.get(part, 0),
                of + most,
                n + values.get(m.people, 0),
            )
        people = Counter({sex: n for (_region, sex), (_done, _of, n) in counts.items()})
        chosen = set(groups.columns | blank)
        while any(sex not in chosen for sex in people) and pinned_cells(
            counts, Hidden(groups.rows, frozenset(chosen), groups.total), counted=bool(whole)
        ):
            chosen.add(min((n, str(sex), sex) for sex, n in people.items() if sex not in chosen)[2])
        if not chosen <= groups.columns | blank:
            extra[(m.people, part, whole)] = Hidden(groups.rows, frozenset(chosen), groups.total)
    return extra


def by_sex(
    q: Query,
    title: str,
    cells: Cells,
    measures: Iterable[Measure],
    *,
    groups: Iterable[str],
    hides: Mapping[str, Hidden] | None = None,
    everyone: Cells | None = None,
    more: Mapping[str, frozenset[str | None]] | None = None,
    columns: Mapping[str, frozenset[Any]] | None = None,
) -> Table:
    """One row per sex (always women, men and "prefer not to say"; «Sin dato» where some of
    the scope's people lack a sex, or where its row would be hidden: left out, it tells its
    counts at 0, so Piura's 6 invited of its 8, none of them its two «Sin dato», were its
    two women and four men), then the total. Every table by sex is built here, so that none
    shows a count by sex that another hides (a table counting readers, cases' officials or
    registered people by sex printed the one man that indicator 7 and /registrados hide).
    `groups`: the keys counting the people the table splits by sex (readers, askers…); a
    sex whose counts of any of them `group_hides` hides shows «—» in every column (a rate
    beside a hidden count, with the total less the sexes shown, gives it back). `everyone`:
    every region's cells, when `cells` are the scope's only (what a region's report hides is
    decided from every region's). `more`: per group, more sexes the national report hides
    (`group_hides`). `columns`: per count bounded by a whole (`Measure.bounds`, its part's
    key), more sexes whose count (and rate) it hides, the national report's
    (`meeting_sexes`)."""
    measures = tuple(measures)
    blank = hidden_sexes(q, everyone if everyone is not None else cells, *groups, more=more)
    hidden = measure_hides(q, measures, cells, given=hides)
    if q.region is None:
        hidden = {**hidden, **bounded_columns(measures, cells, hidden, blank)}
    for m in measures:
        if m.people and m.bounds and (besides := (columns or {}).get(m.bounds[0])):
            key, was = (m.people, *m.bounds), hidden.get((m.people, *m.bounds))
            was = was or hidden[m.people]
            hidden[key] = Hidden(was.rows, was.columns | besides, was.total)
    cells = only(q, cells)
    grouped = rollup(cells, lambda _region, sex: sex_code(sex))
    order: list[str | None] = list(SEXES)
    if None in grouped or _hides_a_row_of_nobody(measures, hidden, blank):
        order.append(None)
    counted = [grouped.get(sex, Counter()) for sex in order]
    rows = [
        (q.sex_name(sex), *shown_values(measures, values, hidden, "columns", sex))
        if sex not in blank
        else (q.sex_name(sex), *[None] * len(measures))
        for sex, values in zip(order, counted, strict=True)
    ]
    rows.append((q._(TOTAL), *shown_values(measures, total(cells), hidden, "total")))
    columns = (Column(q._(N_("Sex")), Kind.TEXT), *(m.column for m in measures))
    harmless = nobody_behind(measures, [*counted, total(cells)])
    return Table(title, columns, tuple(rows), total_row=True, harmless=harmless)


def _hides_a_row_of_nobody(
    measures: tuple[Measure, ...], hidden: Mapping[Any, Hidden], blank: frozenset[str | None]
) -> bool:
    """Whether the row of «Sin dato», none of whose people are in the scope, hides a figure
    it would show when nobody is behind it (a count of 0): left out, it would tell that."""
    return any(
        m.of(Counter()) is not None
        and (None in blank or bool(m.people and is_hidden(m, hidden, "columns", None)))
        for m in measures
    )
