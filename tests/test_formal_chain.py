"""`formal_chain` read the way its docstring's proof reads it, on random tables of region x
sex over four quarters: every cell's stocks written as S_1, S_2, ..., each quarter's flows
as S_k - S_(k-1) (S_0 = 0), every figure the quarters print as a row over them. A figure a
quarter's own rule hides must not be a sum or difference of the printed rows (all quarters
together) unless it is one of its own quarter's printed figures alone (stocks and flows read
apart, as that rule reads them). A stock printed at 0 gives each of its cells' at 0, to both
(seed 10 of tests/test_formal_stocks). Random own patterns, closed or not: what an own rule
gives away is its own; what the chain gives is this module's."""

from __future__ import annotations

import random

import numpy as np
import pytest

from bot.services.indicators.formal_chain import (
    PAIRS,
    Figure,
    Group,
    Printed,
    as_printed,
    covers,
    hideable,
)

QUARTERS = 4


def _draw(rng: random.Random) -> list[Printed]:
    regions = [f"R{r}" for r in range(rng.randint(1, 3))]
    sexes = ["female", "male", "other"][: rng.randint(1, 3)]
    cells = [(r, s) for r in regions for s in sexes if rng.random() < 0.8]
    groups: list[Group] = [("total",)]
    groups += [("region", r) for r in regions] + [("sex", s) for s in sexes]
    groups += [("cell", r, s) for r, s in cells]
    stocks = {cell: [0, 0] for cell in cells}
    quarters = []
    for _k in range(QUARTERS):
        truth = {}
        for cell, (cases, done) in stocks.items():
            new = rng.randint(0, 3)
            now = rng.randint(0, cases - done + new)
            stocks[cell] = [cases + new, done + now]
            truth[cell] = (cases + new, done + now, new, now)
        shown: dict[Figure, int | None] = {}
        for g in groups:
            for m in range(4):
                value = sum(counts[m] for cell, counts in truth.items() if covers(g, cell))
                hidden = hideable((*g, m)) and rng.random() < 0.3
                shown[(*g, m)] = None if hidden else value
        quarters.append(Printed(truth, shown, frozenset(cells)))
    return quarters


def _rows(figure: Figure, k: int, cells: list, stock: int) -> np.ndarray:
    """The figure of quarter k (0-based) as a row over S_1..S_N's cells."""
    row = np.zeros(QUARTERS * len(cells))
    for c, cell in enumerate(cells):
        if covers(figure[:-1], cell):
            row[k * len(cells) + c] += 1
            if figure[-1] != stock and k:
                row[(k - 1) * len(cells) + c] -= 1
    return row


def _zeros(quarter: Printed, k: int, cells: list, stock: int) -> list[np.ndarray]:
    """Quarter k's cells under a stock printed at 0, each a row of its own: it is 0."""
    zeros = [f[:-1] for f, v in quarter.shown.items() if f[-1] == stock and v == 0]
    width = len(cells)
    return [
        np.eye(QUARTERS * width)[k * width + c]
        for c, cell in enumerate(cells)
        if any(covers(g, cell) for g in zeros)
    ]


def _in_span(rows: list[np.ndarray], row: np.ndarray) -> bool:
    if not rows:
        return not row.any()
    matrix = np.array(rows)
    return np.linalg.matrix_rank(np.vstack([matrix, row])) == np.linalg.matrix_rank(matrix)


def _own(quarter: Printed, figure: Figure, cells: list, measures: tuple[int, int]) -> bool:
    """Whether the quarter's own printed figures of the figure's count give it alone (a
    stock: with its cells under a stock printed at 0)."""
    rows = [
        np.array([1.0 if covers(f[:-1], cell) else 0.0 for cell in cells])
        for f, v in quarter.shown.items()
        if f[-1] == figure[-1] and v is not None
    ]
    if figure[-1] == measures[0]:
        rows += [row[: len(cells)] for row in _zeros(quarter, 0, cells, measures[0])]
    target = np.array([1.0 if covers(figure[:-1], cell) else 0.0 for cell in cells])
    return _in_span(rows, target)


@pytest.mark.parametrize("seed", range(40))
def test_no_figure_a_quarter_hides_is_given_back_by_the_quarters_together(seed: int) -> None:
    own = _draw(random.Random(seed))
    final: list[Printed] = []
    for quarter in own:
        final.append(as_printed(final[-1] if final else None, quarter))
    cells = sorted(own[0].people, key=repr)
    for pair in PAIRS:
        stock = pair[0]
        rows = [
            _rows(f, k, cells, stock)
            for k, quarter in enumerate(final)
            for f, v in quarter.shown.items()
            if f[-1] in pair and v is not None
        ]
        rows += [row for k, quarter in enumerate(final) for row in _zeros(quarter, k, cells, stock)]
        for k, quarter in enumerate(own):
            for f, v in quarter.shown.items():
                if f[-1] in pair and v is None and not _own(quarter, f, cells, pair):
                    assert not _in_span(rows, _rows(f, k, cells, stock)), (seed, k, f)
