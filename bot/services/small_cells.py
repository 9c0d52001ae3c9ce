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
  together (their sum is the totals minus the rows shown) must pass the same test.

Limits: the rule stops derivation by arithmetic on the figures shown. A group of three who
all gave the same answer still shows that answer (as any average of identical values does).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product
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


def too_small(people: float) -> bool:
    """The primary rule: some people, but fewer than `SMALL_CELL`."""
    return 0 < people < SMALL_CELL


def hidden_margins(people: Mapping[tuple[Hashable, Hashable], float]) -> Hidden:
    """The groups to hide when a report shows, for each row group and each column group (and
    for everyone), a value computed from the answers of its people. `people` maps each
    (row, column) cell to its number of people; for a breakdown by one attribute, give every
    cell the same column. Deterministic, so the same data hide the same groups everywhere."""
    cells = {key: int(n) for key, n in people.items() if n > 0}
    rows = _totals(cells, 0)
    columns = _totals(cells, 1)
    everyone = sum(cells.values())
    if everyone < SMALL_CELL:
        return Hidden(frozenset(rows), frozenset(columns), total=everyone > 0)
    hidden_rows = {key for key, n in rows.items() if too_small(n)}
    hidden_columns = {key for key, n in columns.items() if too_small(n)}
    while (cut := _small_cut(cells, hidden_rows, hidden_columns)) is not None:
        shown = [(n, 0, str(key), key) for key, n in rows.items() if key not in hidden_rows]
        shown += [(n, 1, str(key), key) for key, n in columns.items() if key not in hidden_columns]
        near = [entry for entry in shown if (entry[1], entry[3]) in cut]
        _n, side, _label, key = min(near or shown, key=lambda entry: entry[:3])
        (hidden_rows if side == 0 else hidden_columns).add(key)
    return Hidden(frozenset(hidden_rows), frozenset(hidden_columns))


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
    cross it). So it is safe exactly when no cut crosses 1 or 2 people."""
    graph: dict[tuple[Any, Any], int] = {}
    for (row, column), n in cells.items():
        edge = (
            _HIDDEN if row in hidden_rows else row,
            _HIDDEN if column in hidden_columns else column,
        )
        graph[edge] = graph.get(edge, 0) + n
    row_nodes = list(dict.fromkeys(row for row, _ in graph))
    column_nodes = list(dict.fromkeys(column for _, column in graph))
    if len(column_nodes) > len(row_nodes):  # enumerate the smaller side
        graph = {(column, row): n for (row, column), n in graph.items()}
        row_nodes, column_nodes = column_nodes, row_nodes
        flipped = True
    else:
        flipped = False
    for sides in product((False, True), repeat=len(column_nodes)):
        on_a = {node for node, side in zip(column_nodes, sides, strict=True) if side}
        found = _cut_with_rows(graph, row_nodes, on_a, split=0 < len(on_a) < len(column_nodes))
        if found is not None:
            crossing = {edge for edge in graph if (edge[0] in found) != (edge[1] in on_a)}
            nodes = {(0, r) for r, _ in crossing} | {(1, c) for _, c in crossing}
            if flipped:
                nodes = {(1 - side, key) for side, key in nodes}
            return nodes
    return None


def _cut_with_rows(
    graph: Mapping[tuple[Any, Any], int], rows: Sequence[Any], columns_on_a: set[Any], split: bool
) -> set[Any] | None:
    """Rows to put on side A (with `columns_on_a`) so that 1 or 2 people cross the cut, or
    None. Each row adds the people of its edges to the other side; the sums are capped at
    `SMALL_CELL`, so the search is small. `split`: the columns already lie on both sides;
    otherwise some row must lie apart from them for the cut to split anything."""
    to_a = dict.fromkeys(rows, 0)  # people crossing if the row goes to side A
    to_b = dict.fromkeys(rows, 0)  # ... or to side B
    for (row, column), n in graph.items():
        if column in columns_on_a:
            to_b[row] += n
        else:
            to_a[row] += n
    costs = [(row, to_a[row], to_b[row]) for row in rows]
    all_on_a = bool(columns_on_a)
    # state: (capped people crossing, some row apart from the columns) -> rows on side A
    states: dict[tuple[int, bool], frozenset[Any]] = {(0, split): frozenset()}
    for row, to_a, to_b in costs:
        following: dict[tuple[int, bool], frozenset[Any]] = {}
        for (crossing, apart), chosen in states.items():
            for on_a, cost in ((True, to_a), (False, to_b)):
                key = (min(SMALL_CELL, crossing + cost), apart or on_a != all_on_a)
                following.setdefault(key, chosen | {row} if on_a else chosen)
        states = following
    for (crossing, apart), chosen in states.items():
        if apart and too_small(crossing):
            return set(chosen)
    return None


def hidden_rows(rows: Mapping[Hashable, Sequence[int]]) -> set[Any]:
    """Rows of a table of counts whose column totals the reader knows (or can count): a row
    is hidden unless each of its counts is 0 or at least `SMALL_CELL`, and rows are added to
    the hidden ones (smallest first) until their sums pass that test too."""
    hidden = {key for key, counts in rows.items() if not safe_counts(counts)}

    def merged() -> list[int]:
        return [sum(column) for column in zip(*(rows[key] for key in hidden), strict=True)]

    while hidden and not safe_counts(merged()):
        shown = [key for key in rows if key not in hidden]
        if not shown:
            break
        hidden.add(min(shown, key=lambda key: (sum(rows[key]), str(key))))
    return hidden


def safe_counts(counts: Iterable[float]) -> bool:
    """Counts that may be shown side by side: each one 0 or at least `SMALL_CELL`."""
    return not any(too_small(n) for n in counts)
