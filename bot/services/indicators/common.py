"""The shape every indicator shares: a period and scope in, translated tables out.

Indicators count people through their (region, sex) cell: each person has exactly one, so
unique-people counts per cell add up to exact region, sex and overall totals. Averages and
shares are computed from those sums, and shown as "—" (None) when fewer than `SMALL_CELL`
people stand behind them; so are the counts they are made of. A region or sex hidden so takes
others with it (`bot.services.small_cells`), so that no hidden figure follows from the total
and the groups shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_, Translator
from bot.services.indicators.periods import Period
from bot.services.profile import SEXES
from bot.services.registered import Snapshot
from bot.services.small_cells import SMALL_CELL, Hidden, hidden_margins, hidden_within, too_small

Value = str | int | float | None
Cells = dict[tuple[str | None, str | None], Counter[str]]  # (region code, sex) -> measures

NO_REGION = N_("No region")
NO_SEX = N_("Not recorded")
TOTAL = N_("Total")


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"  # whole number
    AVERAGE = "average"  # two decimals (ratings 1-5)
    SHARE = "share"  # a fraction shown as a percentage
    NUMBER = "number"  # one decimal (days, hours)


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    kind: Kind = Kind.COUNT


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    total_row: bool = False  # the last row sums the others (charts leave it out)
    # (row, column) of the "—" that hide nothing: nobody stands behind them (an average of no
    # one), or what they are made of is shown (a share of 2 cases beside both counts). A
    # year's report keeps what a quarter shows so (`bot.services.indicators.joint`).
    harmless: frozenset[tuple[int, int]] = frozenset()


@dataclass(frozen=True, slots=True)
class Chart:
    """A bar chart of `values` (column indexes of `table`), one group per row, labelled by the
    row's first column; a total row is left out."""

    title: str
    table: int
    values: tuple[int, ...]
    horizontal: bool = False


@dataclass(frozen=True, slots=True)
class Headline:
    label: str
    value: Value
    kind: Kind = Kind.COUNT
    harmless: bool = False  # a "—" that hides nothing (see Table.harmless)


def total_headline(table: Table, column: int, label: str, kind: Kind = Kind.COUNT) -> Headline:
    """A headline that repeats a table's total row, as the table shows it (hidden or not)."""
    row = len(table.rows) - 1
    return Headline(label, table.rows[row][column], kind, (row, column) in table.harmless)


@dataclass(frozen=True, slots=True)
class Indicator:
    number: int
    title: str
    definition: str
    headlines: tuple[Headline, ...]
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True, slots=True)
class Query:
    """What every indicator function receives. `region` None means all regions."""

    session: AsyncSession
    period: Period
    region: str | None
    regions: Mapping[str, str]  # code -> name, in the order reports list them
    t: Translator
    now: datetime  # when the report is read: never the machine's clock unasked (tests, benches)
    # People registered by the period's end as read (`registered_at.snapshot_for`); None: not
    # read (a Query built by hand), counted by `registered_at.registered_cells` when asked.
    registered: Snapshot | None = None

    @property
    def start(self) -> datetime:
        return self.period.start(self.t)

    @property
    def end(self) -> datetime:
        return self.period.end(self.t)

    @property
    def in_progress(self) -> bool:
        """Whether the period has not ended when the report is read."""
        return self.now < self.end

    def _(self, message: str) -> str:
        return self.t.gettext(message)

    def region_name(self, code: str | None) -> str:
        return self.regions.get(code, code) if code else self._(NO_REGION)

    def sex_name(self, sex: str | None) -> str:
        return self._(SEXES[sex]) if sex in SEXES else self._(NO_SEX)


@dataclass(frozen=True, slots=True)
class Measure:
    """A column of a breakdown. `people`: the key counting the people its values rest on; a
    group with fewer of them shows "—", and so may others (`hidden_groups`). None: a count of
    the people themselves, always shown. `bounds`: (part, whole), the keys of the count the
    value tells and of what it is a part of (those reached, of the registered): a count at
    least 0 and at most the whole (`bounded_hides`)."""

    label: str
    kind: Kind
    of: Callable[[Mapping[str, float]], Value]
    people: str | None = None
    bounds: tuple[str, str | None] | None = None

    @property
    def column(self) -> Column:
        return Column(self.label, self.kind)


def count(label: str, key: str, people: str | None = None, *, part: bool = True) -> Measure:
    """A whole number; when it counts some of `people` (those who confirmed, of the people
    invited), hidden with them. `part` False: it counts things they did (views, questions),
    not some of them: only 0 bounds it (`bounded_hides`)."""

    def value(c: Mapping[str, float]) -> Value:
        return None if people and too_small(c.get(people, 0)) else int(c.get(key, 0))

    bounds = (key, people if part else None) if people else None
    return Measure(label, Kind.COUNT, value, people, bounds)


