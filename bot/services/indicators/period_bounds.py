"""The counts a year's national tables of indicator 1 and 7's people hide besides (and a
quarter's, beside its year so far: `quarter_hides`), beside its quarters' reports (`joint`
keeps subtraction away, not bounds): people counted once over the year are, in each cell of
region and sex and each group (invited, confirmed, delegated, attended), at least those of
any quarter and at most their sum. Seed 4 of
tests/test_period_bounds: Puno invited all 9 of its people in the year, 7 in Q2 (its 4
«Sin dato» among them); the year's men less Puno's 3 left 7 elsewhere, at least Q2's there,
so Puno's men of Q2 were at least 2 of 3, its women of Q2 1 of 2. Seed 1: Puno invited the
same 3 in Q2 and in the year, no woman in Q2 (its own report): its one woman was not invited
in the year either, and the year's women invited were every other region's, all of them.

The groups' chain holds in each period (`meeting_chain`: delegated ≤ confirmed ≤ invited,
attended ≤ invited) and across them: the people counted in two quarters (the quarters' sum
less the year's) of a group are among those of its parent's (seed 5: men confirmed 6 in Q1
and in the year, so Q2's men who confirmed had in Q1; Tacna confirmed 3 in Q1, 2 in Q2, 4 in
the year: one in both, so Tacna's men of Q2 at most 1; Puno invited 3 in both quarters,
confirmed and attended as many in Q1 as in the year, so its 2 confirmers and 2 attendees of
Q2 are among those 3, no man attended in Q2: not both confirmers men; men confirmed 2 in Q2,
Puno's one and Tacna's one). For two quarters and a cell of up to 3 people these
inequalities allow exactly what its people can be (enumerated: each person one of 49 ways).

Each period (the year, each quarter) tells its cells' sums by region and in total per group
(public: /reunion's lists), its national counts of the sexes its tables show per group,
every cell its region's own report shows, and each cell lies between 0 and the people
registered at the period's end. A cell of 1 or 2 people, or one its region's own report
hides that counts 1 or 2 (seed 14: Cusco's women invited, 2 of 3, in Q2 and the year: the
year's women 10, less Tacna's 5, all its people invited in Q2, less Piura's 3, all invited
in Q1 by Tacna's share of women, 3 of 11), that every whole solution of all of them together
(scipy's HiGHS; a candidate taken only once checked here in whole numbers) holds at one
value is pinned; not one pinned by its period's own figures (its rules answer for those: not
made worse here) nor one pinned by what is told openly (the counts by region, figures at 0
or at all of their people, a group shown equal to its parent: 3 of 3 confirmed). The year
then hides one more count by sex (a group's column; the invitees' hide the whole row) until
none is pinned: the first of `TRIALS` that settles it, else the one that leaves fewest
pinned, those of the pinned cells' groups and sexes first, then the fewest people. Pure, for
a worker process.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bot.services.small_cells import too_small

GROUPS = ("invited", "confirmed", "delegated", "attended")
# (group, parent): in each period, of each cell, the group's people are among the parent's
CHAIN = (("confirmed", "invited"), ("delegated", "confirmed"), ("attended", "invited"))


@dataclass(frozen=True, slots=True)
class Scheme:
    """The groups of people a reading counts, the first the root (people registered are its
    whole), and their chain (group, parent); `whole_row`: hiding a sex of the root hides its
    whole row (indicator 1's invitees); `joint`: a quarter's trials hide their sexes from the
    year too (`quarter_hides`), as the year prints them. Indicator 6's readers and 1's
    quarters (`period_reads.quarter_first`) only: with it, 3's Q2 of `--wider` seed 6
    showed «Prefiero no decir» (8 attendees, 6 raters), and the attacker, who reads each
    workshop's parts (this reading does not), pinned three of Puno's own cells of 3 beside
    it (Q1's men raters 1)."""

    groups: tuple[str, ...]
    chain: tuple[tuple[str, str], ...]
    whole_row: bool = False
    joint: bool = False


MEETINGS = Scheme(GROUPS, CHAIN, whole_row=True)
Cell = tuple[Hashable, Hashable]  # (region, sex)
Key = tuple[Hashable, Hashable, str]  # (region, sex, group)
Row = dict[int, int]  # unknown -> coefficient
Hides = dict[str, frozenset[Any]]  # group -> sexes («invited»: the whole row)
# Integer programs per reading, at most: past them, what is left counts as pinned (the year
# hides more: the safe side). A year of 25 regions, 4 groups and 4 quarters is 2,000 unknowns.
PROGRAMS = 400
# Programs that move every target at once (random ways) while each frees some, at most.
PUSHES = 12
# Counts tried at each step (`year_hides`): each trial is a reading of every period.
TRIALS = 4


@dataclass(frozen=True, slots=True)
class Told:
    """One period's people: `counts` per (region, sex, group) (the truth), `people` the
    registered the reader knows at the period's end, `sexes` per group those whose national
    count a table shows, `known` the (region, sex, group) a region's own report shows."""

    counts: Mapping[Key, int]
    people: Mapping[Cell, int]
    sexes: Mapping[str, frozenset[Any]]
    known: frozenset[Key]


@dataclass
class _System:
    """Unknowns (period, cell, group), their bounds and truth; figures as (row, value,
    openly); rules as (row, lo, hi): the chain in each period, the year against its
    quarters."""

    cells: list[Cell]
    periods: int
    scheme: Scheme
    upper: list[int]
    truth: list[int]
    figures: list[tuple[Row, int, bool]]
    rules: list[tuple[Row, float, float]]

    def key(self, period: int, cell: int, group: str) -> int:
        groups = self.scheme.groups
        return (period * len(self.cells) + cell) * len(groups) + groups.index(group)


def _cells(periods: Sequence[Told]) -> list[Cell]:
    keys = {k[:2] for p in periods for k in p.counts} | {c for p in periods for c in p.people}
    return sorted(keys, key=repr)


def _system(
    periods: Sequence[Told], cells: list[Cell], cross: bool, scheme: Scheme = MEETINGS
) -> _System:
    upper, truth = [], []
    root = scheme.groups[0]
    for told in periods:
        for cell in cells:
            whole = int(told.people.get(cell, 0))
            for group in scheme.groups:
                count = int(told.counts.get((*cell, group), 0))
                truth.append(count)
                upper.append(max(count, whole, int(told.counts.get((*cell, root), 0))))
    system = _System(cells, len(periods), scheme, upper, truth, [], [])
    for p, told in enumerate(periods):
        _figures(system, p, told)
        for i in range(len(cells)):
            for group, parent in scheme.chain:
                row = {system.key(p, i, group): 1, system.key(p, i, parent): -1}
                system.rules.append((row, -np.inf, 0))
    if cross:
        _across(system)
    return system


def _figures(system: _System, p: int, told: Told) -> None:
    """Period `p`'s figures: per group its sums by region and in total (public), its
    national counts of the sexes shown, its regions' own cells shown; and a group shown
    equal to its parent for the same people, as that relation alone (told openly)."""
    cells, truth, upper = system.cells, system.truth, system.upper
    values: dict[tuple[str, frozenset[Cell]], int] = {}

    def figure(group: str, members: list[int], public: bool = False) -> None:
        row = {system.key(p, i, group): 1 for i in members}
        value = sum(truth[k] for k in row)
        openly = public or value in (0, sum(upper[k] for k in row))
        system.figures.append((row, value, openly))
        values[(group, frozenset(cells[i] for i in members))] = value

    for group in system.scheme.groups:
        for region in {c[0] for c in cells}:  # public: /reunion's lists by region
            figure(group, [i for i, c in enumerate(cells) if c[0] == region], True)
        figure(group, list(range(len(cells))), True)
        for sex in told.sexes.get(group, ()):
            figure(group, [i for i, c in enumerate(cells) if c[1] == sex])
        for i, cell in enumerate(cells):
            if (*cell, group) in told.known:
                figure(group, [i])
    for group, parent in system.scheme.chain:
        for (shown, members), value in list(values.items()):
            if shown == group and values.get((parent, members)) == value:
                row = {system.key(p, cells.index(c), group): 1 for c in members}
                row.update({system.key(p, cells.index(c), parent): -1 for c in members})
                system.figures.append((row, 0, True))


def _across(system: _System) -> None:
    """The year (period 0) against its quarters, per cell and group: at least each
    quarter's, at most their sum; and those counted more than once (the quarters' sum less
    the year's) of a group at most its parent's, as a person counted in several quarters'
    group is in as many of its parent's."""
    quarters = range(1, system.periods)
    for i in range(len(system.cells)):
        for group in system.scheme.groups:
            year = system.key(0, i, group)
            for q in quarters:
                system.rules.append(({year: 1, system.key(q, i, group): -1}, 0, np.inf))
            row = {year: 1, **{system.key(q, i, group): -1 for q in quarters}}
            system.rules.append((row, -np.inf, 0))
        for group, parent in system.scheme.chain:
            row = {system.key(0, i, group): -1, system.key(0, i, parent): 1}
            for q in quarters:
                row[system.key(q, i, group)] = 1
                row[system.key(q, i, parent)] = -1
            system.rules.append((row, -np.inf, 0))


class _Solver:
    """The integer programs of one system, some of its figures kept."""

    def __init__(self, system: _System, openly: bool) -> None:
        from scipy.optimize import LinearConstraint
        from scipy.sparse import lil_array

        self.system = system
        kept = [(row, v, v) for row, v, told in system.figures if told or not openly]
        rows = kept + system.rules
        self.rows = rows
        matrix = lil_array((len(rows), len(system.truth)))
        for r, (row, _lo, _hi) in enumerate(rows):
            for k, c in row.items():
                matrix[r, k] = c
        self.constraint = LinearConstraint(
            matrix.tocsr(), [lo for _r, lo, _h in rows], [hi for _r, _l, hi in rows]
        )
        self.programs = 0

    def solve(self, cost: np.ndarray) -> list[int] | None:
        """A whole solution minimising `cost`, checked here, or None."""
        from scipy.optimize import Bounds

        from bot.services.integer_moves import solve

        if self.programs >= PROGRAMS:
            return None
        self.programs += 1
        n = len(self.system.truth)
        result = solve(
            cost,
            integrality=np.ones(n),
            bounds=Bounds(np.zeros(n), np.array(self.system.upper, dtype=float)),
            constraints=[self.constraint],
            options={"mip_max_nodes": 1000},
        )
        if result.x is None:
            return None
        x = [round(v) for v in result.x]
        if any(not 0 <= v <= most for v, most in zip(x, self.system.upper, strict=True)):
            return None
        for row, lo, hi in self.rows:
            total = sum(x[k] * c for k, c in row.items())
            if not lo <= total <= hi:
                return None
        return x

    def pinned(self, targets: Sequence[int]) -> set[int]:
        """The targets (unknowns) no whole solution moves from their true value."""
        truth = self.system.truth
        up, down = set(targets), set(targets)
        rng = np.random.default_rng(0)
        n = len(truth)

        def free(x: list[int]) -> None:
            up.difference_update({k for k in up if x[k] > truth[k]})
            down.difference_update({k for k in down if x[k] < truth[k]})

        for _push in range(PUSHES):  # all at once, random directions: each frees many
            if not (up or down):
                break
            cost = np.zeros(n)
            for k in up:
                cost[k] -= rng.random() + 0.5
            for k in down:
                cost[k] += rng.random() + 0.5
            left = len(up) + len(down)
            if (x := self.solve(cost)) is not None:
                free(x)
            if len(up) + len(down) == left:
                break  # the rest one by one
        upper = self.system.upper
        for k in sorted(up & down):  # one moved either way is free: the rest each way
            for sign, end in ((-1.0, upper[k]), (1.0, 0)):  # (not past its bounds)
                if k in up and k in down and truth[k] != end:
                    cost = np.zeros(n)
                    cost[k] = sign
                    if (x := self.solve(cost)) is not None:
                        free(x)
        return up & down


@dataclass
class _Memo:
    """What `_settle`'s trials share: the fixed periods' targets pinned by their own figures
    (every period's but the `lever`'s, whose hidden counts the trials change, and the
    year's beside a quarter lever, which hides them too), and the targets what is told
    openly pins (per set of such figures: the lever's hidden counts rarely change it)."""

    lever: int = 0
    alone: dict[int, bool] = field(default_factory=dict)
    openly: dict[str, set[int]] = field(default_factory=dict)


def _leaks(periods: Sequence[Told], memo: _Memo, scheme: Scheme) -> list[Key]:
    """The cells of 1 or 2 people, or hidden (not `known`) counting 1 or 2, pinned by every
    period's figures together (the first the union of the others) but neither by their own
    period's alone nor by what is told openly, as (region, sex, group)."""
    cells = _cells(periods)
    groups = scheme.groups
    system = _system(periods, cells, cross=True, scheme=scheme)
    width = len(cells) * len(groups)
    targets = [
        system.key(p, i, group)
        for p, told in enumerate(periods)
        for i, cell in enumerate(cells)
        for group in groups
        if (*cell, group) not in told.known
        and (too_small(told.people.get(cell, 0)) or too_small(told.counts.get((*cell, group), 0)))
    ]
    openly = _Solver(system, openly=True)
    told = memo.openly.get(key := repr(openly.rows))
    if told is None:  # pinned openly: pinned by everything too, so asked first
        told = memo.openly[key] = openly.pinned(targets)
    stuck = _Solver(system, openly=False).pinned([k for k in targets if k not in told])
    found = []
    for k in sorted(stuck):
        p, i = divmod(k, width)
        fixed = p not in (memo.lever, 0 if scheme.joint else memo.lever)
        if fixed and k in memo.alone:
            by_itself = memo.alone[k]
        else:
            own = _system([periods[p]], cells, cross=False, scheme=scheme)
            by_itself = i in _Solver(own, openly=False).pinned([i])
            if fixed:
                memo.alone[k] = by_itself
        if not by_itself:
            found.append((*cells[i // len(groups)], groups[i % len(groups)]))
    return found


def year_hides(year: Told, quarters: Sequence[Told]) -> Hides:
    """The sexes the year's national tables hide besides those `year` shows not, per group
    (an invitees' sex: its whole row), so that beside `quarters` no cell of 1 or 2 people is
    pinned."""
    return _settle([year, *quarters], 0, MEETINGS)


def quarter_hides(year: Told, quarters: Sequence[Told], scheme: Scheme) -> Hides:
    """The sexes the last of `quarters` (printed after those before it) hides besides those
    it shows not, per group, so that beside them all and the year so far (`year`: their
    union) no cell of 1 or 2 people is pinned. The year hides what the quarter hides
    (`joint`): with `scheme.joint`, each trial's sexes go from both."""
    return _settle([year, *quarters], len(quarters), scheme)


def _settle(periods: Sequence[Told], lever: int, scheme: Scheme) -> Hides:
    """The sexes period `lever` hides besides, per group: one more at a time until none is
    pinned (`_leaks`), the first of `TRIALS` that settles it, else the one that leaves
    fewest pinned: the pinned cells' groups and sexes first, then the fewest people."""
    groups, root = scheme.groups, scheme.groups[0]
    chosen: Hides = {group: frozenset() for group in groups}
    memo = _Memo(lever)
    mine = periods[lever]

    def leaks(hidden: Hides) -> list[Key]:
        rows = hidden[root] if scheme.whole_row else frozenset()
        sexes = {g: mine.sexes.get(g, frozenset()) - hidden[g] - rows for g in groups}
        every = list(periods)
        every[lever] = Told(mine.counts, mine.people, sexes, mine.known)
        if lever and scheme.joint:  # a quarter's: the year shows none of what it hides
            year = periods[0]
            shown = {g: year.sexes.get(g, frozenset()) - hidden[g] - rows for g in groups}
            every[0] = Told(year.counts, year.people, shown, year.known)
        return _leaks(every, memo, scheme)

    per_sex: dict[Any, int] = {}
    for (_region, sex, group), n in mine.counts.items():
        if group == root:
            per_sex[sex] = per_sex.get(sex, 0) + int(n)
    found = leaks(chosen)
    while found:
        near = {(group, sex) for _region, sex, group in found}
        whole = chosen[root] if scheme.whole_row else frozenset()
        options = sorted(
            ((g, s) not in near, s not in {k[1] for k in found}, g == root, n, str(s), g, s)
            for g in groups
            for s, n in per_sex.items()
            if s in mine.sexes.get(g, frozenset()) - chosen[g] - whole
        )
        if not options:
            break
        best: tuple[int, Hides] | None = None
        for *_order, group, sex in options[:TRIALS]:
            trial = {**chosen, group: chosen[group] | {sex}}
            left = leaks(trial)
            if best is None or len(left) < best[0]:
                best = (len(left), trial)
            if not left:
                break
        assert best is not None
        chosen = best[1]
        found = leaks(chosen)
    return {group: sexes for group, sexes in chosen.items() if sexes}
