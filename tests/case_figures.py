"""A reader of indicator 4's figures (cases, with the regional team's support, resolved),
national and each region's report, as whole numbers: what tests/test_case_support_disclosure
checks. The unknowns are each region × sex × month cell's cases, supported and resolved
(0 ≤ supported, resolved ≤ cases); each figure shown is a sum of some of them: a region's
or a sex's row, a region's own row by sex, a month (national or a region's), the status
«Resuelto», the headlines; a share beside its cases is its count. A figure hidden («—») is
given away when every whole solution gives it one value (`pinned`), unless a figure shown
at an end tells it openly (0 supported, or all of the cases: the documented limit of
`bot.services.small_cells`). The officials are left out (`case_officials` reads them with
the cases): this reader knows less, so what it pins the reports do give away."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from bot.services.indicators.common import Indicator, Table

SEXES = {"Mujer": "female", "Hombre": "male", "Prefiero no decir": "undisclosed", "Sin dato": None}
MEASURES = ("cases", "supported", "resolved")
Cell = tuple[str, str | None, int]  # region, sex, month (index in the period)
Figure = tuple[str, frozenset[Cell]]  # measure, cells


@dataclass
class Reading:
    regions: dict[str, str]  # code -> name as the reports show it
    months: int
    shown: dict[Figure, int] = field(default_factory=dict)
    hidden: dict[Figure, str] = field(default_factory=dict)  # where each «—» was read

    def cells(self, region: str | None = None, sex: object = ..., month: int | None = None):
        return frozenset(
            (r, s, m)
            for r, s, m in product(self.regions, SEXES.values(), range(self.months))
            if region in (None, r) and sex in (..., s) and month in (None, m)
        )

    def figure(self, measure: str, cells: frozenset[Cell], value: object, where: str) -> None:
        if not cells:
            return
        if value is None:
            self.hidden.setdefault((measure, cells), where)
            return
        number = round(float(value))  # type: ignore[arg-type]
        old = self.shown.setdefault((measure, cells), number)
        assert old == number, (where, old, number)

    def share(self, cells: frozenset[Cell], share: object, where: str) -> None:
        """A share shown beside its cases is its count of supported cases."""
        cases = self.shown.get(("cases", cells))
        if share is not None and cases is not None:
            self.figure("supported", cells, float(share) * cases, f"{where} (share)")

    def report(self, indicator: Indicator, scope: str | None) -> None:
        """Indicator 4 of `scope`'s report (None: national)."""
        _types, statuses, months, by_region, by_sex, _reports = indicator.tables
        mine = self.cells(scope)
        where = f"{scope or 'national'}"
        headlines = [h.value for h in indicator.headlines]
        self.figure("cases", mine, headlines[0], f"{where} headline")
        self.figure("supported", mine, headlines[1], f"{where} headline")
        self.share(mine, headlines[2], f"{where} headline")
        self.figure("resolved", mine, headlines[3], f"{where} headline")
        for row in statuses.rows:
            if row[0] == "Resuelto":
                self.figure("resolved", mine, row[1], f"{where} status")
            if row[0] == "Total":
                self.figure("cases", mine, row[1], f"{where} status total")
        for index, row in enumerate(months.rows):
            cells = self.cells(scope, month=index)
            self.figure("cases", cells, row[1], f"{where} {row[0]}")
            self.figure("supported", cells, row[2], f"{where} {row[0]}")
        names = {name: code for code, name in self.regions.items()}
        self._rows(by_region, lambda label: self.cells(names[label]) & mine, where)
        self._rows(by_sex, lambda label: self.cells(sex=SEXES[label]) & mine, where)
        self._rows(by_region, lambda label: mine, where, total=True)
        self._rows(by_sex, lambda label: mine, where, total=True)

    def _rows(self, table: Table, cells_of, where: str, total: bool = False) -> None:  # type: ignore[no-untyped-def]
        for row in table.rows:
            if (row[0] == "Total") != total:
                continue
            cells = cells_of(row[0])
            at = f"{where} {table.title} {row[0]}"
            self.figure("cases", cells, row[1], at)
            self.figure("supported", cells, row[2], at)
            self.share(cells, row[3], at)
            self.figure("resolved", cells, row[4], at)

    def given_away(self, cases: Mapping[Cell, int]) -> dict[str, int]:
        """The supported and resolved of each region, sex and region × sex of 1 or 2 cases
        (`cases`: each cell's, as the database holds them) that every whole solution pins,
        not told openly, with their value. A group of 3 or more hidden with them may be
        worked out (the rule of `bot.services.small_cells`: no cut of 1 or 2)."""
        solver = _Solver(self)
        groups = {
            **{name: self.cells(code) for code, name in self.regions.items()},
            **{label: self.cells(sex=sex) for label, sex in SEXES.items()},
            **{
                f"{name} {label}": self.cells(code, sex)
                for (code, name), (label, sex) in product(self.regions.items(), SEXES.items())
            },
        }
        found = {}
        for (name, cells), measure in product(groups.items(), ("supported", "resolved")):
            if not 0 < sum(cases.get(cell, 0) for cell in cells) < 3:
                continue
            if self._openly(measure, cells):
                continue
            low, high = solver.bounds(measure, cells)
            if low == high:
                where = self.hidden.get((measure, cells), "worked out")
                found[f"{name} {measure} ({where})"] = low
        return found

    def _openly(self, measure: str, cells: frozenset[Cell]) -> bool:
        """Whether a figure shown at an end (0, or all of its cases shown beside) holds it."""
        for (other, inside), value in self.shown.items():
            if other != measure or not cells <= inside:
                continue
            if value == 0 or value == self.shown.get(("cases", inside)):
                return True
        return False


class _Solver:
    def __init__(self, reading: Reading) -> None:
        cells = sorted(reading.cells(), key=repr)
        self.index = {
            (measure, cell): i for i, (measure, cell) in enumerate(product(MEASURES, cells))
        }
        size = len(self.index)
        most = max((v for (m, _c), v in reading.shown.items() if m == "cases"), default=0)
        rows, values = [], []
        for (measure, inside), value in reading.shown.items():
            rows.append(self._vector(measure, inside))
            values.append(value)
        for cell in cells:  # supported, resolved <= cases
            for measure in ("supported", "resolved"):
                row = np.zeros(size)
                row[self.index[measure, cell]] = 1
                row[self.index["cases", cell]] = -1
                rows.append(row)
                values.append(None)
        equal = [(r, v) for r, v in zip(rows, values, strict=True) if v is not None]
        rules = [r for r, v in zip(rows, values, strict=True) if v is None]
        self.constraints = [
            LinearConstraint(np.array([r for r, _v in equal]), [v for _r, v in equal],
                             [v for _r, v in equal]),
            LinearConstraint(np.array(rules), -np.inf, 0),
        ]  # fmt: skip
        self.bounds_ = Bounds(np.zeros(size), np.full(size, most))
        self.size = size

    def _vector(self, measure: str, cells: Iterable[Cell]) -> np.ndarray:
        row = np.zeros(len(self.index))
        for cell in cells:
            row[self.index[measure, cell]] = 1
        return row

    def bounds(self, measure: str, cells: frozenset[Cell]) -> tuple[int, int]:
        target = self._vector(measure, cells)
        ends = []
        for sign in (1, -1):
            result = milp(
                sign * target, integrality=np.ones(self.size), bounds=self.bounds_,
                constraints=self.constraints, options={"time_limit": 30},
            )  # fmt: skip
            assert result.success, result.message
            ends.append(round(sign * result.fun))
        return ends[0], ends[1]
