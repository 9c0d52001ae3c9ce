"""The exact check (`bot.services.recoverable`) gives the same answer whatever order its
ratings and sums come in, and whatever their names. It is a yes or no that its callers
(indicators 1, 3 and 9, the tables of rows) turn into what is hidden next, so an answer
that changed with the order of a set or of a query's rows would let two downloads of one
report differ (as tests/test_small_cells_order.py and tests/test_meeting_rule_order.py
found for the graphs). Its answer rests on numeric tolerances: a test below shows that
every value compared with one is far from it, so no reordering's rounding can flip it;
another runs the rules and the check under other hash seeds.

The cases are every call the rules make on the random union datasets
(tests/test_union_random.py's seeds), recorded, and hand-built tables of ties (one person
in every cell, symmetric), where the order is most likely to matter."""

from __future__ import annotations

import dataclasses
import os
import random
import subprocess
import sys
from collections.abc import Callable, Hashable, Iterator
from functools import cache
from typing import Any

import numpy as np
import pytest

from bot.services import recoverable as module
from bot.services.indicators import meeting_rule, row_rule
from bot.services.indicators.meeting_rule import meeting_hides
from bot.services.indicators.row_rule import row_hides
from bot.services.indicators.training_rule import hidden_ratings
from bot.services.indicators.visits import visit_cells, visit_hides
from bot.services.recoverable import _SINGULAR, _ZERO, recoverable
from tests.rule_inputs import SEEDS, invitations, ratings, responsibilities, visit_people
from tests.test_union_random import Dataset

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

Pairs = list[tuple[Hashable, Hashable]]
Sums = list[set[Hashable]]
Case = tuple[Pairs, Sums, bool]


def run_rules(seed: int) -> list[Any]:
    """What each pure rule hides on union seed `seed` (indicator 1, 3 national and Puno's,
    the table of rows, 9 national and Puno's)."""
    data = Dataset(seed)
    cells = visit_cells(visit_people(data))
    return [
        meeting_hides(invitations(data, seed)),
        hidden_ratings(ratings(data, None), False),
        hidden_ratings(ratings(data, "puno"), True),
        row_hides(responsibilities(data)),
        visit_hides(cells),
        visit_hides(cells, "puno"),
    ]


@cache
def recorded() -> tuple[Case, ...]:
    """Every call of `recoverable` the rules make on the union seeds, with its answer."""
    calls: list[Case] = []

    def record(pairs: Any, known: Any) -> bool:
        pairs, known = list(pairs), [set(sums) for sums in known]
        answer = recoverable(pairs, known)
        calls.append((pairs, known, answer))
        return answer

    with pytest.MonkeyPatch.context() as patch:
        for place in (module, meeting_rule, row_rule):
            patch.setattr(place, "recoverable", record)
        for seed in SEEDS:
            run_rules(seed)
    return tuple(calls)


def variants(pairs: Pairs, known: Sums, seed: int) -> Iterator[tuple[Pairs, list[list[Any]]]]:
    """The same system in other orders: ratings, sums and each sum's classes shuffled, then
    also every person and class renamed (which reorders whatever is sorted by name, and
    every set by hash)."""
    rng = random.Random(seed)
    for rename in (False, False, True, True):
        people = {p: p for p, _g in pairs}
        classes = {g: g for _p, g in pairs} | {g: g for sums in known for g in sums}
        if rename:
            for names in (people, classes):
                labels = rng.sample(range(10 * len(names)), len(names))
                names.update(zip(names, (f"n{label}" for label in labels), strict=True))
        moved = [(people[p], classes[g]) for p, g in pairs]
        sums = [[classes[g] for g in group] for group in known]
        rng.shuffle(moved)
        rng.shuffle(sums)
        for group in sums:
            rng.shuffle(group)
        yield moved, sums


def test_recorded_calls_answer_the_same_in_any_order() -> None:
    cases = recorded()
    answers = [answer for _pairs, _known, answer in cases]
    assert answers.count(True) >= 10 and answers.count(False) >= 10  # both answers checked
    for index, (pairs, known, answer) in enumerate(cases):
        for moved, sums in variants(pairs, known, index):
            assert recoverable(moved, sums) == answer, index


def _grid(rows: int, columns: int, people: int = 1) -> Pairs:
    return [((r, c, i), (r, c)) for r in range(rows) for c in range(columns) for i in range(people)]


def _margins(rows: int, columns: int, total: bool = True) -> Sums:
    cells = [(r, c) for r in range(rows) for c in range(columns)]
    sums = [{(r, c) for c in range(columns)} for r in range(rows)]
    sums += [{(r, c) for r in range(rows)} for c in range(columns)]
    return [*sums, set(cells)] if total else sums


