"""Two counts of one table read together as whole numbers: people, and the things they did
(indicator 4's officials and their cases), where whoever did one thing is counted, and only
they did any. Each count alone is bounded as `bot.services.bounded_cells` reads it; the
link is what that reading misses. Piura 4 cases of 3 officials, «Sin dato» 5 of 3: had
Piura's one «Prefiero no decir» registered none, Piura's 3 officials would be all of «Sin
dato»'s, so «Sin dato»'s 5 cases all Piura's (an official of another region would be
needed for a case), not 4: so they registered one.

A cell holds `o` people counted, of its `p` (0 ≤ o ≤ p), and `c` things, `o ≤ c`, none
when `o` is 0. With `e = c - o` (things beyond one each), a figure's two sums are one of
`o` and one of `e`, each a two-way table of its own (a network: every vertex of its
polytope is whole, so whether one fits is a cut condition, checked over the subsets of the
smaller side); the tables are tied only by which cells have someone (`e > 0` needs
`o ≥ 1`). A cell of 1 or 2 people is given away where every solution has its `o` at 0 or
at `p`, and a cell of 1 or 2 counted (`o`, the count its own report hides) where every
solution has that `o` (Piura's 1 «Prefiero no decir» official of 2 people: national 3,
less Cusco's 2, all of its people that sex, Tacna none: test_case_one_sex_region): the
search asks for one with `o` elsewhere, deciding cell by cell whether it has
someone (each choice narrowing the others: a cell that cannot have someone, or cannot have
no one, is settled), tried first as the true cells have it. Past a budget the cell counts
as given away (the caller hides more: the safe side), as past the report's limit
(`report_limit`, REPORT_SECONDS: its checks grow with the cells and figures). Cells shown
on their own (a region's own report by sex) are known; a cell in a row or column shown at
either end (0, or all of its people) is told openly, the documented limit of
`bot.services.small_cells`. Hidden rows (columns) are one node, their sum the total less
those shown (the total taken as known)."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterator, Mapping
from functools import cache

import numpy as np

from bot.services import report_limit
from bot.services.small_cells import Hidden, too_small

Key = tuple[Hashable, Hashable]
Node = tuple[int, Hashable]
Edge = tuple[Node, Node]
_HIDDEN = "\x00hidden"  # the node of every hidden row (column); sorts first, repr-stable
BUDGET = 400  # feasibility checks per cell before it counts as given away
MOST_SIDE = 10  # the smaller side's nodes, at most, for the cut check over its subsets


def each_pinned(
    cells: Mapping[Key, tuple[int, int, int]],
    hidden: Hidden,
    apart: Collection[Key] = (),
    budget: int = BUDGET,
) -> Iterator[Key]:
    """The cells (in the order of their `repr`, one by one: a caller that hides one more
    figure reads again) of 1 or 2 people whose people counted every solution of the figures
    shown pins at 0 or at all of them, and those of 1 or 2 counted it pins at that count.
    `cells`: (row, column) -> (people counted, things, people); `hidden`: the rows and
    columns not shown; `apart`: cells shown on their own."""
    table = _Table(cells, hidden, apart)
    for key in sorted(cells, key=repr):
        if table.candidate(key) and not table.moves(key, budget):
            yield key


class _Table:
    def __init__(
        self, cells: Mapping[Key, tuple[int, int, int]], hidden: Hidden, apart: Collection[Key]
    ) -> None:
        self.cells = {key: (o, c, max(p, o)) for key, (o, c, p) in cells.items()}
        self.apart = set(apart)
        self.hidden = hidden
        sums: dict[Node, list[int]] = {}
        for key, (o, _c, p) in self.cells.items():
            for node in self._nodes(key):
                entry = sums.setdefault(node, [0, 0])
                entry[0] += o
                entry[1] += p
        values = self.cells.values()
        self.everyone_told = _at_end(sum(v[0] for v in values), sum(v[2] for v in values))
        hiding = {0: hidden.rows, 1: hidden.columns}
        self.told = {
            node
            for node, (o, p) in sums.items()
            if node[1] not in hiding[node[0]] and _at_end(o, p)
        }
        # The cells not shown on their own, merged by (row node, column node): cells of one
        # such edge trade places freely, so the edge is one cell of their people.
        self.edges: dict[Edge, list[int]] = {}
        self.o_sums: dict[Node, int] = {}
        self.e_sums: dict[Node, int] = {}
        for key, (o, c, p) in self.cells.items():
            if key in self.apart:
                continue
            row, column = self._merged(key)
            entry = self.edges.setdefault((row, column), [0, 0, 0])
            entry[0] += o
            entry[1] += c - o
            entry[2] += p
            for node in (row, column):
                self.o_sums[node] = self.o_sums.get(node, 0) + o
                self.e_sums[node] = self.e_sums.get(node, 0) + c - o
        self.order = sorted(self.edges, key=repr)
        self.most_e = sum(e for _o, e, _p in self.edges.values())

    def _nodes(self, key: Key) -> tuple[Node, Node]:
        return (0, key[0]), (1, key[1])

    def _merged(self, key: Key) -> tuple[Node, Node]:
        row = (0, _HIDDEN if key[0] in self.hidden.rows else key[0])
        column = (1, _HIDDEN if key[1] in self.hidden.columns else key[1])
        return row, column

    def candidate(self, key: Key) -> bool:
        """Whether `key` is a cell of 1 or 2 people at an end, or of 1 or 2 people counted,
        neither known on its own nor told by a figure shown at its end."""
        o = self.cells[key][0]
        if self.everyone_told or key in self.apart:
            return False
        if any(node in self.told for node in self._nodes(key)):
            return False
        return self._at_small_end(key) or too_small(o)

    def _at_small_end(self, key: Key) -> bool:
        o, _c, p = self.cells[key]
        return too_small(p) and o in (0, p)

    def moves(self, key: Key, budget: int) -> bool:
        """Whether some solution has `key`'s people counted away from its true end, or (1
        or 2 counted: the count its own report hides) away from its true count."""
        o, _c, p = self.cells[key]
        edge = self._merged(key)
        bounds = {e: (0, values[2]) for e, values in self.edges.items()}
        low, high = bounds[edge]
        if self._at_small_end(key):
            bounds[edge] = (1, high) if o == 0 else (low, high - 1)
            return _Search(self, bounds, budget).run()
        counted, _e, people = self.edges[edge]
        if min(p, counted) > max(0, counted - (people - p)):
            return True  # the edge's other cells trade places with it at its true sum
        return any(
            _Search(self, {**bounds, edge: other}, budget).run()
            for other in ((low, counted - 1), (counted + 1, high))
            if other[0] <= other[1]
        )


class _Search:
    """Whether some whole solution fits `bounds` (each edge's people counted): per edge,
    someone (1), no one (0) or undecided (None)."""

    def __init__(self, table: _Table, bounds: dict[Edge, tuple[int, int]], budget: int) -> None:
        self.table = table
        self.bounds = bounds
        self.left = budget

    def run(self) -> bool:
        state: dict[Edge, int | None] = {}
        for edge, (low, high) in self.bounds.items():
            state[edge] = 0 if high == 0 else 1 if low >= 1 else None
        try:
            return self._search(state)
        except _OverBudget:
            return False

    def _search(self, state: dict[Edge, int | None]) -> bool:
        if not self._fits(state, None):
            return False
        table = self.table
        truth = {
            edge: 1 if table.edges[edge][1] else "e0" for edge, z in state.items() if z is None
        }
        for rest in (truth, 1, "e0"):
            if self._fits(state, rest):
                return True
        state = dict(state)
        changed = True
        while changed:  # settle the cells that cannot have someone, or no one
            changed = False
            for edge in table.order:
                if state[edge] is not None:
                    continue
                can_one = self._fits({**state, edge: 1}, None)
                can_none = self._fits({**state, edge: 0}, None)
                if not (can_one or can_none):
                    return False
                if can_one != can_none:
                    state[edge] = 1 if can_one else 0
                    changed = True
        open_ = [edge for edge in table.order if state[edge] is None]
        if not open_:
            return self._fits(state, None)
        if self._fits(state, 1) or self._fits(state, "e0"):
            return True
        edge = open_[0]
        return self._search({**state, edge: 1}) or self._search({**state, edge: 0})

    def _fits(self, state: Mapping[Edge, int | None], rest: object) -> bool:
        """Whether both tables fit: undecided edges as `rest` says (None: either way, the
        relaxation; 1: someone; "e0": no things beyond one each; a dict: per edge)."""
        self.left -= 1
        if self.left < 0 or report_limit.stopped("linked_counts"):
            raise _OverBudget
        table = self.table
        o_bounds: dict[Edge, tuple[int, int]] = {}
        e_caps: dict[Edge, int] = {}
        for edge, z in state.items():
            low, high = self.bounds[edge]
            if z is None:
                z = rest.get(edge) if isinstance(rest, dict) else rest
            if z == 0:
                if low > 0:
                    return False
                o_bounds[edge], e_caps[edge] = (0, 0), 0
            elif z == 1:
                if high < 1:
                    return False
                o_bounds[edge], e_caps[edge] = (max(low, 1), high), table.most_e
            elif z == "e0":
                o_bounds[edge], e_caps[edge] = (low, high), 0
            else:
                o_bounds[edge], e_caps[edge] = (low, high), table.most_e
        e_bounds = {edge: (0, cap) for edge, cap in e_caps.items()}
        return network(o_bounds, table.o_sums) and network(e_bounds, table.e_sums)


class _OverBudget(Exception):
    pass


def network(bounds: Mapping[Edge, tuple[int, int]], sums: Mapping[Node, int]) -> bool:
    """Whether whole values within `bounds` on the edges of a two-way table add up to every
    node's sum: after the lower bounds, max flow = min cut, over the subsets T of the smaller
    side: sum of T's needs <= sum over the other side of min(its supply, its room into T)."""
    left: dict[Node, int] = dict(sums)
    room: dict[Edge, int] = {}
    for (row, column), (low, high) in bounds.items():
        if high < low:
            return False
        left[row] -= low
        left[column] -= low
        room[(row, column)] = high - low
    if any(v < 0 for v in left.values()):
        return False
    sides: tuple[list[Node], list[Node]] = ([], [])
    for node in sorted(left, key=repr):
        sides[node[0]].append(node)
    small = 0 if len(sides[0]) < len(sides[1]) else 1
    if len(sides[small]) > MOST_SIDE:
        raise _OverBudget
    index = {node: i for i, node in enumerate(sides[small])}
    others = {node: i for i, node in enumerate(sides[1 - small])}
    rooms = np.zeros((len(others), len(index)), dtype=np.int64)
    for edge, r in room.items():
        rooms[others[edge[1 - small]], index[edge[small]]] += r
    subsets = _subsets(len(index))
    needs = np.array([left[node] for node in sides[small]], dtype=np.int64) @ subsets
    supplies = np.array([left[node] for node in sides[1 - small]], dtype=np.int64)
    reach = np.minimum(supplies[:, None], rooms @ subsets).sum(axis=0)
    return bool(np.all(needs <= reach))


@cache
def _subsets(size: int) -> np.ndarray:
    """Every subset of `size` things, one column each (0/1)."""
    masks = np.arange(1 << size)
    return ((masks[None, :] >> np.arange(size)[:, None]) & 1).astype(np.int64)


def _at_end(counted: int, people: int) -> bool:
    return counted == 0 or counted == people
