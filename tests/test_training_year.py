"""`training_year`'s rule (year first) read the way its docstring's argument reads it, on
random tables of region x sex over four quarters: each quarter hides its own random sexes
and regions' rows, then what `period_bounds.quarter_hides` adds beside the quarters before
it and the year so far; the reader here knows the four quarters and the year as printed
(a year in progress prints no people counted once: `year_running`) and reads them with
whole unknowns per person, not per cell (a person's year is the OR of her quarters, a
rater attended), as `tests/period_attack.moved` reads them. No cell of 1 or 2 people may be
pinned that its own period's figures alone, or what is told openly (counts by region and in
total, figures at 0 or at all of their people, raters shown equal to the attendees), do not
pin. What an own rule gives away is its own (random patterns, made safe on their own
period); what the periods together give is the rule's: with it turned off, seed 3 pins
someone."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from bot.services.indicators.period_bounds import Hides, Told, quarter_hides
from bot.services.indicators.training_year import KEYS, WORKSHOPS
from tests.period_attack import Figure, Target, moved

SEXES = ("female", "male", "undisclosed", None)
QUARTERS = 4
Person = tuple[str, Any]
Marks = dict[int, tuple[int, int]]  # person: (attended, rated)


@dataclass
class Reader:
    """What `moved` reads: 0/1 unknowns, the figures shown, the rules (row <= bound)."""

    truth: list[int] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    rules: list[tuple[dict[int, float], float]] = field(default_factory=list)
    seconds: float = 10.0

    def upper(self) -> np.ndarray:
        return np.ones(len(self.truth))


@dataclass
class Printed:
    """One period as printed: each person's marks, its hidden sexes and, per key, the
    regions whose own report shows their row by sex (`regions`: those its own rule may show,
    `shown` picks among them)."""

    marks: Marks
    hidden: Hides
    regions: dict[str, frozenset[str]]


def _draw(rng: random.Random) -> tuple[list[Person], list[Marks]]:
    regions = [f"R{r}" for r in range(rng.randint(2, 3))]
    people = [
        (region, sex)
        for region in regions
        for sex in SEXES
        for _n in range(rng.choice([0, 1, 1, 2, 2, 3, 4]))
    ]
    quarters = []
    for _q in range(QUARTERS):
        went = rng.random()
        marks = {}
        for i in range(len(people)):
            attended = int(rng.random() < went)
            marks[i] = (attended, int(attended and rng.random() < 0.7))
        quarters.append(marks)
    return people, quarters


def _own(rng: random.Random, people: list[Person]) -> tuple[Hides, dict[str, frozenset[str]]]:
    """Random sexes hidden, and random regions that may show their row by sex."""
    hidden = {key: frozenset(s for s in SEXES if rng.random() < 0.35) for key in KEYS}
    regions = frozenset(r for r, _s in people if rng.random() < 0.5)
    return hidden, {key: regions for key in KEYS}


def _shown(people: list[Person], marks: Marks, regions: frozenset[str], key: int) -> frozenset[str]:
    """Of `regions`, those whose counts by sex are each 0 or at least 3 (`hidden_rows`)."""
    counts: dict[Person, int] = {}
    for i, cell in enumerate(people):
        counts[cell] = counts.get(cell, 0) + marks[i][key]
    return frozenset(
        r for r in regions if all(n == 0 or n >= 3 for c, n in counts.items() if c[0] == r)
    )


def _union(quarters: list[Marks]) -> Marks:
    return {i: tuple(max(m[i][k] for m in quarters) for k in range(2)) for i in quarters[0]}  # type: ignore[misc]


def _told(people: list[Person], period: Printed) -> Told:
    counts: dict[tuple[Any, Any, str], int] = {}
    registered: dict[Person, int] = {}
    for i, cell in enumerate(people):
        registered[cell] = registered.get(cell, 0) + 1
        for key, mark in zip(KEYS, period.marks[i], strict=True):
            counts[(*cell, key)] = counts.get((*cell, key), 0) + mark
    sexes = {key: frozenset(SEXES) - period.hidden[key] for key in KEYS}
    known = {(r, s, key) for key in KEYS for r in period.regions[key] for s in SEXES}
    return Told(counts, registered, sexes, frozenset(known))


def _so_far(people: list[Person], quarters: list[Printed], own: Printed) -> Printed:
    """The year so far over `quarters` as its report prints it: its own rule's hiding
    (`own`), and what any quarter hides of someone (`joint`)."""
    hidden = {k: own.hidden[k].union(*(q.hidden[k] for q in quarters)) for k in KEYS}
    marks = _union([q.marks for q in quarters])
    regions = {
        key: _shown(people, marks, own.regions[key], k) & frozenset.intersection(
            *(q.regions[key] | _nobody(people, q.marks, k) for q in quarters)
        )
        for k, key in enumerate(KEYS)
    }  # fmt: skip
    return _safe(people, Printed(marks, hidden, regions))


def _nobody(people: list[Person], marks: Marks, key: int) -> frozenset[str]:
    """The regions of nobody counted: a quarter's «—» there hides nothing (`joint`)."""
    return frozenset(
        {r for r, _s in people} - {c[0] for i, c in enumerate(people) if marks[i][key]}
    )


