"""The bounds of a count, on a table by two attributes (region and sex): a count of people
lies between 0 and the people it counts, so a sum the reader works out from the margins that
is 0, or all of them, tells each one's answer (the sexes hidden beside a region shown: Puno
3 confirmed of 6, its 3 men, all shown and all of them in Puno, confirmed 3; Puno's other
three confirmed none). `bot.services.small_cells` stops sums of 1 or 2 people; this finds
the cells of any size that the margins pin at either end.

The reader knows each shown row's and column's count (and people), the total's when shown,
hence the sum of the hidden rows and of the hidden columns (one node each, as in
`small_cells._small_cut`). A cell's count can move only along a cycle of cells that keeps
every known sum: up on one cell, down on the next, and so on. So a cell at 0 is pinned
there unless such a cycle can raise it, and a full one unless one can lower it: a search
in the graph of the cells that can go up (row to column) or down (column to row). Exact,
since the cells of a two-way table make a network matrix (every vertex of its polytope is
whole). Hidden rows and hidden columns with the total hidden too may both grow by the
same amount: an arc each way between their nodes."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from math import inf
from typing import Any

from bot.services.small_cells import Hidden, too_small

_HIDDEN = object()
Node = tuple[int, Any]


def pinned_cells(
    cells: Mapping[tuple[Hashable, Hashable], tuple[float, float, float]],
    hidden: Hidden,
    *,
    between: bool = False,
    limits: Mapping[tuple[Hashable, Hashable], tuple[float, float]] | None = None,
    counted: bool = False,
) -> set[tuple[Node, Node]]:
    """The cells of the margins' graph (hidden rows and hidden columns merged) whose count a
    reader of the margins knows to be 0 or all of its whole, and that hold a group of 1 or 2
    people, from `cells`: (row, column) -> (count, whole, people), the whole `inf` for a
    count bounded only by 0. Not those told openly: of a row or column shown at either end
    (3 of 3 confirmed), or of everyone so; nor a group of 3 or more pinned so (as if shown:
    3 of 3, the documented limit). `between`: also a cell of one person whose count the
    margins pin between its ends (a rating of 4: Hombre's 14 over 3 beside W3's 20 over 4,
    where the man's rating of W2 can move neither way). `limits`: per cell, narrower bounds
    of its count that the reader knows besides (indicator 9's «Cubierta»: at least 1 of a
    region's leaders travelled); a cell they pin by themselves is told by them. `counted`:
    also a cell counting 1 or 2 people (a figure the region's own table by sex hides,
    whatever its people), and such a cell or one of 1 or 2 people pinned anywhere in its
    range, not only at an end (men 5 invited: Puno's 4, all of its people, and Cusco's 1 of
    2, pinned between 0 and 2), each cell on its own where hidden rows or columns merge."""
    limits = limits or {}
    graph: dict[tuple[Node, Node], list[float]] = {}
    room: dict[tuple[Node, Node], list[float]] = {}
    small: set[tuple[Node, Node]] = set()
    people_of: dict[tuple[Node, Node], float] = {}
    members: dict[tuple[Node, Node], list[tuple[float, float, float, float]]] = {}
    for (row, column), (part, whole, people) in cells.items():
        if not whole:
            continue
        edge = (
            (0, _HIDDEN if row in hidden.rows else row),
            (1, _HIDDEN if column in hidden.columns else column),
        )
        totals = graph.setdefault(edge, [0, 0])
        totals[0] += part
        totals[1] += whole
        low, high = limits.get((row, column), (0, whole))
        bounds = room.setdefault(edge, [0, 0])
        bounds[0] += low
        bounds[1] += high
        if too_small(people) and low < high:
            small.add(edge)
        people_of[edge] = people_of.get(edge, 0) + people
        members.setdefault(edge, []).append((part, low, high, people))
    nodes: dict[Node, list[float]] = {}
    for edge, (part, whole) in graph.items():
        for node in edge:
            totals = nodes.setdefault(node, [0, 0])
            totals[0] += part
            totals[1] += whole
    everyone = [sum(part for part, _whole in graph.values())]
    everyone.append(sum(whole for _part, whole in graph.values()))
    if not hidden.total and _at_end(*everyone):
        return set()  # it tells each one's answer anyway
    told = {node for node, sums in nodes.items() if node[1] is not _HIDDEN and _at_end(*sums)}
    arcs: dict[Node, set[Node]] = {}
    for (row, column), (part, _whole) in graph.items():
        low, high = room[(row, column)]
        if part < high:
            arcs.setdefault(row, set()).add(column)
        if part > low:
            arcs.setdefault(column, set()).add(row)
    free = ((0, _HIDDEN), (1, _HIDDEN))
    if hidden.total and all(node in nodes for node in free):
        arcs.setdefault(free[0], set()).add(free[1])
        arcs.setdefault(free[1], set()).add(free[0])
    found = set()
    for edge, (part, _whole) in graph.items():
        row, column = edge
        low, high = room[edge]
        if edge not in small or row in told or column in told:
            continue
        if low < part < high:
            # Up along a path back from its column to its row, down along one from its row
            # to its column, neither through the cell itself.
            if (
                between
                and people_of[edge] == 1
                and not (_reaches(arcs, column, row, edge) or _reaches(arcs, row, column, edge))
            ):
                found.add(edge)
            continue
        # At 0 (its least) it goes up along a path back from its column to its row; full (its
        # most), down along one from its row to its column.
        if not (_reaches(arcs, column, row) if part == low else _reaches(arcs, row, column)):
            found.add(edge)
    return found | (_counted(members, arcs, told) if counted else set())


def _counted(
    members: Mapping[tuple[Node, Node], list[tuple[float, float, float, float]]],
    arcs: Mapping[Node, set[Node]],
    told: set[Node],
) -> set[tuple[Node, Node]]:
    """`pinned_cells`' `counted`: the merged cells holding a cell of 1 or 2 people, or
    counting 1 or 2, that can move neither way. Up: another cell merged with it goes down
    (two hidden regions' women: Cusco's one up, Piura's one down, every sum shown kept), or
    along a path back from its column to its row; down, the other way."""
    found = set()
    for edge, inside in members.items():
        row, column = edge
        if row in told or column in told:
            continue
        for k, (part, low, high, people) in enumerate(inside):
            if low >= high or not (too_small(people) or too_small(part)):
                continue
            others = inside[:k] + inside[k + 1 :]
            up = part < high and (
                any(p > lo for p, lo, _h, _n in others) or _reaches(arcs, column, row, edge)
            )
            down = part > low and (
                any(p < hi for p, _l, hi, _n in others) or _reaches(arcs, row, column, edge)
            )
            if not (up or down):
                found.add(edge)
    return found


def _at_end(part: float, whole: float) -> bool:
    return part == 0 or (whole != inf and part == whole)


def _reaches(
    arcs: Mapping[Node, set[Node]],
    start: Node,
    goal: Node,
    besides: tuple[Node, Node] | None = None,
) -> bool:
    """Whether a path of `arcs` leads from `start` to `goal`, not along the arc between the
    two nodes of `besides` (a cell's own)."""
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        for other in arcs.get(node, ()):
            if besides is not None and {node, other} == set(besides):
                continue
            if other == goal:
                return True
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return False
