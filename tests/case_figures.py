"""A reader of indicators 4 and 5 (cases, with the regional team's support, resolved; the
formalization cases, formalized, formalized in the period), national and each region's
report, read together as whole numbers: what tests/test_case_support_disclosure checks.
The unknowns are each region × sex × month cell's counts (the months of the period, and
«before» for indicator 5's cases registered earlier): cases, supported and resolved of them,
formalization cases, formalized of those, and formalized in the period. Each figure shown
is a sum of some of them: a region's or a sex's row, a region's own row by sex, a month, a
status, a type, a step, the headlines; a share beside its whole is its count. A figure is
given away when every whole solution gives it one value (`Reading.given_away`), unless a
figure shown at an end tells it openly (0, or all of 3 or more: the documented limit of
`bot.services.small_cells`). The officials are left out (`case_officials` reads them with
the cases): this reader knows less, so what it pins the reports do give away."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product

import numpy as np
from scipy.optimize import Bounds, LinearConstraint

from bot.services.indicators.common import Indicator, Table
from bot.services.integer_moves import solve

SEXES = {"Mujer": "female", "Hombre": "male", "Prefiero no decir": "undisclosed", "Sin dato": None}
BEFORE = -1  # the month of indicator 5's cases registered before the period
MEASURES = ("cases", "supported", "resolved", "formal", "formalized", "now")
# What each count is a part of (each cell's count at most its whole's).
WHOLE = {"supported": "cases", "resolved": "cases", "formal": "cases", "formalized": "formal"}
WHOLE["now"] = "formalized"
Cell = tuple[str, str | None, int]  # region, sex, month (index in the period; BEFORE)
Figure = tuple[str, frozenset[Cell]]  # measure, cells


@dataclass
class Reading:
    regions: dict[str, str]  # code -> name as the reports show it
    months: int
    shown: dict[Figure, int] = field(default_factory=dict)
    hidden: dict[Figure, str] = field(default_factory=dict)  # where each «—» was read

    def cells(
        self, region: str | None = None, sex: object = ..., month: int | None = None, *,
        before: bool = False,
    ) -> frozenset[Cell]:  # fmt: skip
        """The cells of a region, a sex, a month (None: any), of the period only unless
        `before` (indicator 5's cases count those registered earlier too)."""
        months = range(BEFORE if before else 0, self.months)
        return frozenset(
            (r, s, m)
            for r, s, m in product(self.regions, SEXES.values(), months)
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

    def share(self, part: str, cells: frozenset[Cell], share: object, where: str) -> None:
        """A share shown beside its whole is its count."""
        whole = self.shown.get((WHOLE[part], cells))
        if share is not None and whole is not None:
            self.figure(part, cells, float(share) * whole, f"{where} (share)")

    def cases(self, indicator: Indicator, scope: str | None) -> None:
        """Indicator 4 of `scope`'s report (None: national)."""
        types, statuses, months, by_region, by_sex, _reports = indicator.tables
        mine = self.cells(scope)
        where = f"{scope or 'national'}"
        self._headlines(indicator, ("cases", "supported", "%supported", "resolved"), mine, where)
        self._labelled(types, {"Formalización": "formal", "Total": "cases"}, mine, where)
        self._labelled(statuses, {"Resuelto": "resolved", "Total": "cases"}, mine, where)
        for index, row in enumerate(months.rows):
            cells = self.cells(scope, month=index)
            self.figure("cases", cells, row[1], f"{where} {row[0]}")
            self.figure("supported", cells, row[2], f"{where} {row[0]}")
        columns = ("cases", "supported", "%supported", "resolved")
        self._breakdowns(by_region, by_sex, columns, scope, where, before=False)

    def formalization(self, indicator: Indicator, scope: str | None) -> None:
        """Indicator 5 of `scope`'s report (None: national)."""
        steps, by_region, by_sex = indicator.tables
        every = self.cells(scope, before=True)
        where = f"{scope or 'national'} 5"
        self._headlines(indicator, ("formal", "formalized", "%formalized", "now"), every, where)
        self._labelled(steps, {"Formalizado": "formalized", "Total": "formal"}, every, where)
        columns = ("formal", "formalized", "%formalized", "new", "now")
        self._breakdowns(by_region, by_sex, columns, scope, where, before=True)

    def _headlines(
        self, indicator: Indicator, measures: tuple[str, ...], cells: frozenset[Cell], where: str
    ) -> None:
        """The first headlines, one a measure («%x»: a share of x's whole)."""
        for measure, headline in zip(measures, indicator.headlines, strict=False):
            if measure.startswith("%"):
                self.share(measure[1:], cells, headline.value, f"{where} headline")
            else:
                self.figure(measure, cells, headline.value, f"{where} headline")

    def _labelled(
        self, table: Table, labels: Mapping[str, str], cells: frozenset[Cell], where: str
    ) -> None:
        for row in table.rows:
            if row[0] in labels:
                self.figure(labels[str(row[0])], cells, row[1], f"{where} {row[0]}")

    def _breakdowns(
        self, by_region: Table, by_sex: Table, columns: tuple[str, ...], scope: str | None,
        where: str, *, before: bool,
    ) -> None:  # fmt: skip
        names = {name: code for code, name in self.regions.items()}
        mine = self.cells(scope, before=True)

        def rows(table: Table, of: Callable[[str], frozenset[Cell]]) -> None:
            for row in table.rows:
                every = of(str(row[0])) & mine
                for column, value in zip(columns, row[1:], strict=False):
                    at = f"{where} {table.title} {row[0]}"
                    period = frozenset(cell for cell in every if cell[2] != BEFORE)
                    if column == "new":
                        self.figure("formal", period, value, at)
                    elif column.startswith("%"):
                        self.share(column[1:], every if before else period, value, at)
                    else:
                        self.figure(column, every if before else period, value, at)

        total = self.cells(before=True)
        rows(by_region, lambda label: total if label == "Total" else self._of(names[label]))
        rows(by_sex, lambda label: total if label == "Total" else self._of(sex=SEXES[label]))

    def _of(self, region: str | None = None, sex: object = ...) -> frozenset[Cell]:
        return self.cells(region, sex, before=True)

    def given_away(self, truth: Mapping[tuple[str, Cell], int]) -> dict[str, int]:
        """The small groups' hidden counts that every whole solution pins, not told openly,
        with their value. `truth`: each cell's counts (measure, cell), as the database holds
        them. Small: a region, sex or region × sex of 1 or 2 cases (supported, resolved) or
        formalization cases (formalized, formalized in the period; and their number, which
        indicator 5's table by sex hides for a sex of 1 or 2). A group of 3 or more hidden
        with them may be worked out (the rule of `bot.services.small_cells`: no cut of 1
        or 2)."""
        solver = _Solver(self)
        groups = {
            **{name: self._of(code) for code, name in self.regions.items()},
            **{label: self._of(sex=sex) for label, sex in SEXES.items()},
            **{
                f"{name} {label}": self._of(code, sex)
                for (code, name), (label, sex) in product(self.regions.items(), SEXES.items())
            },
        }
        found = {}
        for (name, every), measure in product(groups.items(), MEASURES[1:]):
            period = frozenset(cell for cell in every if cell[2] != BEFORE)
            cells = period if WHOLE[measure] == "cases" and measure != "formal" else every
            base = "formal" if measure != "supported" and measure != "resolved" else "cases"
            if not 0 < sum(truth.get((base, cell), 0) for cell in cells) < 3:
                continue
            if measure == "formal" and name in self.regions.values():
                continue  # a region's formalization cases are public, however few
            for inside in {cells, period} if measure == "formal" else {cells}:
                if self._openly(measure, inside, truth):
                    continue
                low, high = solver.bounds(measure, inside)
                if low == high:
                    where = self.hidden.get((measure, inside), "worked out")
                    found[f"{name} {measure} ({where})"] = low
        return found

    def _openly(
        self, measure: str, cells: frozenset[Cell], truth: Mapping[tuple[str, Cell], int]
    ) -> bool:
        """Whether a figure shown holds it at an end: 0 (of it, or of what it is part of:
        no cases, so none formalized; or each of its cells so), or all of its whole shown
        beside, 3 or more."""
        chain = [measure]
        while chain[-1] in WHOLE:
            chain.append(WHOLE[chain[-1]])
        zeros = [inside for (other, inside), v in self.shown.items() if other in chain and not v]
        if all(any(cell in inside for inside in zeros) for cell in cells):
            return True  # each of its cells in a figure shown at 0 (a region's, /registrados')
        for (other, inside), value in self.shown.items():
            if other not in chain or not cells <= inside:
                continue
            if value == 0:
                return True
            whole = WHOLE[measure]
            if (
                other == measure
                and value == self.shown.get((whole, inside))
                and sum(truth.get((whole, cell), 0) for cell in inside) >= 3
            ):
                return True
        return False


class _Solver:
    def __init__(self, reading: Reading) -> None:
        cells = sorted(reading.cells(before=True), key=repr)
        self.index = {key: i for i, key in enumerate(product(MEASURES, cells))}
        size = len(self.index)
        most = max(reading.shown.values(), default=0)
        equal = [(self._vector(m, inside), v) for (m, inside), v in reading.shown.items()]
        rules = []
        for cell, (part, whole) in product(cells, WHOLE.items()):  # a part <= its whole
            row = np.zeros(size)
            row[self.index[part, cell]] = 1
            row[self.index[whole, cell]] = -1
            rules.append(row)
        values = [v for _r, v in equal]
        self.constraints = [
            LinearConstraint(np.array([r for r, _v in equal]), values, values),
            LinearConstraint(np.array(rules), -np.inf, 0),
        ]
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
            result = solve(
                sign * target, integrality=np.ones(self.size), bounds=self.bounds_,
                constraints=self.constraints, options={"time_limit": 30},
            )  # fmt: skip
            assert result.success, result.message
            ends.append(round(sign * result.fun))
        return ends[0], ends[1]
