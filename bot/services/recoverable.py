"""The exact check behind the small-cell rule (`bot.services.small_cells`): whether the sums a
reader holds, read together as one linear system, single out 1 or 2 people. The rules in
`small_cells` look at one table (or one graph of region and sex) at a time; this looks at
everything shown together, when people fall into several groups at once (a person who rated
several workshops, a regional leader who is also a region and a sex).

Its decompositions grow with the people (a year of 100,000 people's one block of every
workshop ran minutes): within an indicator report it stops at the report's limit
(`report_limit`, REPORT_SECONDS), between decompositions, and answers that someone is given
away, so its caller hides more (a decomposition begun runs to its end)."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from typing import Any

import numpy as np

from bot.services import report_limit
from bot.services.small_cells import SMALL_CELL, Hidden, hidden_margins

# Below this a singular value is zero: the matrices hold 0 and 1, or orthonormal columns,
# so a relative tolerance would take rounding noise in an all-zero matrix for rank.
_ZERO = 1e-9
# Below this an eigenvalue of a Gram matrix of orthonormal rows is zero (its square root is
# the singular value: 1e-6, far below any a matrix of 0 and 1 has unless it is singular).
_SINGULAR = 1e-12


def recoverable(
    ratings: Iterable[tuple[Hashable, Hashable]], known: Iterable[Collection[Hashable]]
) -> bool:
    """`_recoverable`, on each set of classes the known sums link (two classes are linked when
    a sum holds both) apart: the matrix of the sums is then block-diagonal, a set of columns
    loses rank exactly when its part in some block does, and the sets a block checks (people
    of a small class, pairs of people with classes of their own) are those of the whole that
    meet it. The same answer, at the cost of the blocks' decompositions instead of the whole
    one's: a year's report whose total is hidden, and each quarter's, is one block per
    workshop. Past the report's limit, True (`report_limit`: the caller hides more)."""
    known = [sums for sums in map(set, known) if sums]
    parent: dict[Hashable, Hashable] = {}

    def root(group: Hashable) -> Hashable:
        while parent.setdefault(group, group) != group:
            parent[group] = parent[parent[group]]
            group = parent[group]
        return group

    for sums in known:
        first, *others = sums
        top = root(first)
        for group in others:
            parent[root(group)] = top
    blocks: dict[Hashable, tuple[list[tuple[Hashable, Hashable]], list[set[Hashable]]]] = {}
    for person, group in ratings:
        if group in parent:  # in no sum: dropping it never loses rank
            blocks.setdefault(root(group), ([], []))[0].append((person, group))
    for sums in known:
        blocks.setdefault(root(next(iter(sums))), ([], []))[1].append(sums)
    try:
        return any(_recoverable(pairs, sums) for pairs, sums in blocks.values())
    except _Stopped:
        return True


class _Stopped(Exception):
    """Past the report's limit: no answer but the safe one."""


def _go_on() -> None:
    """Before each decomposition: past the report's limit, `_Stopped`."""
    if report_limit.stopped("recoverable"):
        raise _Stopped


def _recoverable(
    ratings: Iterable[tuple[Hashable, Hashable]], known: Iterable[Collection[Hashable]]
) -> bool:
    """Whether sums the reader knows give away some combination of the ratings of only 1 or 2
    people. `ratings` are (person, class) pairs, a person rating in several classes (one per
    workshop) counting once; each of `known` is a set of classes whose ratings' sum (or
    average beside its count) is shown somewhere. Exact, unlike the graph of `_small_cut`,
    which counts ratings: a set S of people is given away exactly when dropping the classes
    holding only S's ratings lowers the rank of the known sums (ratings of one class have the
    same coefficients in every sum, so a combination vanishing outside S vanishes on every
    class where someone else rated too). Classes of 3 people or more are never dropped: they
    are projected out, and a set of classes can be dropped without losing rank exactly when
    it is independent in the dual (the null space of what is left), a small check per set."""
    people_of: dict[Hashable, set[Hashable]] = {}
    for person, group in ratings:
        people_of.setdefault(group, set()).add(person)
    classes = list(people_of)
    column = {group: index for index, group in enumerate(classes)}
    known = list(known)
    small = [i for i, group in enumerate(classes) if len(people_of[group]) < SMALL_CELL]
    if not small or not known:
        return False
    _go_on()
    matrix = np.zeros((len(known), len(classes)))
    for row, sums in enumerate(known):
        matrix[row, [column[group] for group in sums if group in column]] = 1.0
    rest = matrix[:, small]
    big = sorted(set(range(len(classes))) - set(small))
    if big:
        basis = _column_basis(matrix[:, big])
        rest = rest - basis @ (basis.T @ rest)
    # The rows of `dual` (an orthonormal basis of the null space of `rest`) are never built:
    # their Gram matrix is I − V·Vᵀ, V an orthonormal basis of `rest`'s row space, which is
    # much cheaper when there are many small classes.
    _go_on()
    _u, values, vh = np.linalg.svd(rest, full_matrices=False)
    space = vh[values > _ZERO].T
    by_person: dict[Hashable, list[int]] = {}
    for j, i in enumerate(small):
        for person in people_of[classes[i]]:
            by_person.setdefault(person, []).append(j)

    def dropped(chosen: frozenset[Hashable]) -> list[int]:
        found = {j for p in chosen for j in by_person[p] if people_of[classes[small[j]]] <= chosen}
        return sorted(found)

    def gram(rows: list[int], others: list[int]) -> np.ndarray:
        """Inner products of the rows of `dual` (identity less the row space's part)."""
        same = np.equal.outer(rows, others).astype(float)
        return same - space[rows] @ space[others].T

    def lost(rows: list[int]) -> bool:  # dropping these classes loses rank
        _go_on()
        return bool(rows) and bool(np.linalg.eigvalsh(gram(rows, rows))[0] < _SINGULAR)

    sets = {frozenset(people_of[classes[i]]) for i in small}
    if any(lost(dropped(chosen)) for chosen in sets):
        return True
    # Two people with classes of their own lose rank together exactly when the spans of
    # their rows of `dual` meet: the product of orthonormal bases of the two has singular
    # value 1, and that is at most the product's Frobenius norm, computed for all pairs at
    # once (bases made orthonormal by the inverse square root of each person's Gram block).
    # Only the pairs that norm lets through are checked one by one.
    alone = sorted({p for chosen in sets if len(chosen) == 1 for p in chosen}, key=str)
    if len(alone) < 2:
        return False
    own = [dropped(frozenset({p})) for p in alone]
    rows = [j for mine in own for j in mine]
    whiten = np.zeros((len(rows), len(rows)))
    owner = np.zeros((len(alone), len(rows)))
    at = 0
    for index, mine in enumerate(own):
        _go_on()
        weights, vectors = np.linalg.eigh(gram(mine, mine))
        block = slice(at, at + len(mine))
        whiten[block, block] = (vectors / np.sqrt(weights)) @ vectors.T
        owner[index, block] = 1
        at += len(mine)
    _go_on()
    products = whiten @ gram(rows, rows) @ whiten
    norms = owner @ products**2 @ owner.T
    candidates = zip(*np.nonzero(np.triu(norms >= (1 - 1e-6) ** 2, 1)), strict=True)
    return any(lost(dropped(frozenset({alone[i], alone[j]}))) for i, j in candidates)