def share(label: str, part: str, whole: str, people: str | None = None) -> Measure:
    """part / whole: "—" when fewer than `SMALL_CELL` people stand behind it (`people` counts
    them; by default `whole` does)."""

    def value(c: Mapping[str, float]) -> Value:
        if c.get(people or whole, 0) < SMALL_CELL or not c.get(whole):
            return None
        return c.get(part, 0) / c[whole]

    return Measure(label, Kind.SHARE, value, people or whole, (part, whole))


def average(label: str, total: str, n: str, people: str) -> Measure:
    """total / n, shown only when at least `SMALL_CELL` distinct people gave the values."""

    def value(c: Mapping[str, float]) -> Value:
        if c.get(people, 0) < SMALL_CELL or not c.get(n):
            return None
        return c[total] / c[n]

    return Measure(label, Kind.AVERAGE, value, people)


def ratio(part: float, whole: float) -> float | None:
    return None if whole < SMALL_CELL else part / whole


def hidden_rows_of(people: Mapping[Any, float], also: Iterable[Any] = ()) -> frozenset[Any]:
    """Rows of a table that splits a total (each workshop, each meeting) whose figures resting
    on `people[row]` people are hidden: the small ones, `also`, and enough others."""
    return hidden_margins({(row, None): n for row, n in people.items()}, hidden_rows=also).rows


def add(cells: Cells, rows: Iterable[Any], key: str) -> Cells:
    """Add query rows (region, sex, value) to `cells` under `key`."""
    for region, sex, value in rows:
        cells.setdefault((region, sex), Counter())[key] += value or 0
    return cells


def rollup(cells: Cells, part: Callable[[str | None, str | None], Any]) -> dict[Any, Counter[str]]:
    grouped: dict[Any, Counter[str]] = {}
    for (region, sex), values in cells.items():
        grouped.setdefault(part(region, sex), Counter()).update(values)
    return grouped


def total(cells: Cells) -> Counter[str]:
    result: Counter[str] = Counter()
    for values in cells.values():
        result.update(values)
    return result


def sex_code(sex: str | None) -> str | None:
    """The sex as breakdowns show it: an unknown code counts as not recorded."""
    return sex if sex in SEXES else None


NOTHING = Hidden()  # no group hidden beforehand


def hidden_groups(
    cells: Cells,
    people: str,
    *,
    sexes: bool = True,
    scope: str | None = None,
    also: Hidden = NOTHING,
) -> Hidden:
    """The regions and sexes whose figures resting on `people` are hidden (the same for every
    table built from these cells, so the tables cannot be played against each other).
    `sexes` False: the measures are shown by region only (not by sex too). `scope`: for that
    region's own report, decided from every region's cells: it hides what the national
    report hides of the region (its total is the national row), and its cells by sex where
    the national margins would give them away (`hidden_within`). `also`: the regions and
    sexes hidden whatever their counts (`publication_moves`)."""
    counts: dict[tuple[str | None, str | None], float] = {}
    for (region, sex), values in cells.items():
        key = (region, sex_code(sex) if sexes else None)
        counts[key] = counts.get(key, 0) + values.get(people, 0)
    rows, columns = {key[0] for key in counts}, {key[1] for key in counts}
    hidden = hidden_margins(
        counts, hidden_rows=also.rows & rows, hidden_columns=also.columns & columns
    )
    if scope is None:
        return hidden
    if hidden.total or scope in hidden.rows:
        return Hidden(frozenset({scope}), frozenset({*SEXES, None}), total=True)
    inside = hidden_within(counts, hidden)
    return Hidden(frozenset(), frozenset(sex for region, sex in inside if region == scope))


def only(q: Query, cells: Cells) -> Cells:
    """The cells of the report's scope (every region's are needed to decide what it hides)."""
    return {key: values for key, values in cells.items() if in_scope(q, key[0])}


def measure_hides(
    q: Query,
    measures: tuple[Measure, ...],
    cells: Cells,
    sexes: bool = True,
    given: Mapping[str, Hidden] | None = None,
) -> dict[Any, Hidden]:
    """The hidden groups for each population the measures rest on; `given` overrides some
    (an indicator that knows more links between its tables, like the workshops of #3);
    under (people, part, whole), what a count bounded by a whole hides besides
    (`bounded_hides`)."""
    hides: dict[Any, Hidden] = {
        m.people: hidden_groups(cells, m.people, sexes=sexes, scope=q.region)
        for m in measures
        if m.people
    }
    hides = {**hides, **(given or {})}
    return {**hides, **bounded_hides(q, measures, cells, sexes, hides)}


EVERY_SEX: frozenset[str | None] = frozenset({*SEXES, None})


