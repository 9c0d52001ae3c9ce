"""Indicator 1's people by region and sex read as whole numbers, with every link between its
groups that the reader knows: of each region and sex, those who sent a delegate are among
those who confirmed, who (and those who attended) are among those invited, who are among
the people registered (/registrados, indicator 7). `bounded_columns` and `invitee_bounds`
see one group at a time, each between 0 and its whole; the chain between the groups pinned
what neither saw (tests/test_quarter_bounds, seed 25: delegates 8, women 2, «Prefiero no
decir» 1, so men and «Sin dato» 5; men are Piura's (0 delegates) and Tacna's (2), «Sin
dato» Piura's and Puno's 3: men 2, Tacna's, hidden; seed 6: women confirmed 3, none by a
delegate, beside Tacna's 4 confirmed, 2 of them by a delegate).

The unknowns are the cells of region × sex × group; the figures, every sum a report shows
of them (`Reading`); the targets, the figures hidden of 1 or 2 people and the cells of a
region and sex of 1 or 2 registered people. A target that no whole solution moves is
pinned; one still pinned by the figures that tell it openly (a count by region, a figure at
0 or at all of its people, a group shown equal to its parent: 3 of 3 confirmed) is not the
tables by sex's to hide (the documented limit, as `tests/period_attack.pinned` counts). The
programs are scipy's HiGHS (`integer_moves.solve`); one it does not settle counts as pinned
(the safe side)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

GROUPS = ("invited", "confirmed", "delegated", "attended")
# (group, parent): of each cell, the group's people are among the parent's
CHAIN = (("confirmed", "invited"), ("delegated", "confirmed"), ("attended", "invited"))
NODES = 1000  # branch-and-bound nodes per program, as `integer_moves`
PUSHES = 4  # programs that move every target at once (random ways) before one by one
Cell = tuple[Hashable, Hashable]
Key = tuple[Hashable, Hashable, str]  # (region, sex, group)


@dataclass(frozen=True, slots=True)
class Figure:
    """A sum of cells a report shows; `by_sex`: a count by sex (a region's or a region's
    total is public, as /reunion's are)."""

    keys: frozenset[Key]
    value: int
    by_sex: bool


@dataclass(frozen=True, slots=True)
class Bound:
    """Of each cell, `group` is at most `times` (per region, 1 where not given) × `parent`:
    links of counts that are not people, beside the chain (`training_chain`: each rater
    gives one response at least, one per workshop of the region's at most)."""

    group: str
    parent: str
    times: Mapping[Hashable, int] = field(default_factory=dict)


@dataclass
class Reading:
    """`truth`: every cell's count; `people`: every cell's people registered (at least its
    invited); `figures`: what the reports show; `targets`: the sums to protect; `groups`:
    of each cell; `chain`: (group, parent), the group's people among the parent's
    (indicator 1's unless told: `training_chain` reads 3's raters among its attendees);
    `bounds`: more links (`Bound`); `most`: per group that counts other than people, per
    region, the most per person (a cell's count is at most that × its people); `targeted`:
    the groups whose cells and hidden figures are targets (every group unless told)."""

    truth: dict[Key, int]
    people: dict[Cell, int]
    figures: list[Figure] = field(default_factory=list)
    targets: list[frozenset[Key]] = field(default_factory=list)
    groups: tuple[str, ...] = GROUPS
    chain: tuple[tuple[str, str], ...] = CHAIN
    bounds: tuple[Bound, ...] = ()
    most: Mapping[str, Mapping[Hashable, int]] = field(default_factory=dict)
    targeted: tuple[str, ...] | None = None

    def high(self, key: Key) -> int:
        """The most a cell's group may count: its people (times `most`)."""
        return self.people.get(key[:2], 0) * self.most.get(key[2], {}).get(key[0], 1)

    def value(self, keys: Iterable[Key]) -> int:
        return sum(self.truth.get(k, 0) for k in keys)

    def show(self, keys: Iterable[Key], value: Any, by_sex: bool) -> None:
        """A figure shown (`value` not None), or a target when hidden of 1 or 2."""
        keys = frozenset(k for k in keys if self.people.get(k[:2], 0))
        if not keys:
            return
        if value is not None:
            self.figures.append(Figure(keys, int(value), by_sex))
        elif 1 <= self.value(keys) <= 2 and all(k[2] in self._targeted() for k in keys):
            self.targets.append(keys)

    def small_cells(self, groups: Sequence[str] | None = None) -> None:
        """Each group (of `groups`, else the targeted) of each cell of 1 or 2 registered
        people is a target."""
        for cell, n in self.people.items():
            if 1 <= n <= 2:
                chosen = self._targeted() if groups is None else groups
                self.targets += [frozenset({(*cell, group)}) for group in chosen]

    def _targeted(self) -> tuple[str, ...]:
        return self.groups if self.targeted is None else self.targeted


def leaks(reading: Reading) -> list[frozenset[Key]]:
    """The targets pinned by the figures that are not told openly (see the module)."""
    shown = {f.keys for f in reading.figures}
    targets = list(dict.fromkeys(t for t in reading.targets if t not in shown))
    stuck = _pinned(reading, reading.figures, targets)
    if not stuck:
        return []
    told = [f for f in reading.figures if _openly(reading, f)] + _whole_groups(reading)
    openly = set(_pinned(reading, told, stuck))
    return [t for t in stuck if t not in openly]


def without_public(reading: Reading) -> Reading:
    """`reading` less the targets its counts by region pin by themselves (told openly,
    whatever the tables by sex show: a region that invited none of its people): asked once,
    not at every trial of what to hide."""
    public = [f for f in reading.figures if not f.by_sex]
    pinned = set(_pinned(reading, public, list(dict.fromkeys(reading.targets))))
    targets = [t for t in reading.targets if t not in pinned]
    return replace(reading, figures=list(reading.figures), targets=targets)


def _openly(reading: Reading, figure: Figure) -> bool:
    most = sum(reading.high(k) for k in figure.keys)
    return not figure.by_sex or figure.value in (0, most)


def _whole_groups(reading: Reading) -> list[Figure]:
    """Each figure equal to its parent group's for the same people, as that relation alone:
    (the group less its parent) 0, a figure of keys whose parent's carry -1 (`_system`)."""
    shown = {f.keys: f.value for f in reading.figures}
    parents = dict(reading.chain)
    found = []
    for figure in reading.figures:
        groups = {k[2] for k in figure.keys}
        if len(groups) != 1 or (group := groups.pop()) not in parents:
            continue
        parent = frozenset((r, s, parents[group]) for r, s, _g in figure.keys)
        if shown.get(parent) == figure.value:
            found.append(Figure(figure.keys | {(*k, "-") for k in parent}, 0, False))
    return found


def _pinned(
    reading: Reading, figures: Sequence[Figure], targets: Sequence[frozenset[Key]]
) -> list[frozenset[Key]]:
    """The targets that no whole solution of `figures` (and the chain) moves."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint
    from scipy.sparse import csr_array, lil_array

    from bot.services.integer_moves import solve

    if not targets:
        return []
    keys = sorted(
        ((*cell, group) for cell, n in reading.people.items() if n for group in reading.groups),
        key=repr,
    )
    index = {key: i for i, key in enumerate(keys)}
    high = np.array([reading.high(k) for k in keys], dtype=float)

    def row(items: Mapping[Key, float], into: Any, r: int) -> None:
        for key, c in items.items():
            into[r, index[key]] = into[r, index[key]] + c

    rows = [{k[:3]: (-1.0 if len(k) > 3 else 1.0) for k in f.keys} for f in figures]
    chain = [
        {(*cell, group): 1.0, (*cell, parent): -1.0}
        for cell, n in reading.people.items()
        if n
        for group, parent in reading.chain
    ] + [
        {(*cell, bound.group): 1.0, (*cell, bound.parent): -float(bound.times.get(cell[0], 1))}
        for cell, n in reading.people.items()
        if n
        for bound in reading.bounds
    ]
    matrix = lil_array((len(rows) + len(chain), len(keys)))
    for r, items in enumerate([*rows, *chain]):
        row(items, matrix, r)
    low_b = [float(f.value) for f in figures] + [-np.inf] * len(chain)
    high_b = [float(f.value) for f in figures] + [0.0] * len(chain)
    system = LinearConstraint(csr_array(matrix), low_b, high_b)
    sums = lil_array((len(targets), len(keys)))
    for r, target in enumerate(targets):
        row(dict.fromkeys(target, 1.0), sums, r)
    sums = csr_array(sums)
    truth = np.array([reading.value(t) for t in targets], dtype=float)
    up, down = set(range(len(targets))), set(range(len(targets)))

    def program(cost: Any, extra: list[Any]) -> Any:
        return solve(
            cost, integrality=np.ones(len(keys)), bounds=Bounds(0, high),
            constraints=[system, *extra], options={"node_limit": NODES, "disp": False},
        )  # fmt: skip

    whole = csr_array(matrix)

    def free(x: Any) -> None:
        x = np.round(x)
        at = whole @ x  # taken only as a whole solution of every figure and link
        if not (np.all(at >= np.array(low_b)) and np.all(at <= np.array(high_b))):
            return
        if np.any(x < 0) or np.any(x > high):
            return
        values = sums @ x
        up.difference_update({i for i in up if values[i] > truth[i] + 0.5})
        down.difference_update({i for i in down if values[i] < truth[i] - 0.5})

    rng = np.random.default_rng(0)
    for _push in range(PUSHES):
        if not (up or down):
            break
        weights = np.zeros(len(targets))
        weights[sorted(up)] -= rng.random(len(up)) + 0.5
        weights[sorted(down)] += rng.random(len(down)) + 0.5
        result = program(sums.T @ weights, [])
        if result.x is not None:
            free(result.x)
    for i in sorted(up | down):
        for side, low, top in ((up, truth[i] + 1, np.inf), (down, -np.inf, truth[i] - 1)):
            if i in side:
                result = program(np.zeros(len(keys)), [LinearConstraint(sums[[i], :], low, top)])
                if result.x is not None:
                    free(result.x)
    return [t for i, t in enumerate(targets) if i in up and i in down]
