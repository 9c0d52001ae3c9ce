"""The node limit of `formal_programs.Solver`'s integer programs reaches HiGHS, and a program
that hits it is unsettled: the best solution found within the limit is still a solution (it
frees what it moves) but proves no optimum, so its target counts as pinned, the safe side.
A misspelt option would be ignored with a warning, the program solved to its optimum and
found settled; it was HiGHS' raw `mip_max_nodes`, handed on verbatim by scipy, and is now
scipy's own `node_limit` (the same HiGHS option), as bot/services/integer_moves.py names it."""

from __future__ import annotations

import numpy as np
import pytest

from bot.services.indicators import formal_programs
from bot.services.indicators.formal_programs import Solver, part

UNKNOWNS = 30


def _knapsack() -> tuple[Solver, np.ndarray]:
    """One row, a sum of 30 weights of 1,000 to 2,000 that a half of them makes: a program
    branch and bound takes thousands of nodes to settle (measured with seed 2: past 1,000)."""
    rng = np.random.default_rng(2)
    weights = rng.integers(1000, 2000, UNKNOWNS)
    truth = (rng.random(UNKNOWNS) < 0.5).astype(int)
    total = float(weights @ truth)
    solver = Solver([(part(dict(enumerate(map(int, weights)))), total, total)], [1] * UNKNOWNS)
    return solver, -rng.integers(1, 100, UNKNOWNS).astype(float)


def test_a_program_past_its_nodes_is_unsettled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formal_programs, "NODES", 5)
    solver, cost = _knapsack()
    found = solver.solve(cost)
    assert found is not None and solver.holds(found[None, :])[0]
    assert not solver.settled


def test_the_same_program_settles_with_room(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formal_programs, "NODES", 10**7)
    solver, cost = _knapsack()
    assert solver.solve(cost) is not None
    assert solver.settled