def _printed(seed: int) -> tuple[list[Person], list[Printed], Printed]:
    """The quarters as printed under the rule, and the year."""
    rng = random.Random(seed)
    people, marks = _draw(rng)
    owns = [_own(rng, people) for _q in range(QUARTERS)]
    year_owns = [Printed({}, *_own(rng, people)) for _q in range(QUARTERS)]
    quarters: list[Printed] = []
    for k in range(QUARTERS):
        hidden, may = owns[k]
        mine = Printed(marks[k], hidden, {})
        mine.regions = {key: _shown(people, marks[k], may[key], n) for n, key in enumerate(KEYS)}
        mine = _safe(people, mine)
        if k:
            year = _so_far(people, [*quarters, mine], year_owns[k])
            told = [_told(people, q) for q in [*quarters, mine]]
            extra = quarter_hides(_told(people, year), told, WORKSHOPS)
            mine.hidden = {key: mine.hidden[key] | extra.get(key, frozenset()) for key in KEYS}
        quarters.append(mine)
    return people, quarters, _so_far(people, quarters, year_owns[-1])


def _read(people: list[Person], periods: list[Printed], unions: list[tuple[int, list[int]]]):
    """The reader: per period and person, attended and rated (0/1); a union period's the OR
    of its quarters'; the figures each period prints; the targets."""
    reader = Reader()
    index: dict[tuple[int, int, int], int] = {}
    for p, period in enumerate(periods):
        for i in range(len(people)):
            for k, mark in enumerate(period.marks[i]):
                index[(p, i, k)] = len(reader.truth)
                reader.truth.append(mark)
            reader.rules.append(({index[(p, i, 1)]: 1, index[(p, i, 0)]: -1}, 0))
    for union, members in unions:
        for i in range(len(people)):
            for k in range(len(KEYS)):
                whole, parts = index[(union, i, k)], [index[(q, i, k)] for q in members]
                reader.rules.append(({whole: 1, **{x: -1 for x in parts}}, 0))
                reader.rules += [({x: 1, whole: -1}, 0) for x in parts]
    targets, cells = [], sorted(set(people), key=repr)
    for p, period in enumerate(periods):
        for k, key in enumerate(KEYS):

            def add(who: list[int], label: str, p: int = p, k: int = k) -> None:
                row = {index[(p, i, k)]: 1.0 for i in who}
                if row:
                    value = sum(reader.truth[x] for x in row)
                    reader.figures.append(Figure(row, float(value), f"{p} {KEYS[k]} {label}"))

            add(list(range(len(people))), "total")
            for region in {c[0] for c in cells}:
                add([i for i, c in enumerate(people) if c[0] == region], f"region {region}")
            for sex in SEXES:
                if sex not in period.hidden[key]:
                    add([i for i, c in enumerate(people) if c[1] == sex], f"Sexo {sex}")
            for cell in cells:
                who = [i for i, c in enumerate(people) if c == cell]
                if cell[0] in period.regions[key]:
                    add(who, f"Sexo cell {cell}")
                elif len(who) <= 2:
                    row = {index[(p, i, k)]: 1.0 for i in who}
                    targets.append(
                        Target(row, sum(reader.truth[x] for x in row), f"{p} {cell} {key}")
                    )
    return reader, targets