def bounded_hides(
    q: Query,
    measures: tuple[Measure, ...],
    cells: Cells,
    sexes: bool,
    hides: Mapping[Any, Hidden],
) -> dict[tuple[str, str, str | None], Hidden]:
    """More to hide for a count that is part of a whole (`Measure.bounds`: those reached, of
    the registered) where its hidden groups add up (the total less those shown) to 0 or to
    their whole: each is then known (3 reached of three regions of one registered person
    each). Regions so: the total goes, and the groups by sex that add up to it. Sexes so:
    the groups by sex go. A total of 0 or of its whole tells it of every group anyway (the
    limit of `bot.services.small_cells`). The same for every table built from these cells."""
    extra: dict[tuple[str, str, str | None], Hidden] = {}
    for people, (part, whole) in {(m.people, m.bounds) for m in measures if m.people and m.bounds}:
        hidden = hides[people]
        if hidden.total:
            continue
        if q.region is None and not _extreme(total(cells), part, whole):
            regions = rollup(cells, lambda region, _sex: region)
            if _pinned(regions, hidden.rows, people, part, whole):
                extra[people, part, whole] = Hidden(hidden.rows, EVERY_SEX, total=True)
                continue
        mine = only(q, cells)
        by_sex = rollup(mine, lambda _region, sex: sex_code(sex))
        if (
            sexes
            and not _extreme(total(mine), part, whole)
            and _pinned(by_sex, hidden.columns, people, part, whole)
        ):
            extra[people, part, whole] = Hidden(hidden.rows, EVERY_SEX)
    return extra


def _extreme(values: Mapping[str, float], part: str, whole: str | None) -> bool:
    """Whether a total of `part` is 0 or all of its `whole`."""
    return not values.get(part) or (whole is not None and values[part] == values.get(whole))


def _pinned(
    groups: Mapping[Any, Counter[str]],
    hidden: Iterable[Any],
    people: str,
    part: str,
    whole: str | None,
) -> bool:
    """Whether the hidden groups' counts of `part` are each known from their sum: 0, or all
    of their `whole` (None: no bound but 0)."""
    inside = [groups[key] for key in hidden if key in groups]
    if not sum(values[people] for values in inside):
        return False
    done = sum(values[part] for values in inside)
    return done == 0 or (whole is not None and done == sum(values[whole] for values in inside))


def shown_values(
    measures: tuple[Measure, ...],
    values: Mapping[str, float],
    hides: Mapping[Any, Hidden],
    side: str,
    key: str | None = None,
) -> tuple[Value, ...]:
    """The measures' values for one group: a region (`side` "rows"), a sex ("columns") or
    everyone ("total"); "—" where the group is hidden for the people a measure rests on."""
    return tuple(
        None if m.people and is_hidden(m, hides, side, key) else m.of(values) for m in measures
    )


def is_hidden(m: Measure, hides: Mapping[Any, Hidden], side: str, key: str | None) -> bool:
    """Whether `shown_values` hides the measure's value for the group (`side`, `key`)."""
    groups = hides.get((m.people, *m.bounds)) if m.bounds else None
    groups = groups or hides[m.people]
    return groups.total if side == "total" else key in getattr(groups, side)


def nobody_behind(
    measures: tuple[Measure, ...], groups: list[Mapping[str, float]]
) -> frozenset[tuple[int, int]]:
    """The cells (row, column) of measures that rest on nobody in that group."""
    return frozenset(
        (row, column)
        for row, values in enumerate(groups)
        for column, m in enumerate(measures, start=1)
        if m.people and not values.get(m.people)
    )


def by_region(
    q: Query,
    title: str,
    cells: Cells,
    measures: Iterable[Measure],
    *,
    sexes: bool = True,
    hides: Mapping[str, Hidden] | None = None,
) -> Table:
    """One row per region that has data (in the report's order), then the total. `sexes`:
    whether the same measures are also shown by sex (`by_sex`), which hides more. `cells`:
    every region's, or only the scope's (then other regions' reports are not considered)."""
    measures = tuple(measures)
    hidden = measure_hides(q, measures, cells, sexes, hides)
    cells = only(q, cells)
    grouped = rollup(cells, lambda region, _sex: region)
    order = [code for code in q.regions if code in grouped]
    order += sorted((code for code in grouped if code not in q.regions), key=str)
    rows = [
        (q.region_name(code), *shown_values(measures, grouped[code], hidden, "rows", code))
        for code in order
    ]
    rows.append((q._(TOTAL), *shown_values(measures, total(cells), hidden, "total")))
    columns = (Column(q._(N_("Region")), Kind.TEXT), *(m.column for m in measures))
    harmless = nobody_behind(measures, [*(grouped[code] for code in order), total(cells)])
    return Table(title, columns, tuple(rows), total_row=True, harmless=harmless)


def in_scope(q: Query, region: str | None) -> bool:
    """Whether a region's figures belong in the report (all of them in a national one)."""
    return q.region is None or region == q.region


def scoped(q: Query, statement: Any, region_column: Any) -> Any:
    """`statement` limited to the report's region, when it has one."""
    return statement if q.region is None else statement.where(region_column == q.region)
