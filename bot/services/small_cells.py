"""The small-cell rule, in one place, for every report Minka shows or exports.

A figure that rests on fewer than `SMALL_CELL` people is hidden («—»). Hiding it is not
enough: a report that shows a total and every other group lets anyone subtract. Three women
from Puno rate 5, a man from Cusco rates 1: «Total 4,0 (4)» beside «Puno 5,0 (3)» gives him
away (4×4 − 3×5 = 1). So when a group is hidden, enough other groups are hidden too that no
sum, difference or average computed from what is shown rests on fewer than `SMALL_CELL`
people (complementary suppression).

Two shapes of report are covered:

- `hidden_margins`: groups by one or two attributes of the people (region and sex), each shown
  with its number of people and a value computed from their answers (an average, a share, a
  count of those who did something), plus the total. The people of each (region, sex) cell
  are the input; what can be derived from such margins is exactly what the cuts of the
  region–sex graph reveal (see `_small_cut`), so groups are hidden until every cut holds 0 or
  at least `SMALL_CELL` people.
- `hidden_rows`: a table of counts whose column totals the reader knows anyway (a rating
  distribution; a meeting's answers by sex beside the list of who answered what). A row is
  shown only when each of its counts is 0 or at least `SMALL_CELL`, and the hidden rows
  together (their sum is the totals minus the rows shown) must pass the same test, with no
  count of theirs at 0 or at all of their people (bounds, below).
- `hidden_within`: the inner cells of a two-way table that reports on one group each show
  beside the margins (a region's own report, by sex, beside the national one by region and
  by sex): the same cut test on what stays hidden.

When people fall into several groups at once, `bot.services.recoverable` checks everything
shown together exactly.

Bounds: each value lies between two ends (a rating from 1 to 5; a count of people from 0 to
all of them), so hidden groups whose sum, the total less the groups shown, is at an end tell
each value (ratings of three hidden people adding up to 15 are three 5s). `bounded_hidden`
then hides one more group (indicator 3's regions, sexes and a region's parts of workshops;
/taller's regions; indicator 1's meetings); `hidden_pinned` tells a report that cannot hide
another (every workshop's average is public) to hide its total;
`bot.services.indicators.common`'s `bounded_hides` does it for counts beside their whole;
`hidden_rows` hides more rows while a count of the hidden ones adds up to 0 or all.

Limits: the rule stops derivation by arithmetic on the figures shown and by those two
ends. A group of three who all gave the same answer still shows that answer (as any average
of identical values does), and a total at an end tells every group's. A sum next to an end
(14 of at most 15) still tells that two of the three are at it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from random import Random
from typing import Any

SMALL_CELL = 3

_HIDDEN = object()  # the node standing for every hidden group of one attribute


@dataclass(frozen=True, slots=True)
class Hidden:
    """What a report must not show: groups of the first attribute (`rows`, e.g. regions), of
    the second (`columns`, e.g. sexes), and whether the total itself is hidden."""

    rows: frozenset[Any] = frozenset()
    columns: frozenset[Any] = frozenset()
    total: bool = False

    def __post_init__(self) -> None:
        # Hashable whatever the caller passed (a set): `hidden_within` remembers its answers
        # by it (3ef2e05), and a plain set failed there for the study visits' leaders.
        object.__setattr__(self, "rows", frozenset(self.rows))
        object.__setattr__(self, "columns", frozenset(self.columns))


def too_small(people: float) -> bool:
    """The primary rule: some people, but fewer than `SMALL_CELL`."""
    return 0 < people < SMALL_CELL


def hidden_margins(
    people: Mapping[tuple[Hashable, Hashable], float],
    *,
    hidden_rows: Iterable[Any] = (),
    hidden_columns: Iterable[Any] = (),
    public_columns: bool = False,
) -> Hidden:
    """The groups to hide when a report shows, for each row group and each column group (and
    for everyone), a value computed from the answers of its people. `people` maps each
    (row, column) cell to its number of people; for a breakdown by one attribute, give every
    cell the same column. `hidden_rows`, `hidden_columns`: hidden already (by another table).
    `public_columns`: the columns' sums are shown elsewhere whenever they rest on at least
    `SMALL_CELL` people, so only rows may be hidden (or, failing that, the total).
    Deterministic, so the same data hide the same groups everywhere."""
    cells = {key: int(n) for key, n in people.items() if n > 0}
    rows = _totals(cells, 0)
    columns = _totals(cells, 1)
    everyone = sum(cells.values())
    if everyone < SMALL_CELL:
        return Hidden(frozenset(rows), frozenset(columns), total=everyone > 0)
    hide_rows = {key for key, n in rows.items() if too_small(n)} | set(hidden_rows)
    hide_columns = {key for key, n in columns.items() if too_small(n)} | set(hidden_columns)
    while (cut := _small_cut(cells, hide_rows, hide_columns)) is not None:
        shown = [(n, 0, str(key), key) for key, n in rows.items() if key not in hide_rows]
        if not public_columns:
            shown += [
                (n, 1, str(key), key) for key, n in columns.items() if key not in hide_columns
            ]
        if not shown:  # nothing left to hide but the total
            return Hidden(frozenset(rows), frozenset(columns), total=True)
        near = sorted(entry for entry in shown if (entry[1], entry[3]) in cut)
        # Smallest first, preferring a group whose hiding settles everything, then one that
        # touches the cut found.
        for _n, side, _label, key in [*near, *sorted(shown)]:
            rows_after = hide_rows | {key} if side == 0 else hide_rows
            columns_after = hide_columns | {key} if side == 1 else hide_columns
            if _small_cut(cells, rows_after, columns_after) is None:
                break
        else:
            _n, side, _label, key = (near or sorted(shown))[0]
        (hide_rows if side == 0 else hide_columns).add(key)
    return Hidden(frozenset(hide_rows), frozenset(hide_columns))


def hidden_linked(
    people: Mapping[tuple[Hashable, Hashable], float],
    rows_by_unit: Mapping[tuple[Hashable, Hashable], float],
    columns_by_unit: Mapping[tuple[Hashable, Hashable], float],
    hidden_units: Iterable[Any] = (),
) -> Hidden:
    """`hidden_margins` for a breakdown by rows and columns (region and sex) of answers that
    also fall into units whose own sums are public (each workshop's average, in its /taller
    report). `rows_by_unit` and `columns_by_unit` count the people per (row, unit) and
    (column, unit). Puno's average over two workshops minus the first workshop's gives
    Puno's part of the second, and the second's minus that gives the rest of it: each
    attribute is checked against the units too, until nothing changes. `hidden_units`:
    units whose sums are not public after all (besides those of fewer than 3 people)."""
    units = frozenset(hidden_units)
    hidden = hidden_margins(people)
    while not hidden.total:
        by_rows = hidden_margins(
            rows_by_unit, hidden_rows=hidden.rows, hidden_columns=units, public_columns=True
        )
        by_columns = hidden_margins(
            columns_by_unit, hidden_rows=hidden.columns, hidden_columns=units, public_columns=True
        )
        if by_rows.total or by_columns.total:
            return Hidden(hidden.rows | by_rows.rows, hidden.columns | by_columns.rows, True)
        if by_rows.rows <= hidden.rows and by_columns.rows <= hidden.columns:
            return hidden
        hidden = hidden_margins(people, hidden_rows=by_rows.rows, hidden_columns=by_columns.rows)
    return hidden


def _totals(cells: Mapping[tuple[Hashable, Hashable], int], side: int) -> dict[Any, int]:
    totals: dict[Any, int] = {}
    for key, n in cells.items():
        totals[key[side]] = totals.get(key[side], 0) + n
    return totals


def _small_cut(
    cells: Mapping[tuple[Hashable, Hashable], int],
    hidden_rows: set[Any],
    hidden_columns: set[Any],
) -> set[tuple[int, Any]] | None:
    """The row and column nodes touching a cut of 1 or 2 people, or None when there is none.

    The reader knows each shown group's sum and the total, hence also the sum of the hidden
    groups of each attribute (merged here into one node per attribute). Those are the node
    sums of a bipartite graph whose edges are the (row, column) cells; what can be derived
    from node sums is spanned by its cuts (a cut's value is a signed sum of the cells that
    cross it). So it is safe exactly when no cut crosses 1 or 2 people. Every edge holds at
    least one person, so such a cut has at most 2 edges: a light bridge, or two edges of one
    person each that lie on exactly the same cycles (`_cycle_labels`)."""
    graph: dict[tuple[tuple[int, Any], tuple[int, Any]], int] = {}
    # In a fixed order: the cut found first decides what is hidden next, and the cells may
    # come from a set, whose order (None's hash, its address) changes from one process to
    # the next: a coordinator downloading twice must get the same figures hidden.
    for (row, column), n in sorted(cells.items(), key=lambda item: repr(item[0])):
        edge = (
            (0, _HIDDEN if row in hidden_rows else row),
            (1, _HIDDEN if column in hidden_columns else column),
        )
        graph[edge] = graph.get(edge, 0) + n
    edges = list(graph)
    single: dict[int, tuple[Any, Any]] = {}
    for edge, label in zip(edges, _cycle_labels(edges), strict=True):
        if label == 0 and graph[edge] < SMALL_CELL:  # a bridge
            return set(edge)
        if graph[edge] == 1 and label != 0:
            if label in single:
                return {*single[label], *edge}
            single[label] = edge
    return None


def _cycle_labels(edges: Sequence[tuple[Any, Any]]) -> list[int]:
    """A 64-bit label per edge: the XOR of random labels of the cycles through it (one per
    edge outside a spanning forest). A bridge gets 0; two edges get the same label exactly
    when removing both disconnects the graph (up to a 2^-64 chance). The random labels come
    from a fixed seed, so the same data always give the same answer."""
    randomness = Random(SMALL_CELL)
    adjacent: dict[Any, list[tuple[Any, int]]] = {}
    for index, (a, b) in enumerate(edges):
        adjacent.setdefault(a, []).append((b, index))
        adjacent.setdefault(b, []).append((a, index))
    labels = [0] * len(edges)
    parent_edge: dict[Any, int] = {}
    order: list[Any] = []
    seen: set[Any] = set()
    tree: set[int] = set()
    for root in adjacent:
        if root in seen:
            continue
        seen.add(root)
        stack = [root]
        while stack:  # depth-first: a child always comes after its parent in `order`
            node = stack.pop()
            order.append(node)
            for other, index in adjacent[node]:
                if other not in seen:
                    seen.add(other)
                    parent_edge[other] = index
                    tree.add(index)
                    stack.append(other)
    potential: dict[Any, int] = dict.fromkeys(adjacent, 0)
    for index, (a, b) in enumerate(edges):
        if index not in tree:
            labels[index] = randomness.getrandbits(64) or 1
            potential[a] ^= labels[index]
            potential[b] ^= labels[index]
    for node in reversed(order):  # children before parents: a subtree's XOR climbs up
        if node in parent_edge:
            index = parent_edge[node]
            labels[index] = potential[node]
            a, b = edges[index]
            potential[b if a == node else a] ^= potential[node]
    return labels


def hidden_rows(rows: Mapping[Hashable, Sequence[int]], start: Iterable[Any] = ()) -> set[Any]:
    """Rows of a table of counts whose column totals the reader knows (or can count): a row
    is hidden unless each of its counts is 0 or at least `SMALL_CELL`, and rows are added to
    the hidden ones (smallest first) until their sums pass that test too, and until none of
    their sums is 0 or all of their people where its total is neither (`row_pinned`).
    `start`: rows hidden whatever their counts (`registered_history`: hidden for another
    date's sake), keys of `rows`."""
    hidden = {key for key, counts in rows.items() if not safe_counts(counts)} | set(start)

    def merged() -> list[int]:
        return [sum(column) for column in zip(*(rows[key] for key in hidden), strict=True)]

    while hidden and not safe_counts(merged()):
        shown = [key for key in rows if key not in hidden]
        if not shown:
            break
        hidden.add(min(shown, key=lambda key: (sum(rows[key]), str(key))))
    while hidden and row_pinned(rows, hidden):  # rows shown add 0 or 3 or more: still safe
        shown = sorted((sum(rows[key]), str(key), key) for key in rows if key not in hidden)
        if not shown:
            break
        fits = [key for _n, _label, key in shown if not row_pinned(rows, hidden | {key})]
        hidden.add(fits[0] if fits else shown[0][2])
    return hidden


def row_pinned(rows: Mapping[Hashable, Sequence[int]], hidden: set[Any]) -> bool:
    """Whether a column of the hidden rows adds up to 0, or to all of their people, while
    its total over every row does not: each hidden row's count of it is then known, beside
    the rows' own totals (/registrados shows them). Cusco's, Piura's and Junín's one man
    each: the women all in Puno, shown, leave 0 for them, so none is a woman."""
    columns = list(zip(*rows.values(), strict=True))
    if len(columns) < 2:  # a row's one count is its total: no part of a whole
        return False
    keys = list(rows)
    inside = [
        sum(n for key, n in zip(keys, column, strict=True) if key in hidden) for column in columns
    ]
    people, everyone = sum(inside), sum(map(sum, columns))
    return any(
        at_bound(part, people, 0, 1) and not at_bound(sum(column), everyone, 0, 1)
        for part, column in zip(inside, columns, strict=True)
    )


def at_bound(total: float, count: float, low: float, high: float | None) -> bool:
    """Whether `count` values, each between `low` and `high` (None: no upper bound), that
    add up to `total` are each known from their sum: all at one end (three ratings of 1 to 5
    adding up to 15 are three 5s; hidden counts adding up to 0 are each 0)."""
    return count > 0 and (total == low * count or (high is not None and total == high * count))


Sums = Mapping[Any, tuple[float, float]]  # group -> (sum of its values, number of them)


def _at_bound(groups: Sums, keys: Iterable[Any], low: float, high: float | None) -> bool:
    values = [groups[key] for key in keys if key in groups]
    return at_bound(sum(v[0] for v in values), sum(v[1] for v in values), low, high)


def bounded_hidden(
    groups: Sums, hidden: Iterable[Any], low: float, high: float | None
) -> frozenset[Any]:
    """`hidden` and, where needed, one more group of the same attribute (the one with the
    fewest values first), so that the hidden groups' values, whose sum the reader takes as
    the total less the groups shown, are not all at one end of their bounds (`at_bound`).
    `groups` maps each group to the (sum, number) of its values. One more group always
    settles it (the total is not at that end, so some group shown is not either), except
    where the total itself is at an end: it tells every value anyway (the limit above), and
    nothing is added. Deterministic, so the same data hide the same groups everywhere."""
    hidden = frozenset(hidden)
    if not hidden_pinned(groups, hidden, low, high):
        return hidden
    shown = sorted((n, str(key), key) for key, (_sum, n) in groups.items() if key not in hidden)
    for n, _label, key in shown:
        if n and not _at_bound(groups, hidden | {key}, low, high):
            return hidden | {key}
    return hidden  # not reached: see above


def hidden_pinned(groups: Sums, hidden: Iterable[Any], low: float, high: float | None) -> bool:
    """Whether the hidden groups' values are all at one end of their bounds while the
    total's are not (`bounded_hidden`). Where the report cannot hide another group (every
    workshop's average is public in its own report), it hides the total instead."""
    return _at_bound(groups, hidden, low, high) and not _at_bound(groups, groups, low, high)


def safe_counts(counts: Iterable[float]) -> bool:
    """Counts that may be shown side by side: each one 0 or at least `SMALL_CELL`."""
    return not any(too_small(n) for n in counts)


def hidden_within(
    people: Mapping[tuple[Hashable, Hashable], float], hidden: Hidden
) -> frozenset[tuple[Any, Any]]:
    """The (row, column) cells to hide when, besides margins that hide `hidden` (from
    `hidden_margins`, or rows that are public anyway), each row has a report of its own that
    shows its cells: Puno's report by sex beside the national one by region and by sex, or
    each meeting's invitees from Puno beside every meeting's and Puno's. The cells shown are
    known outright, so what the reader can still derive is the margins' graph of the hidden
    cells alone (`_small_cut`): cells of 1 or 2 people are hidden, every cell of a hidden row
    or column too, and then, smallest first, cells beside a light cut until there is none.
    Hiding every cell leaves the margins' own graph, safe already. Remembered: every
    region's report reads the same national cells (indicator 4's months read them all)."""
    return _within(tuple((key, int(n)) for key, n in people.items() if n > 0), hidden)


@lru_cache(maxsize=128)
def _within(found: tuple[tuple[tuple[Hashable, Hashable], int], ...], hidden: Hidden) -> frozenset:
    """`hidden_within` of the cells with people, in their order."""
    cells = dict(found)
    if hidden.total:
        return frozenset(cells)
    secret = {
        key
        for key, n in cells.items()
        if too_small(n) or key[0] in hidden.rows or key[1] in hidden.columns
    }
    rows, columns = set(hidden.rows), set(hidden.columns)

    def cut_of(chosen: set[tuple[Any, Any]]) -> set[tuple[int, Any]] | None:
        return _small_cut({key: cells[key] for key in chosen}, rows, columns)

    while (cut := cut_of(secret)) is not None:
        shown = sorted((n, str(key), key) for key, n in cells.items() if key not in secret)
        if not shown:  # the margins alone let something through: not `hidden_margins`'
            break
        near = [entry for entry in shown if (0, entry[2][0]) in cut or (1, entry[2][1]) in cut]
        for _n, _label, key in [*near, *shown]:
            if cut_of(secret | {key}) is None:
                break
        else:
            _n, _label, key = (near or shown)[0]
        secret.add(key)
    return frozenset(secret)