def _openly(reader: Reader) -> list[Figure]:
    """Each raters' figure equal to the attendees' of the same people, as that relation."""
    found = []
    for f in reader.figures:
        for g in reader.figures:
            if f.label.split()[0] == g.label.split()[0] and f.label.split()[1] == KEYS[1]:
                same = f.label.split()[2:] == g.label.split()[2:] and g.label.split()[1] == KEYS[0]
                if same and f.value == g.value:
                    row = {**f.row, **{x: -1.0 for x in g.row}}
                    found.append(Figure(row, 0.0, f"all {f.label}"))
    return found


def _alone(reader: Reader, target: Target, people: int, p: int) -> bool:
    """Whether period `p`'s own figures pin the target (its unknowns free of the others)."""
    width = people * len(KEYS)
    own = Reader(
        reader.truth,
        [f for f in reader.figures if f.label.split()[0] == str(p)],
        [(row, b) for row, b in reader.rules if all(x // width == p for x in row)],
    )
    ((stuck, _unsettled),) = moved(own, [target])  # type: ignore[arg-type]
    return stuck


def _found(
    people: list[Person], periods: list[Printed], unions: list[tuple[int, list[int]]], own=True
) -> list[str]:
    """The targets the periods together pin beyond what is told openly and (`own`) beyond
    what their own period's figures alone pin."""
    reader, targets = _read(people, periods, unions)
    stuck = [t for t, (s, _u) in zip(targets, moved(reader, targets), strict=True) if s]  # type: ignore[arg-type]
    if not stuck:
        return []
    reader.figures += _openly(reader)

    def openly(f: Figure) -> bool:
        told = "total" in f.label or "region" in f.label or f.label.startswith("all ")
        return told or f.value in (0, len(f.row))

    told = moved(reader, stuck, openly)  # type: ignore[arg-type]
    width = len(people) * len(KEYS)
    return [
        t.label
        for t, (pinned, _u) in zip(stuck, told, strict=True)
        if not pinned and not (own and _alone(reader, t, len(people), next(iter(t.row)) // width))
    ]


def _safe(people: list[Person], period: Printed) -> Printed:
    """The period as drawn, or every figure by sex hidden where its own figures pin
    someone: an own rule leaves no one pinned by its own period."""
    if _found(people, [period], [], own=False):
        nothing = {key: frozenset() for key in KEYS}
        return Printed(period.marks, {key: frozenset(SEXES) for key in KEYS}, nothing)
    return period


@pytest.mark.parametrize("seed", range(12))
def test_no_cell_is_pinned_by_the_quarters_and_the_year_together(seed: int) -> None:
    people, quarters, year = _printed(seed)
    found = _found(people, [*quarters, year], [(QUARTERS, list(range(QUARTERS)))])
    assert not found, (seed, found)


def test_the_year_so_far_read_at_two_quarters_ends_pins_someone() -> None:
    """Why a year in progress shows its people counted once as «—» (`year_running`): seed
    2's tables with the year so far at the ends of Q2 and Q3 printed too, as the year's
    report in progress would print them, pin someone whom the year's end alone does not."""
    people, quarters, year = _printed(2)
    early = [_so_far(people, quarters[: j + 1], year) for j in (1, 2)]
    unions = [(QUARTERS, list(range(QUARTERS))), (QUARTERS + 1, [0, 1]), (QUARTERS + 2, [0, 1, 2])]
    assert not _found(people, [*quarters, year], unions[:1])
    assert _found(people, [*quarters, year, *early], unions)