def _column_basis(matrix: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the span of `matrix`'s columns."""
    u, values, _vh = np.linalg.svd(matrix, full_matrices=False)
    return u[:, values > _ZERO]


def workshop_ratings_recoverable(
    ratings: Iterable[tuple[Hashable, Hashable, Hashable, Hashable, bool]],
    hidden: Hidden,
    hidden_workshops: Iterable[Any],
) -> bool:
    """Whether a report of workshop ratings by region and sex, read beside every workshop's
    public /taller report (its average, and its averages by region that `hidden_margins`
    lets show, when at least `SMALL_CELL` people rated it; none by sex since dda93ac, and
    reading those too hid the total of quarters with a few «Sin dato» for nothing), gives
    away 1 or 2 people (`recoverable`). `ratings`: (person, region, sex, workshop, in the report's
    scope) per rating; the report shows, for the people in scope, the total and each region
    and sex not in `hidden` (unless `hidden.total`), and each workshop's part not in
    `hidden_workshops`."""
    return recoverable(*workshop_sums(ratings, hidden, hidden_workshops))


Group = tuple[Hashable, Hashable, Hashable, bool]  # workshop, region, sex, in scope


def workshop_sums(
    ratings: Iterable[tuple[Hashable, Hashable, Hashable, Hashable, bool]],
    hidden: Hidden,
    hidden_workshops: Iterable[Any],
) -> tuple[list[tuple[Hashable, Group]], list[set[Group]]]:
    """The (person, class) pairs and the known sums of `workshop_ratings_recoverable`."""
    classes: list[tuple[Hashable, Group]] = []
    raters: dict[Hashable, set[Hashable]] = {}
    cells: dict[Hashable, dict[tuple[Hashable, Hashable], set[Hashable]]] = {}
    groups: dict[Hashable, set[Group]] = {}  # per workshop
    for person, region, sex, workshop, in_scope in ratings:
        group = (workshop, region, sex, in_scope)
        classes.append((person, group))
        raters.setdefault(workshop, set()).add(person)
        cells.setdefault(workshop, {}).setdefault((region, sex), set()).add(person)
        groups.setdefault(workshop, set()).add(group)
    inside = {group for own in groups.values() for group in own if group[3]}
    known: list[set[Group]] = []
    for workshop, people in raters.items():
        if len(people) < SMALL_CELL:
            continue
        own = groups[workshop]
        known.append(own)
        public = hidden_margins({key: len(n) for key, n in cells[workshop].items()})
        for key in {group[1] for group in own} - public.rows:
            known.append({group for group in own if group[1] == key})
    shown = set(raters) - set(hidden_workshops)
    known += [{group for group in groups[workshop] if group[3]} for workshop in shown]
    if not hidden.total:
        known.append(inside)
        for side, gone in ((1, hidden.rows), (2, hidden.columns)):
            for key in {group[side] for group in inside} - gone:
                known.append({group for group in inside if group[side] == key})
    return classes, [sums for sums in known if sums]


def cells_recoverable(
    people: Mapping[Hashable, float], known: Iterable[Collection[tuple[Hashable, Hashable]]]
) -> bool:
    """`recoverable` for figures that add one variable of the people of some cells: each
    person falls in exactly one cell (`people` counts them; e.g. region, sex and whether a
    regional leader) and has a value of every variable (accepted, travelled); each of `known`
    is a set of (variable, cell) whose values' sum is shown (a count, or a share or average
    beside its number of people). The people of a cell are alike to the reader, so they are
    made up here, a cell's the same in each of its variables."""
    sums = [frozenset(sums) for sums in known]
    classes = {group for sums in sums for group in sums}
    ratings = [
        ((cell, index), (variable, cell))
        for variable, cell in classes
        for index in range(int(people.get(cell, 0)))
    ]
    return recoverable(ratings, [sums for sums in sums if sums])
