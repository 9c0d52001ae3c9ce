"""Indicator 5's quarters read as whole numbers: what a quarter's report hides besides the
linear chain's (`formal_chain.as_printed`), so that beside the quarters printed before it no
figure their own rules hide is pinned (tests/test_formal_quarter_split.py, seed 2).

`formal_chain` keeps every hidden figure out of the span of the printed ones: no sum or
difference gives it back. Read as whole numbers, splits do: Q1 hid «Hombre» and «Sin dato»
(4 cases together); Q2 printed «Sin dato» 3 at its end, and «Sin dato» has people in Cusco,
Puno (no formalization case) and Tacna only; Cusco's cases come from one official, so one
sex: «Sin dato»'s 3 are Cusco's 3 or else Tacna's 3, 2 of them in Q1 either way. So quarter k
(printed from its end on, deciding on nothing after it) reads quarters 1..k together, as
printed, and hides more of its own figures until none is pinned.

The reading's unknowns, per quarter and cell of region and sex (those with a case or someone
registered at some quarter's end): cases registered in the quarter `n`, formalized at its
end `d` and formalized in it `w`, all whole and at least 0; the stock of cases is the sum of
`n` so far (no case before the first quarter: `formal_reads._quarters`). Per cell,
`w <= d <= stock` and `d <= d before + w` (a case formalized at the end became so in the
quarter or was so at its start). A region whose cases so far (or those registered in the
quarter) come from `k` officials has at most `k` sexes with such cases (indicator 4 prints
its officials by region; `k` counts an official once per sex their cases record, so the
truth is always a solution). Each printed figure is the sum of its cells' unknowns.

A figure a quarter's own rule hides is pinned when every whole solution (scipy's HiGHS, each
candidate checked here in whole numbers) gives it one value; not counted: one its own
quarter's own figures pin (its own rule answers for those), one what is told openly pins
(the counts by region and in total, figures printed at 0, the officials), one the quarters
printed before pin beside what the quarter shows however few (decided then). The quarter
hides one more pair (a sex's or a region's own sex's stock and flow) until none is pinned:
the first of `TRIALS` that settles it, else the one that leaves fewest, the pinned figures'
sexes first, then the fewest cases; each trial printed again by `as_printed`, so the linear
chain holds. A program past `PROGRAMS` per system or `NODES`, or that fails, proves nothing:
its target counts as pinned, and as not pinned by figures that excuse it (`_kept`): more
hidden either way. Not read: indicator 4's tables by sex beside these (`formal_sexes`).

What a reading learns it keeps for all its checks (the trials re-read mostly the same
targets: 1,544 programs for a 400-people programme's Q3, 561 with this). Its unknowns and
rules are fixed; each check asks a system: the rules (all, or the cells' and one quarter's
officials'), and some printed figures, each equal to its true value. (1) Every whole solution
found, of any system, is kept (`solutions`), and a later system takes each one that keeps
its every row and bound (checked in whole numbers, `formal_programs.Solver.holds`): a
target it moves is free there, a fact of that system. A system of the same or fewer rows
(a trial hides more than its step; what is told openly, the quarters before and a quarter
alone are fewer figures still) takes every solution of the one before: what one frees
stays free. (2) Pinned carries the other way only, to the same or more rows: `leaks` does
not ask again what the figures that excuse it (`_kept`'s, remembered per key: the same key,
the same figures) pinned in an earlier trial, as `_kept` would excuse it anyway. A program
that settles (HiGHS finds the optimum, or proves there is none) answers a fact of its system,
so the targets pinned are the same whichever programs ran and in what order; only one that
does not (past `NODES` or `PROGRAMS`, a failed check) may answer otherwise, toward hiding.
So the pushes push only the targets no solution has moved yet either way.
(3) Most programs only found a target's true value again (200-people seed 1's Q3: 97 % of
them): no program is asked where the target's unknowns' bounds hold it that way, nor where
the linear relaxation does (`formal_programs.each_way`). (4) A trial is taken only if it
leaves fewer pinned than the best before it, so its reading stops once as many are pinned
that every figure that could excuse them already left free, by a solution found (`_left`;
what is told openly, a set of figures it holds all of: more figures pin more); a trial not
taken prints nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bot.services import report_limit
from bot.services.indicators.formal_chain import (
    DONE,
    NEW,
    NOW,
    STOCK,
    TOLERANCE,
    Cell,
    Figure,
    Printed,
    as_printed,
    covers,
    hideable,
    told_openly,
    trial_pairs,
    without,
)
from bot.services.indicators.formal_programs import Moves, Part, Solver, each_way, part

PUSHES = 8  # programs that move every target left at once (random ways) while each frees some
TRIALS = 4  # pairs tried at each step
N, D, W = range(3)  # a cell's unknowns in a quarter: registered in it, formalized, in it
Target = tuple[int, Figure]  # (quarter, figure)
Row = dict[int, int]
KEPT = 32  # quarters' readings kept per process, the latest used
_KEPT: dict[str, Printed] = {}


def printed_whole(earlier: Sequence[tuple[Printed, Printed]], own: Printed) -> Printed:
    """The quarter `own` (by its own rule) as printed after `earlier` (each quarter before
    it, from the first with a case: by its own rule, as printed), see the module. Kept per
    process for the same figures (`KEPT`; not one cut short by the report's limit): every
    scope's report of a quarter reads the same chain, its programs most of their CPU."""
    key = repr((earlier, own))
    if (found := _KEPT.pop(key, None)) is None:
        found = _printed_whole(earlier, own)
        if report_limit.past():  # cut short: hid more than a whole reading would
            return found
    _KEPT[key] = found
    while len(_KEPT) > KEPT:
        _KEPT.pop(next(iter(_KEPT)))
    return found


def _printed_whole(earlier: Sequence[tuple[Printed, Printed]], own: Printed) -> Printed:
    before = earlier[-1][1] if earlier else None
    printed = as_printed(before, own)
    if not earlier:  # what its figures alone pin, its own rule answers for
        return printed
    reading = _Reading([o for o, _p in earlier] + [own], [p for _o, p in earlier])
    found = reading.leaks(printed)
    chosen: frozenset[Figure] = frozenset()
    while found:
        options = trial_pairs(printed, own, [f for _p, f in found])
        if not options or report_limit.stopped("formal_whole"):
            break
        best: tuple[list[Target], frozenset[Figure], Printed] | None = None
        for pair in options[:TRIALS]:
            trial = chosen | pair
            again = as_printed(before, without(own, trial))
            left = reading.leaks(again, None if best is None else len(best[0]))
            if best is None or len(left) < len(best[0]):
                best = (left, trial, again)
            if not left:
                break
        assert best is not None
        found, chosen, printed = best
    return printed


@dataclass
class _Reading:
    """Quarters 1..k: `owns` by their own rule (k of them), `fixed` the first k - 1 as
    printed; the unknowns, their rules, the targets and what is pinned without the last."""

    owns: list[Printed]
    fixed: list[Printed]
    cells: list[Cell] = field(init=False)
    rules: list[tuple[Row, float, float, int]] = field(init=False)  # (row, lo, hi, quarter)
    upper: list[int] = field(init=False)
    truth: list[int] = field(init=False)
    targets: list[Target] = field(init=False)
    # per kind of figures alone: the targets asked, and those of them pinned
    memo: dict[Any, tuple[set[Target], set[Target]]] = field(init=False, default_factory=dict)
    told: dict[Any, frozenset[Any]] = field(init=False, default_factory=dict)  # openly's figures
    unsure: dict[Any, set[Target]] = field(init=False, default_factory=dict)  # `_kept`'s unsettled
    rows: dict[Target, tuple[Row, Part]] = field(init=False, default_factory=dict)  # `row`'s
    parts: list[tuple[Part, float, float, int]] = field(init=False)  # the rules' (`part`)
    # every whole solution found so far, of any of the reading's systems (`formal_programs`)
    solutions: list[np.ndarray] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.cells = sorted({c for p in self.owns for c in (*p.truth, *p.people)}, key=repr)
        self.upper, self.truth, self.rules = [], [], []
        for p, own in enumerate(self.owns):
            for cell in self.cells:
                counts, region = own.truth.get(cell, (0, 0, 0, 0)), self._region(p, cell[0])
                self.truth += [counts[NEW], counts[DONE], counts[NOW]]
                self.upper += [region[NEW], region[STOCK], region[STOCK]]
        for p in range(len(self.owns)):
            self._cell_rules(p)
        for p in range(len(self.owns)):
            self._official_rules(p)
        self.parts = [(part(row), lo, hi, p) for row, lo, hi, p in self.rules]
        self.targets = [
            (p, f) for p, own in enumerate(self.owns)
            for f, v in sorted(own.shown.items(), key=repr) if v is None
        ]  # fmt: skip

    def _region(self, p: int, region: Hashable) -> list[int]:
        totals = [0, 0, 0, 0]
        for cell, counts in self.owns[p].truth.items():
            if cell[0] == region:
                totals = [a + b for a, b in zip(totals, counts, strict=True)]
        return totals

    def key(self, p: int, cell: int, kind: int) -> int:
        return (p * len(self.cells) + cell) * 3 + kind

    def _stock(self, p: int, cell: int) -> Row:
        return {self.key(q, cell, N): 1 for q in range(p + 1)}

    def _cell_rules(self, p: int) -> None:
        for i in range(len(self.cells)):
            d, w = self.key(p, i, D), self.key(p, i, W)
            self.rules.append(({w: 1, d: -1}, -np.inf, 0, -1))
            self.rules.append(({d: 1, **{k: -1 for k in self._stock(p, i)}}, -np.inf, 0, -1))
            if p:
                self.rules.append(({d: 1, w: -1, self.key(p - 1, i, D): -1}, -np.inf, 0, -1))

    def _official_rules(self, p: int) -> None:
        """At most `k` sexes with cases in a region of `k` officials: a binary per sex."""
        for region, (so_far, in_it) in sorted(self.owns[p].officials.items(), key=repr):
            mine = [i for i, cell in enumerate(self.cells) if cell[0] == region]
            totals = self._region(p, region)
            for most, room, rows in (
                (so_far, totals[STOCK], [self._stock(p, i) for i in mine]),
                (in_it, totals[NEW], [{self.key(p, i, N): 1} for i in mine]),
            ):
                if most >= len(mine):
                    continue
                flags = []
                for row in rows:
                    flag = len(self.upper)
                    self.upper.append(1)
                    self.truth.append(int(sum(self.truth[k] for k in row) > 0))
                    self.rules.append(({**row, flag: -room}, -np.inf, 0, p))
                    flags.append(flag)
                self.rules.append(({f: 1 for f in flags}, -np.inf, most, p))

    def row(self, p: int, figure: Figure) -> Row:
        """The unknowns a figure of quarter `p` sums."""
        return self._kept_row(p, figure)[0]

    def _kept_row(self, p: int, figure: Figure) -> tuple[Row, Part]:
        if (kept := self.rows.get((p, figure))) is None:
            row = self._row(p, figure)
            kept = self.rows[(p, figure)] = (row, part(row))
        return kept

    def _row(self, p: int, figure: Figure) -> Row:
        m, group = figure[-1], figure[:-1]
        row: Row = {}
        for i, cell in enumerate(self.cells):
            if covers(group, cell):
                if m == STOCK:
                    for k in self._stock(p, i):
                        row[k] = row.get(k, 0) + 1
                else:
                    row[self.key(p, i, {NEW: N, DONE: D, NOW: W}[m])] = 1
        return row

    def leaks(self, last: Printed, enough: int | None = None) -> list[Target]:
        """The targets pinned with `last` printed after the fixed quarters, not counted as
        the module says. A target the figures that excuse it (`_kept`'s) already pinned in
        an earlier trial is excused here too whatever these figures give: not asked again.
        `enough`: a trial that leaves that many or more is not taken, so its reading may stop
        once that many are pinned that every excusing figure was asked of and left free (they
        are among its answer whatever the rest gives): that many such are answered then."""
        printed = [*self.fixed, last]
        figures = [(p, f, v) for p, q in enumerate(printed) for f, v in q.shown.items()]
        openly = told_openly(figures)
        excused = set().union(*(
            pinned for key, (_asked, pinned) in self.memo.items()
            if key[0] != "openly" or key == ("openly", repr(openly))
        ))  # fmt: skip
        asked = [t for t in self.targets if t not in excused]
        self.told.setdefault(("openly", repr(openly)), frozenset(openly))
        known = set() if enough is None else {t for t in asked if self._left(t, openly)}
        stuck = self._pinned(
            asked, [(p, f, v) for p, f, v in figures if v is not None], known=known, enough=enough
        )
        if enough is not None and len(stuck & known) >= enough:
            return sorted(stuck & known, key=repr)
        if not stuck:
            return []
        stuck -= self._kept(("openly", repr(openly)), stuck, openly)
        # the quarters before with what this one shows however few: none of its to hide
        before = [
            (p, f, v) for p, f, v in figures
            if v is not None and (p < len(self.fixed) or not hideable(f))
        ]  # fmt: skip
        stuck -= self._kept(("before",), stuck, before)
        for p in sorted({p for p, _f in stuck}):
            alone = [(p, f, v) for f, v in self.owns[p].shown.items() if v is not None]
            stuck -= self._kept(("alone", p), {t for t in stuck if t[0] == p}, alone, only=p)
        return sorted(stuck, key=repr)

    def _left(self, t: Target, openly: list) -> bool:
        """Whether `t`, pinned, is left to hide whatever else is read: the figures that would
        excuse it (`_kept`'s) were asked of it and left it free: the quarters before, its
        quarter alone, and what is told openly, or more such figures (more figures pin more:
        what they leave free these leave free)."""

        def freed(key: Any) -> bool:  # by a solution found, not an unsettled program
            asked, pinned = self.memo.get(key, ((), ()))
            return t in asked and t not in pinned and t not in self.unsure.get(key, ())

        told = frozenset(openly)
        return (freed(("before",)) and freed(("alone", t[0])) and any(
            freed(key) and told <= self.told[key] for key in self.memo if key[0] == "openly"
        ))  # fmt: skip

    def _kept(
        self, key: Any, stuck: set[Target], figures: list, only: int | None = None
    ) -> set[Target]:
        """Those of `stuck` that `figures` alone pin, remembered per `key`."""
        asked, pinned = self.memo.setdefault(key, (set(), set()))
        if new := stuck - asked:
            unsure = self.unsure.setdefault(key, set())
            pinned |= self._pinned(sorted(new, key=repr), figures, only, sure=True, unsure=unsure)
            asked |= new
        return stuck & pinned

    def _pinned(
        self,
        targets: Sequence[Target],
        figures: list,
        only: int | None = None,
        sure: bool = False,
        known: set[Target] = frozenset(),  # type: ignore[assignment]
        enough: int | None = None,
        unsure: set[Target] | None = None,
    ) -> set[Target]:
        """The targets no whole solution of `figures` (and the rules: of quarter `only`'s
        officials alone, if given) moves from their true value: those no solution found so far
        moves, nor programs pushing them (`PUSHES`, then each its ways); one whose program did
        not settle, too, unless `sure` (`_kept`'s: pinned there excuses, see the module), and
        added to `unsure`. With `enough`: those of `known` first, and only those answered once
        `enough` of `known` are pinned (`leaks`)."""
        rows = {t: self.row(*t) for t in targets}
        nothing = self._spanned(rows, figures)  # no program needed
        solver = Solver(
            [(r, lo, hi) for r, lo, hi, p in self.parts if only is None or p in (-1, only)]
            + [(self._kept_row(p, f)[1], v, v) for p, f, v in figures],
            self.upper,
        )
        asked = sorted(set(targets) - nothing, key=repr)
        moves = Moves(asked, rows, self.truth)
        up, down = set(asked), set(asked)

        def free(x: np.ndarray) -> None:
            self.solutions.append(x)
            moves.free(x[None, :], up, down)

        if asked and self.solutions:
            found = np.array(self.solutions)
            moves.free(found[solver.holds(found)], up, down)
        rng = np.random.default_rng(0)
        for _push in range(PUSHES):
            if not (still := up & down):
                break
            cost = np.zeros(len(self.truth))
            for t in sorted(still, key=repr):
                for sign in (-1.0, 1.0):
                    weight = sign * (rng.random() + 0.5)
                    for k, c in rows[t].items():
                        cost[k] += weight * c
            if (x := solver.solve(cost)) is not None:
                free(x)
            if len(up & down) == len(still):
                break
        unsettled: set[Target] = set()
        ways = (up, down)
        stopped = each_way(
            solver, rows, self.truth, ways, free, unsettled, known, enough, nothing & known
        )
        if unsure is not None:
            unsure |= unsettled
        if stopped is not None:
            return stopped
        return ((up & down) - (unsettled if sure else set())) | nothing

    def _spanned(self, rows: dict[Target, Row], figures: list) -> set[Target]:
        """The targets a sum or difference of `figures` gives (their unknowns held at 0 left
        out): pinned without a program."""
        zeros = self._zeros(figures)
        free = sorted({k for p, f, _v in figures for k in self.row(p, f)} - zeros)
        column = {k: i for i, k in enumerate(free)}
        found = {t for t, row in rows.items() if zeros.issuperset(row)}
        matrix = np.zeros((len(figures), len(free)))
        for r, (p, f, _v) in enumerate(figures):
            for k, c in self.row(p, f).items():
                if k in column:
                    matrix[r, column[k]] = c
        if not free or not len(figures):
            return found
        _u, sizes, vt = np.linalg.svd(matrix, full_matrices=False)
        basis = vt[sizes > TOLERANCE]
        for t, row in rows.items():
            if t in found or any(k not in column for k in row if k not in zeros):
                continue
            vector = np.zeros(len(free))
            for k, c in row.items():
                if k in column:
                    vector[column[k]] = c
            residual = vector - basis.T @ (basis @ vector)
            if float(np.abs(residual).max(initial=0.0)) < TOLERANCE:
                found.add(t)
        return found

    def _zeros(self, figures: list) -> set[int]:
        """The unknowns figures printed at 0 hold at 0 (all unknowns are at least 0), and
        those of a cell's formalized where its cases are so held."""
        zeros = {k for p, f, v in figures if v == 0 for k in self.row(p, f)}
        for p in range(len(self.owns)):
            for i in range(len(self.cells)):
                if zeros.issuperset(self._stock(p, i)):
                    zeros.add(self.key(p, i, D))
                if self.key(p, i, D) in zeros:
                    zeros.add(self.key(p, i, W))
        return zeros
