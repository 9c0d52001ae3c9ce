"""`bot.services.linked_counts.each_pinned` (the cells of 1 or 2 people, or of 1 or 2
counted, whose count two tables read together pin: people, and the things they did, none
without one) agrees with integer programs (people counted `o` from 0 to the cell's people,
things `c` with `o <= c <= M o`, M the total), one or two per cell that could be pinned."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.linked_counts import each_pinned
from bot.services.small_cells import Hidden

ROWS, COLUMNS = ("cusco", "piura", "puno"), ("female", "male", "undisclosed")


@st.composite
def tables(draw: st.DrawFn) -> tuple[dict, Hidden, set]:
    """Cells of region × sex (people, officials of them, their cases), the regions and
    sexes hidden, and the cells shown on their own (a region's own report)."""
    cells = {}
    for row in ROWS:
        for column in COLUMNS:
            people = draw(st.sampled_from([0, 1, 1, 2, 2, 3, 4]))
            counted = draw(st.integers(0, people))
            things = counted + (draw(st.integers(0, 2)) if counted else 0)
            cells[(row, column)] = (counted, things, people)
    hidden = Hidden(
        frozenset(draw(st.sets(st.sampled_from(ROWS), max_size=2))),
        frozenset(draw(st.sets(st.sampled_from(COLUMNS), max_size=3))),
    )
    apart = {key for key in cells if key[0] in draw(st.sets(st.sampled_from(ROWS), max_size=1))}
    return cells, hidden, apart


def _read(cells: dict, hidden: Hidden, apart: set) -> set:
    """The cells of 1 or 2 people (not shown on their own, nor in a row, column or total
    shown at an end: told openly) whose officials no integer solution moves off their end,
    and those of 1 or 2 officials no solution moves off their count: integer programs
    (HiGHS, presolve off: its presolve called some of these
    systems infeasible, the true counts a solution)."""
    keys = sorted(cells)
    groups = [[k for k in keys if k[0] == r] for r in ROWS if r not in hidden.rows]
    groups += [[k for k in keys if k[1] == c] for c in COLUMNS if c not in hidden.columns]
    groups += [keys, *([k] for k in apart)]
    n = len(keys)  # unknowns: each cell's officials, then its cases
    most = sum(c for _o, c, _p in cells.values())
    rows, values = [], []
    for group in groups:
        for at in (0, 1):
            row = np.zeros(2 * n)
            row[[at * n + keys.index(k) for k in group]] = 1
            rows.append(row)
            values.append(sum(cells[k][at] for k in group))
    links = np.zeros((2 * n, 2 * n))  # o <= c, c <= most * o
    for i in range(n):
        links[i, i], links[i, n + i] = 1, -1
        links[n + i, n + i], links[n + i, i] = 1, -most
    told = {k for group in groups for k in group if _at_end(cells, group)}
    found = set()
    for i, key in enumerate(keys):
        counted, _things, people = cells[key]
        if key in told or key in apart:
            continue
        if people in (1, 2) and counted in (0, people):
            away = [(1, people)] if counted == 0 else [(0, people - 1)]
        elif counted in (1, 2):
            away = [(0, counted - 1), (counted + 1, people)]
        else:
            continue
        feasible = []
        for low_i, high_i in away:
            low = [0] * n + [0] * n
            high = [cells[k][2] for k in keys] + [most] * n
            low[i], high[i] = low_i, high_i
            feasible.append(low_i <= high_i and _solves(rows, values, links, low, high))
        if not any(feasible):  # no solution moves it: pinned
            found.add(key)
    return found


def _solves(rows: list, values: list, links: np.ndarray, low: list, high: list) -> bool:
    from scipy.optimize import Bounds, LinearConstraint

    from bot.services.integer_moves import solve

    result = solve(
        np.zeros(len(low)),
        integrality=np.ones(len(low)),
        bounds=Bounds(low, high),
        constraints=[
            LinearConstraint(np.array(rows), values, values),
            LinearConstraint(links, -np.inf, 0),
        ],
        options={"presolve": False},
    )
    assert result.status in (0, 2), result.message
    return result.status == 0


def _at_end(cells: dict, group: list) -> bool:
    counted = sum(cells[k][0] for k in group)
    return counted == 0 or counted == sum(cells[k][2] for k in group)


@settings(max_examples=300, deadline=None)
@given(tables())
def test_the_linked_reader_agrees_with_the_integer_programs(table: tuple) -> None:
    cells, hidden, apart = table
    assert set(each_pinned(cells, hidden, apart, budget=10**6)) == _read(cells, hidden, apart)


def test_cases_beside_their_officials_pin_an_official() -> None:
    """Dataset 24 of tests/test_union_random.py: Piura 4 cases of 3 officials, «Sin dato» 5
    of 3, men and «Prefiero no decir» hidden; had Piura's one «Prefiero no decir» registered
    none, «Sin dato»'s 5 cases would all be Piura's. Each count alone leaves it open."""
    cells = {
        ("cusco", "female"): (2, 2, 2),
        ("cusco", "male"): (1, 2, 1),
        ("cusco", None): (0, 0, 1),
        ("piura", "undisclosed"): (1, 1, 1),
        ("piura", None): (2, 3, 5),
        ("puno", "female"): (1, 2, 4),
        ("puno", "male"): (1, 2, 1),
        ("puno", "undisclosed"): (0, 0, 2),
        ("puno", None): (0, 0, 1),
        ("tacna", "female"): (1, 1, 3),
        ("tacna", "undisclosed"): (1, 2, 5),
        ("tacna", None): (1, 2, 5),
    }
    shown = Hidden(columns=frozenset({"male", "undisclosed"}))
    # Piura's 2 «Sin dato» officials too: its 3, less the one, of the «Sin dato» 3.
    pinned = [("piura", "undisclosed"), ("piura", None)]
    assert list(each_pinned(cells, shown)) == pinned
    one_more = Hidden(columns=frozenset({"male", "undisclosed", None}))
    assert list(each_pinned(cells, one_more)) == []
