"""What a quarter's report of indicator 5 hides beside the quarters before it
(tests/test_formal_stocks.py). Indicator 5 prints stocks at the quarter's end (formalization
cases registered by then, formalized by then) beside flows in the quarter (registered in it,
formalized in it). Cases are not deleted, so in each cell of region and sex, and so in every
group of cells (a region, a sex, a region's sex, the total), for quarter n:

    S_n = S_(n-1) + F_n    (cases and registered; formalized and formalized in it: at most,
                            equal where no case left «Formalizado», taken as known)

and S_0 = 0 before the first quarter with a case. Each quarter's own rule makes its stocks'
pattern of «—» such that no hidden stock is a sum or difference of the stocks it shows. The
rule here, quarter by quarter, given the quarter before's figures as printed:

1. where the own rule hides a flow of a group whose stock the quarter before printed (or
   gave by sums), the stock at the end is hidden too, with enough other stocks that the
   quarter's shown stocks give none of those newly hidden back (`_close`);
2. a flow is printed only where its group's stock is known at both ends (printed, or a sum
   or difference of those printed, `_known`): there it is their difference, redundant.

Why no hidden figure is then a linear combination of printed ones (soundness), as whole
numbers or not: write every cell's stocks as S_1 + F_2 + ... + F_n, so that the unknowns are
S_1 and each quarter's flows, all free of each other. Quarter k's printed stocks are
functionals b of S_k, i.e. b applied to S_1, F_2, ..., F_k; its printed flows (rule 2) are
functionals c lying in both span(V_(k-1)) and span(V_k) (V_k: quarter k's printed stocks),
so c(F_k) = c(S_k) - c(S_(k-1)) adds nothing. Say a combination of printed stocks
sum_k b_k(S_k) equals a hidden stock h(S_j): comparing the coefficients of F_n, F_(n-1), ...
in turn, b_k = 0 for k > j, b_j = h, and b_k = 0 for k < j, so h is in span(V_j): its own
quarter alone gives it, which its rule excludes (or it is known there: not hidden by that
quarter, `_known`). A hidden flow h(F_j) = h(S_j) - h(S_(j-1)) likewise needs h in span(V_j)
and in span(V_(j-1)): known at both ends, where rule 1 hid the stock at the end. With S_0 = 0
the first quarter's flows are its stocks: hidden where its stocks are. A year shows only
what every quarter shows (`joint`): its stocks are Q4's, its flows sums of shown flows.

Not covered (said, not proven): bounds across quarters (a stock never falls, so a shown
stock bounds the hidden one before it from above); each quarter's rule reads its own bounds.
Linear algebra on a table of some hundred cells: milliseconds, whatever the data.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field

import numpy as np

Cell = tuple[Hashable, Hashable]  # (region, sex)
# ("region", code, m), ("sex", sex, m), ("cell", code, sex, m) (a region's own table by
# sex), ("total", m); m one of the four counts below.
Figure = tuple[Hashable, ...]
Group = tuple[Hashable, ...]  # a figure without its count
STOCK, DONE, NEW, NOW = range(4)  # cases, formalized (at the end), registered, formalized in it
PAIRS = ((STOCK, NEW), (DONE, NOW))  # each stock and its flow
# Shown however few: a region's cases and those registered in the quarter, and their totals.
ALWAYS = frozenset({STOCK, NEW})
TOLERANCE = 1e-7  # of a residual of 0/1 rows: 0 or at least ~1/cells


@dataclass(frozen=True, slots=True)
class Printed:
    """One quarter: `truth` per cell the four counts; `shown` every figure its reports print,
    None where they show «—»; `people` the cells with someone registered at its end (to the
    reader, a cell that may have cases: /registrados shows the others at 0); `officials`
    per region the officials of its cases up to the end and of those registered in it
    (`formal_whole`: a region of k officials has cases of k sexes at most)."""

    truth: Mapping[Cell, tuple[int, int, int, int]]
    shown: Mapping[Figure, int | None]
    people: frozenset[Cell] = frozenset()
    officials: Mapping[Hashable, tuple[int, int]] = field(default_factory=dict)


def covers(group: Group, cell: Cell) -> bool:
    """Whether the group's counts sum the cell's."""
    kind = group[0]
    if kind == "total":
        return True
    if kind == "region":
        return cell[0] == group[1]
    if kind == "sex":
        return cell[1] == group[1]
    return cell == (group[1], group[2])


def hideable(figure: Figure) -> bool:
    return not (figure[0] in ("region", "total") and figure[-1] in ALWAYS)


def as_printed(before: Printed | None, own: Printed) -> Printed:
    """The quarter `own` (its figures by its own rule) as printed after `before` (the
    quarter before's, as printed; None: no case before it, every stock 0)."""
    cells = sorted({*own.truth, *own.people, *(_cells(before) if before else ())}, key=repr)
    shown = dict(own.shown)
    for stock, flow in PAIRS:
        groups = sorted({f[:-1] for f in shown if f[-1] in (stock, flow)}, key=repr)
        start = _known(before, stock, groups, cells) if before else set(groups)
        newly = [
            g for g in groups
            if g in start and shown.get((*g, flow), 0) is None
            and shown.get((*g, stock)) is not None and hideable((*g, stock))
        ]  # fmt: skip
        for g in newly:
            shown[(*g, stock)] = None
        _close(shown, stock, newly, cells, own.truth)
        end = _known(Printed(own.truth, shown), stock, groups, cells)
        for g in groups:
            if (*g, flow) in shown and not (g in start and g in end):
                shown[(*g, flow)] = None
    return Printed(own.truth, shown, own.people, own.officials)


def _cells(quarter: Printed) -> set[Cell]:
    return {*quarter.truth, *quarter.people}


def _row(group: Group, cells: list[Cell]) -> np.ndarray:
    return np.array([1.0 if covers(group, cell) else 0.0 for cell in cells])


def _basis(
    shown: Mapping[Figure, int | None], stock: int, cells: list[Cell], zeros: bool = True
) -> np.ndarray:
    """An orthonormal basis (rows) of the span of the stocks `shown` prints, and (`zeros`)
    of each cell under a stock printed at 0 (a count of none: each of its cells is 0, seed
    10: a flow beside it is known)."""
    rows = [_row(f[:-1], cells) for f, v in shown.items() if f[-1] == stock and v is not None]
    empty = [f[:-1] for f, v in shown.items() if f[-1] == stock and v == 0 and zeros]
    rows += [
        np.eye(len(cells))[c] for c, cell in enumerate(cells) if any(covers(g, cell) for g in empty)
    ]
    if not rows or not cells:
        return np.zeros((0, len(cells)))
    _u, sizes, vt = np.linalg.svd(np.array(rows), full_matrices=False)
    return vt[sizes > TOLERANCE]


def _in_span(basis: np.ndarray, row: np.ndarray) -> bool:
    residual = row - basis.T @ (basis @ row) if len(basis) else row
    return float(np.abs(residual).max(initial=0.0)) < TOLERANCE


def _known(
    quarter: Printed | None, stock: int, groups: Collection[Group], cells: list[Cell]
) -> set[Group]:
    """The groups whose stock the quarter's printed stocks give, summed or subtracted (a
    group of nobody's cells: 0, known; so is one its tables have no row for: a region with
    no case yet)."""
    if quarter is None:
        return set(groups)
    shown = {**{(*g, stock): 0 for g in groups}, **quarter.shown}
    basis = _basis(shown, stock, cells)
    return {g for g in groups if _in_span(basis, _row(g, cells))}


def _close(
    shown: dict[Figure, int | None],
    stock: int,
    newly: list[Group],
    cells: list[Cell],
    truth: Mapping[Cell, tuple[int, int, int, int]],
) -> None:
    """Hides more of the quarter's stocks until none of `newly` (hidden here) is a sum or
    difference of those shown: for each, another stock of its kind (a region's, a sex's…)
    first, the smallest first, that leaves it out of their span. One that no hiding frees
    (a region's cases are always shown: a region of one sex's officials) stays as it is.
    Sums and differences only: a part of a stock printed at 0 is told openly (the rule's
    limit), and hiding the 0 would take the total too."""

    def size(group: Group) -> int:
        return sum(counts[stock] for cell, counts in truth.items() if covers(group, cell))

    for group in newly:
        row = _row(group, cells)
        while _in_span(_basis(shown, stock, cells, zeros=False), row):
            candidates = sorted(
                (g for f, v in shown.items() for g in [f[:-1]]
                 if f[-1] == stock and v is not None and hideable(f)),
                key=lambda g: (g[0] != group[0], size(g), repr(g)),
            )  # fmt: skip
            chosen = next(
                (g for g in candidates
                 if not _in_span(
                     _basis({**shown, (*g, stock): None}, stock, cells, zeros=False), row
                 )),
                None,
            )  # fmt: skip
            if chosen is None:
                chosen = candidates[0] if candidates else None
            if chosen is None:
                break
            shown[(*chosen, stock)] = None


def without(own: Printed, figures: frozenset[Figure]) -> Printed:
    """`own` with `figures` hidden besides (a trial of `formal_whole`)."""
    shown = {f: None if f in figures else v for f, v in own.shown.items()}
    return Printed(own.truth, shown, own.people, own.officials)


def _sex(figure: Figure) -> Hashable:
    """The figure's sex; a region's or the total's: one of no sex («Sin dato» is None)."""
    return figure[1] if figure[0] == "sex" else figure[2] if figure[0] == "cell" else "\x00"


def trial_pairs(printed: Printed, own: Printed, found: list[Figure]) -> list[frozenset[Figure]]:
    """The pairs (a group's stock and flow) the quarter still shows and may hide, in the
    order `formal_whole` tries them: those of the sexes and counts of the figures `found`
    pinned first, then the fewest cases."""
    sexes = {_sex(f) for f in found}
    measures = {f[-1] for f in found}
    options = []
    for stock, flow in PAIRS:
        groups = {f[:-1] for f, v in printed.shown.items() if v is not None and f[0] != "total"}
        for group in groups:
            pair = frozenset(
                f for f in ((*group, stock), (*group, flow))
                if printed.shown.get(f) is not None and hideable(f)
            )  # fmt: skip
            if not pair:
                continue
            cases = sum(c[stock] for cell, c in own.truth.items() if covers(group, cell))
            near = _sex((*group, stock)) not in sexes, not measures & {stock, flow}
            options.append((*near, cases, repr(sorted(pair, key=repr)), pair))
    return [option[-1] for option in sorted(options, key=lambda o: o[:-1])]


def told_openly(figures: list) -> list:
    """Of (quarter, figure, value), those `formal_whole` takes as told openly: the regions'
    and total's cases and registered (shown however few) and every figure printed at 0."""
    return [
        (p, f, v) for p, f, v in figures
        if v is not None and (v == 0 or (f[0] in ("region", "total") and f[-1] in ALWAYS))
    ]  # fmt: skip
