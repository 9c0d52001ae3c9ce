"""The exact search of `bot.services.exact_cells` for one cell's move: whole changes of a few
hundred cells at most, narrowed figure by figure and split, within a budget of work (past
it, `OverBudget`: the caller asks the integer programs)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol

Key = tuple[Hashable, ...]


class Moved(Protocol):
    """`exact_cells.Moved` as the search sees it: the work left to all the searches."""

    work: int


ENUMERATED = 9  # a cell's range of fewer changes is split into each one, a wider in two


class OverBudget(Exception):
    """The search's splits (`exact_cells.BUDGET`) or the caller's work (`Moved.work`) ran out."""


class Search:
    """Whole changes `low[k] <= d[k] <= high[k]` of the cells that add up to 0 over every
    figure: the ranges narrowed figure by figure (a change is at least minus what the
    others' can reach at most), then a cell's range split, smallest first; the cells'
    trail of ranges undone on the way back."""

    def __init__(
        self,
        members: dict[int, list[Key]],
        of: dict[Key, list[int]],
        low: dict[Key, int],
        high: dict[Key, int],
        budget: int,
        moved: Moved,
    ) -> None:
        self.members, self.of, self.low, self.high = members, of, low, high
        self.moved = moved
        self.trail: list[tuple[Key, int, int]] = []
        self.left = budget

    def solve(self) -> dict[Key, int] | None:
        if not self._narrow(set(self.members)) or not self._split():
            return None
        return {k: v for k, v in self.low.items() if v}

    def _set(self, key: Key, low: int, high: int) -> None:
        self.trail.append((key, self.low[key], self.high[key]))
        self.low[key], self.high[key] = low, high

    def _undo(self, mark: int) -> None:
        while len(self.trail) > mark:
            key, low, high = self.trail.pop()
            self.low[key], self.high[key] = low, high

    def _narrow(self, queue: set[int]) -> bool:
        low, high = self.low, self.high
        while queue:
            figure = queue.pop()
            keys = self.members[figure]
            self.moved.work -= len(keys)
            if self.moved.work < 0:
                raise OverBudget
            least = sum(low[k] for k in keys)
            most = sum(high[k] for k in keys)
            if least > 0 or most < 0:
                return False
            if max(high[k] - low[k] for k in keys) <= min(-least, most):
                continue  # no cell's range reaches past what the others allow
            for k in keys:
                top, bottom = min(high[k], low[k] - least), max(low[k], high[k] - most)
                if (bottom, top) != (low[k], high[k]):
                    if bottom > top:
                        return False
                    self._set(k, bottom, top)
                    queue.update(self.of[k])
        return True

    def _split(self) -> bool:
        self.left -= 1
        if self.left < 0:
            raise OverBudget
        open_ = [(self.high[k] - self.low[k], k) for k in self.low if self.high[k] > self.low[k]]
        if not open_:
            return True
        _size, key = min(open_, key=lambda entry: entry[0])
        low, high = self.low[key], self.high[key]
        if high - low < ENUMERATED:  # each value, no change first: a step moves few cells
            halves = [(v, v) for v in sorted(range(low, high + 1), key=abs)]
        else:
            middle = (low + high) // 2
            halves = [(low, middle), (middle + 1, high)]  # the half nearer no change first
            if high < 0:
                halves.reverse()
        mark = len(self.trail)
        for bottom, top in halves:
            if bottom > top:
                continue
            self._set(key, bottom, top)
            if self._narrow(set(self.of[key])) and self._split():
                return True
            self._undo(mark)
        return False