# Ties: every cell alike, so no order tells one from another. 2 × 2 of one person each,
# margins shown: row 1 less column 2 is a − d, two people. 3 × 3: a sum of the margins is
# u_row + v_column on each cell, never on 1 or 2 cells alone. Only the total: 4 people.
# 2 × 3: a column is two people. Three in one cell of the 2 × 2: a − d still rests on
# two people (a and d).
TIES: list[tuple[str, Pairs, Sums, bool]] = [
    ("2x2 margins", _grid(2, 2), _margins(2, 2), True),
    ("2x2 total", _grid(2, 2), [{(r, c) for r in range(2) for c in range(2)}], False),
    ("3x3 margins", _grid(3, 3), _margins(3, 3), False),
    ("3x3 of 2 margins", _grid(3, 3, 2), _margins(3, 3, total=False), False),
    ("2x3 margins", _grid(2, 3), _margins(2, 3), True),
    ("4x4 margins", _grid(4, 4), _margins(4, 4), False),
    (
        "2x2 big corner",
        [*_grid(2, 2), ((0, 0, 1), (0, 0)), ((0, 0, 2), (0, 0))],
        _margins(2, 2),
        True,
    ),
]


@pytest.mark.parametrize(
    ("pairs", "known", "answer"), [t[1:] for t in TIES], ids=[t[0] for t in TIES]
)
def test_ties_answer_the_same_in_any_order(pairs: Pairs, known: Sums, answer: bool) -> None:
    assert recoverable(pairs, known) == answer
    for seed in range(12):
        for moved, sums in variants(pairs, known, seed):
            assert recoverable(moved, sums) == answer


class _Linalg:
    """numpy.linalg as `recoverable` uses it, keeping the values it compares with its
    tolerances: singular values (with `_ZERO`) and a Gram matrix's least eigenvalue (with
    `_SINGULAR`)."""

    def __init__(self) -> None:
        self.singular: list[float] = []
        self.least: list[float] = []

    def svd(self, matrix: np.ndarray, **options: Any) -> Any:
        u, values, vh = np.linalg.svd(matrix, **options)
        self.singular += values.tolist()
        return u, values, vh

    def eigvalsh(self, matrix: np.ndarray) -> np.ndarray:
        values = np.linalg.eigvalsh(matrix)
        self.least.append(float(values[0]))
        return values

    def __getattr__(self, name: str) -> Callable[..., Any]:
        return getattr(np.linalg, name)


class _Numpy:
    def __init__(self, linalg: _Linalg) -> None:
        self.linalg = linalg

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)


def test_every_tolerance_is_far_from_the_values_it_decides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each singular value is 0 to rounding or far above `_ZERO`, each least eigenvalue 0
    to rounding or far above `_SINGULAR`, by a factor of 100 at least each side: a reordering
    changes them by rounding (about 1e-15), so it cannot change a single comparison."""
    linalg = _Linalg()
    monkeypatch.setattr(module, "np", _Numpy(linalg))
    for pairs, known, answer in recorded():
        assert recoverable(pairs, known) == answer
    for _name, pairs, known, answer in TIES:
        assert recoverable(pairs, known) == answer
    for values, tolerance in ((linalg.singular, _ZERO), (linalg.least, _SINGULAR)):
        found = np.abs(np.array(values))
        zero, nonzero = found[found < tolerance], found[found >= tolerance]
        assert len(zero) and len(nonzero)  # both sides decided
        assert zero.max() < tolerance / 100 and nonzero.min() > tolerance * 100


def canonical(value: Any) -> str:
    """`value` as a text that is the same in every process: a set's repr is in hash order."""
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(map(canonical, value))) + "}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(map(canonical, value)) + ")"
    if dataclasses.is_dataclass(value):
        fields = tuple(getattr(value, field.name) for field in dataclasses.fields(value))
        return type(value).__name__ + canonical(fields)
    return repr(value)


def fingerprint() -> str:
    """What every rule hides on a few union seeds, and every recorded answer."""
    hides = [run_rules(seed) for seed in (4, 13, 41)]
    return canonical([hides, [answer for _pairs, _known, answer in recorded()]])


def test_the_same_under_every_hash_seed() -> None:
    """Strings and None hash differently in each process: sets of them iterate in another
    order. The rules and the exact check hide the same under two more hash seeds."""
    code = "from tests.test_recoverable_order import fingerprint; print(fingerprint())"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    found = {run.communicate(timeout=120)[0] for run in runs}
    assert all(run.returncode == 0 for run in runs)
    assert found == {fingerprint() + "\n"}
    assert "Hidden(" in next(iter(found))  # the rules hid something
