"""An attacker on indicator 1 (and indicator 7's rows of meeting invitees and attendees)
across periods: random meetings in the first two quarters of 2026, people invited to several
of them, and every report a national coordinator may ask for (each quarter and the year,
national and each region's) read together with /reunion's counts by region (its list names
everyone with their region and answer, never their sex) and the people registered in each
region and sex (the reader knows those: `invitee_bounds`' model).

Unknowns are per person: invited, confirmed (yes or a delegate), sent a delegate, answered
no, attended, 0 or 1 for each meeting; a period's (a quarter's, the year's) is 1 when some
meeting of the period's is (people counted once). Each figure shown is an equation over
them; each figure by sex a report hides, and each cell of region and sex of 1 or 2 people,
is asked of scipy's HiGHS in whole numbers: is there a solution that moves it? One that none
moves is pinned. Not counted: a figure the reports show elsewhere (or equal to one shown of
the same people in another period by what is told openly: `echoed`), one pinned by the figures
shown at an end of their range (3 of 3 invited: told openly), or by the counts by region
alone (a region whose people are all of one sex: its count by region is public). What
`tests/test_union_random.py` does for one quarter, here across a quarter and its year
(people counted once over the year: the year's figure is at least the quarter's)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array, lil_array
from sqlalchemy import select

from bot.services.indicators import build_report
from bot.services.indicators.common import Indicator
from bot.services.indicators.periods import Period
from storage.db import Database
from storage.models import Meeting, MeetingInvitation, Person

LIMA = ZoneInfo("America/Lima")
LONG_AGO = datetime(2025, 1, 1, tzinfo=LIMA)
AFTER = datetime(2027, 1, 5, tzinfo=LIMA)  # every period read has ended
REGIONS = {"puno": "Puno", "cusco": "Cusco", "tacna": "Tacna", "piura": "Piura"}
SEXES: dict[str | None, str] = {
    "female": "Mujer", "male": "Hombre", "undisclosed": "Prefiero no decir", None: "Sin dato",
}  # fmt: skip
GROUPS = ("inv", "conf", "deleg", "no", "att")
COLUMNS = {
    "Invitados": "inv",
    "Confirmaron (en persona o con representante)": "conf",
    "Enviaron representante": "deleg",
    "Respondieron que no": "no",
    "Asistieron": "att",
}
WOMEN_ROWS = {"Personas invitadas a reuniones": "inv", "Personas que asistieron a reuniones": "att"}
PERIODS = {"Q1": Period.quarter(2026, 1), "Q2": Period.quarter(2026, 2), "Y": Period.year(2026)}
PARENT = {"conf": "inv", "no": "inv", "att": "inv", "deleg": "conf"}
SECONDS = 20.0  # per integer program; one that runs out counts as pinned («unsettled»)

Person_ = tuple[str, str | None]  # (region, sex)
Answers = dict[int, tuple[str, bool]]  # person: (rsvp, attended)
Row = dict[int, float]  # unknown: coefficient


@dataclass
class Programme:
    people: list[Person_]
    meetings: list[tuple[datetime, Answers]]


def draw(seed: int, months: tuple[int, ...] = (2, 5)) -> Programme:
    """Each region 3 people or more (0-5 of each sex); one to three meetings in February and
    in May (or each of `months`), each for some regions, about half of their people invited."""
    rng = random.Random(seed)
    people: list[Person_] = []
    for region in REGIONS:
        while sum(1 for p in people if p[0] == region) < 3:
            for sex in SEXES:
                people += [(region, sex)] * rng.choice([0, 0, 1, 2, 3, 3, 4, 5])
    meetings: list[tuple[datetime, Answers]] = []
    for month in months:
        for k in range(rng.choice([1, 2, 3])):
            day = datetime(2026, month, 3 + 7 * k, 10, tzinfo=LIMA)
            regions = [r for r in REGIONS if rng.random() < 0.6] or [rng.choice(list(REGIONS))]
            answers: Answers = {}
            for i, (region, _sex) in enumerate(people):
                if region in regions and rng.random() < 0.55:
                    rsvp = rng.choice(["yes", "yes", "no", "pending", "delegate"])
                    came = (rsvp == "yes" and rng.random() < 0.75) or (
                        rsvp == "pending" and rng.random() < 0.2
                    )
                    answers[i] = (rsvp, came)
            meetings.append((day, answers))
    return Programme(people, meetings)


async def seed_database(db: Database, programme: Programme) -> None:
    async with db.session() as session:
        for n, (region, sex) in enumerate(programme.people):
            person = Person(
                telegram_id=900_000 + n, full_name=f"P{n}", sex=sex, region_code=region,
                position="Analista", consent_at=LONG_AGO, registered_at=LONG_AGO,
            )  # fmt: skip
            session.add(person)
        await session.commit()
    await add_meetings(db, programme, range(len(programme.meetings)))


async def add_meetings(db: Database, programme: Programme, chosen: Iterable[int]) -> None:
    """The programme's meetings of indexes `chosen`, with their answers (people seeded)."""
    async with db.session() as session:
        mine = Person.telegram_id.between(900_000, 900_000 + len(programme.people) - 1)
        rows = await session.execute(select(Person.id).where(mine).order_by(Person.telegram_id))
        ids = list(rows.scalars())
        for k in chosen:
            day, answers = programme.meetings[k]
            meeting = Meeting(
                code=f"M{k}", title=f"Reunión {k}", kind="coordinacion", starts_at=day,
                ends_at=day + timedelta(hours=2), status="scheduled",
            )  # fmt: skip
            session.add(meeting)
            await session.flush()
            for i, (rsvp, came) in answers.items():
                session.add(
                    MeetingInvitation(
                        meeting_id=meeting.id, person_id=ids[i], rsvp=rsvp,
                        attended_at=day if came else None,
                    )
                )  # fmt: skip
        await session.commit()


@dataclass
class Figure:
    row: Row
    value: float
    label: str  # «period scope where…»; «rule» for what the reader knows of everyone

    @property
    def public(self) -> bool:
        """A count by region or by meeting (public in /reunion), not by sex."""
        return not any(word in self.label for word in ("Sexo", "ind7", "pct"))


@dataclass
class Target:
    row: Row
    truth: int
    label: str


@dataclass
class Model:
    """The unknowns (with their true values), the figures shown, the rules, the hidden."""

    programme: Programme
    index: dict[tuple[int, str, str], int] = field(default_factory=dict)
    truth: list[int] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    rules: list[tuple[Row, float]] = field(default_factory=list)  # row <= bound
    hidden: list[Target] = field(default_factory=list)
    shares: list[tuple[Row, Row, float, str]] = field(default_factory=list)
    groups: ClassVar[tuple[str, ...]] = GROUPS  # a period's groups: cells of 1 or 2 people
    parent: ClassVar[dict[str, str]] = PARENT  # a group within another of the same people
    seconds: ClassVar[float] = SECONDS  # per integer program
    periods: ClassVar[dict[str, Period]] = PERIODS  # the periods read: people once in each

    def __post_init__(self) -> None:
        meetings = self.programme.meetings
        for m, (_day, answers) in enumerate(meetings):
            for i in range(len(self.programme.people)):
                rsvp, came = answers.get(i, ("", False))
                values = (i in answers, rsvp in ("yes", "delegate"), rsvp == "delegate")
                values += (rsvp == "no", came)
                unit = f"m{m}"
                for group, value in zip(GROUPS, values, strict=True):
                    self._unknown((i, group, unit), int(value))
                at = {group: self.index[(i, group, unit)] for group in GROUPS}
                for group in GROUPS[1:]:  # answered or came: was invited
                    self.rules.append(({at[group]: 1, at["inv"]: -1}, 0))
                self.rules.append(({at["deleg"]: 1, at["conf"]: -1}, 0))
                self.rules.append(({at["no"]: 1, at["conf"]: 1, at["inv"]: -1}, 0))
        for name, period in self.periods.items():
            units = [f"m{m}" for m, (day, _a) in enumerate(meetings) if _inside(day, period)]
            for i in range(len(self.programme.people)):
                for group in GROUPS:
                    parts = [self.index[(i, group, unit)] for unit in units]
                    whole = self._unknown(
                        (i, group, name), max((self.truth[k] for k in parts), default=0)
                    )
                    self.rules.append(({whole: 1, **{k: -1 for k in parts}}, 0))
                    self.rules += [({k: 1, whole: -1}, 0) for k in parts]

    def _unknown(self, key: tuple[int, str, str], value: int) -> int:
        self.index[key] = len(self.truth)
        self.truth.append(value)
        return self.index[key]

    def row(self, who: Iterable[int], group: str, unit: str) -> Row:
        return {self.index[(i, group, unit)]: 1.0 for i in who}

    def upper(self) -> np.ndarray:
        """Each unknown's largest value: 1 (a person's mark) unless a model counts."""
        return np.ones(len(self.truth))

    def value(self, row: Row) -> int:
        return round(sum(self.truth[k] * c for k, c in row.items()))

    def add(self, row: Row, value: Any, label: str) -> None:
        if not row:
            return
        if value is None:
            self.hidden.append(Target(row, self.value(row), label))
            return
        if abs(self.value(row) - float(value)) > 1e-6:
            raise AssertionError(f"the model misreads {label}: {self.value(row)} != {value}")
        self.figures.append(Figure(row, float(value), label))

    def who(self, region: str | None = None, sex: Any = "*") -> list[int]:
        return [
            i
            for i, (r, s) in enumerate(self.programme.people)
            if (region is None or r == region) and (sex == "*" or s == sex)
        ]

    def who_in(self, period: str, region: str | None = None, sex: Any = "*") -> list[int]:
        """`who` as period `period`'s reports count them: the same in every period here
        (`tests/move_attack.py`: people who move region between two periods' ends)."""
        return self.who(region, sex)


def _inside(day: datetime, period: Period) -> bool:
    return period.first <= day.date() <= period.last


def _code(names: dict[Any, str], label: Any) -> Any:
    return next(code for code, name in names.items() if name == label)


def read_participation(model: Model, indicator: Indicator, period: str, scope: str | None) -> None:
    """Indicator 1's headlines, tables by region and by sex, and each meeting's row."""
    where = f"{period} {scope}"
    for headline in indicator.headlines:
        if headline.label in COLUMNS:
            group = COLUMNS[headline.label]
            model.add(model.row(model.who(scope), group, period), headline.value, f"{where} H")
    for table in indicator.tables:
        labels = [c.label for c in table.columns]
        for row in table.rows:
            if labels[0] == "Región":
                region = scope if row[0] == "Total" else _code(REGIONS, row[0])
                who, unit = model.who(region), period
            elif labels[0] == "Sexo":
                sex = "*" if row[0] == "Total" else _code(SEXES, row[0])
                who, unit = model.who(scope, sex), period
            else:  # each meeting: the scope's invitees of it
                who, unit = model.who(scope), f"m{int(str(row[1]).split()[-1])}"
            for c, label in enumerate(labels):
                if label in COLUMNS:
                    what = f"{where} {labels[0]} {row[0]} {label}"
                    model.add(model.row(who, COLUMNS[label], unit), row[c], what)


def read_women(
    model: Model, indicator: Indicator, period: str, scope: str | None, rows: Any = WOMEN_ROWS
) -> None:
    """Indicator 7's rows of meeting invitees and attendees by sex (or other `rows`: label to
    group), and its shares of women by region (read as counts where the reports show their
    denominator)."""
    where = f"{period} {scope} ind7"
    groups, by_region = indicator.tables[:2]
    labels = [c.label for c in groups.columns]
    for row in groups.rows:
        if row[0] not in rows:
            continue
        group = rows[str(row[0])]
        for c, label in enumerate(labels):
            if label in SEXES.values() or label == "Total":
                sex = "*" if label == "Total" else _code(SEXES, label)
                model.add(
                    model.row(model.who(scope, sex), group, period),
                    row[c],
                    f"{where} {row[0]} {label}",
                )
    labels = [c.label for c in by_region.columns]
    for row in by_region.rows:
        region = scope if row[0] == "Total" else _code(REGIONS, row[0])
        for c, label in enumerate(labels):
            if label in rows and row[c] is not None:
                women = model.row(model.who(region, "female"), rows[label], period)
                total = model.row(model.who(region), rows[label], period)
                model.shares.append(
                    (women, total, float(row[c]), f"{period} {scope} pct {row[0]} {label}")
                )


async def read_everything(
    db: Database, model: Model, scopes: Iterable[str | None], periods: Iterable[str] = ()
) -> None:
    """Each period's report (every period's of the model unless told) for each scope;
    /reunion's counts by region; the shares (those of periods read before too)."""
    for period in periods or model.periods:
        await read_reports(db, model, period, model.periods[period], scopes)
    for m in range(len(model.programme.meetings)):
        for region in REGIONS:
            for group in GROUPS:
                row = model.row(model.who(region), group, f"m{m}")
                model.add(row, model.value(row), f"/reunion m{m} {region} {group}")
    shown = {frozenset(f.row) for f in model.figures}
    for women, total, share, label in model.shares:
        if frozenset(total) in shown and model.value(total):
            model.add(women, round(share * model.value(total)), label)


async def read_reports(
    db: Database, model: Model, name: str, dates: Period, scopes: Iterable[str | None],
    now: datetime = AFTER,
) -> None:  # fmt: skip
    """Indicators 1 and 7 of each scope's report of `dates` as read at `now`, as period
    `name` of the model."""
    for scope in scopes:
        async with db.session() as session:
            report = await build_report(session, dates, scope, _T(), now)
        for indicator in report.indicators:
            if indicator.number == 1:
                read_participation(model, indicator, name, scope)
            if indicator.number == 7:
                read_women(model, indicator, name, scope)


def _T() -> Any:
    from tests.test_period_disclosure import T

    return T


def targets(model: Model) -> list[Target]:
    """Each figure by sex of 1 or 2 people a report hides and no report shows; each cell of
    region, sex and period of 1 or 2 people."""
    shown = {frozenset(f.row) for f in model.figures}
    found: dict[frozenset[int], Target] = {}
    for target in model.hidden:  # a hidden figure of 3 or more pinned is a complement
        if 1 <= target.truth <= 2 and any(word in target.label for word in ("Sexo", "ind7")):
            found.setdefault(frozenset(target.row), target)
    for period in model.periods:
        for region in REGIONS:
            for sex in SEXES:
                who = model.who_in(period, region, sex)
                for group in model.groups if 1 <= len(who) <= 2 else ():
                    row = model.row(who, group, period)
                    label = f"cell {period} {region} {sex} {group} of {len(who)}"
                    found.setdefault(frozenset(row), Target(row, model.value(row), label))
    return [t for key, t in found.items() if key not in shown]


def moved(
    model: Model, chosen: list[Target], keep: Callable[[Figure], bool] = lambda f: True
) -> list[tuple[bool, bool]]:
    """For each target: (pinned, unsettled). Pinned: no whole solution of the figures `keep`
    keeps (and the rules) gives it another value; unsettled: a program ran out of time."""
    n = len(model.truth)
    figures = [f for f in model.figures if keep(f)]
    rows = [(f.row, f.value, f.value) for f in figures]
    rows += [(row, -np.inf, bound) for row, bound in model.rules]
    matrix = lil_array((len(rows), n))
    for r, (row, _lo, _hi) in enumerate(rows):
        for k, c in row.items():
            matrix[r, k] = c
    system = LinearConstraint(
        csr_array(matrix), [lo for _r, lo, _h in rows], [hi for _r, _l, hi in rows]
    )
    sums = lil_array((len(chosen), n))
    for r, target in enumerate(chosen):
        for k, c in target.row.items():
            sums[r, k] = c
    sums = csr_array(sums)
    truth = np.array([t.truth for t in chosen], dtype=float)
    up, down, unsettled = set(range(len(chosen))), set(range(len(chosen))), set()

    def free(x: np.ndarray) -> None:
        values = sums @ np.round(x)
        up.difference_update({i for i in up if values[i] > truth[i] + 0.5})
        down.difference_update({i for i in down if values[i] < truth[i] - 0.5})

    def solve(cost: np.ndarray, extra: list[LinearConstraint], gap: float | None = None) -> Any:
        return milp(
            cost, integrality=np.ones(n), bounds=Bounds(0, top), constraints=[system, *extra],
            options={"time_limit": model.seconds, "mip_rel_gap": gap},
        )  # fmt: skip

    top = model.upper()
    rng = np.random.default_rng(0)
    for _push in range(6):  # all at once, in random directions: each solution frees many
        if not (up or down):
            break
        weights = np.zeros(len(chosen))
        weights[sorted(up)] -= rng.random(len(up)) + 0.5
        weights[sorted(down)] += rng.random(len(down)) + 0.5
        # Any whole solution frees what it moves: a push need not be optimal (HiGHS stops
        # within 100 % of its bound), only each target left is settled exactly below. Seed 2
        # of test_report_bounds: the pushes 9.2 -> 5.9 CPU s, the same 49 targets left.
        result = solve(sums.T @ weights, [], gap=1.0)
        if result.x is None:
            raise AssertionError(f"the figures have no whole solution: {result.message}")
        free(result.x)
    for i in sorted(up | down):  # then each one left, each way
        for side, sign in ((up, 1), (down, -1)):
            if i in side:
                low, high = (truth[i] + 1, np.inf) if sign == 1 else (-np.inf, truth[i] - 1)
                result = solve(np.zeros(n), [LinearConstraint(sums[[i], :], low, high)])
                if result.status == 0:
                    free(result.x)
                elif result.status == 1:
                    unsettled.add(i)
    return [(i in up and i in down, i in unsettled) for i in range(len(chosen))]


def whole_groups(model: Model) -> list[Figure]:
    """Each figure equal to its parent group's for the same people (confirmed = invited, a
    rate of 100 %), as that relation alone: at an end of its range, told openly as 3 of 3
    invited is (the end is the invited shown, not only the people registered)."""
    where = {k: key for key, k in model.index.items()}
    shown = {frozenset(f.row): f.value for f in model.figures}
    found = []
    for figure in model.figures:
        keys = [where[k] for k in figure.row]
        groups = {group for _i, group, _unit in keys}
        if len(groups) != 1 or (group := groups.pop()) not in model.parent:
            continue
        if any((i, model.parent[group], unit) not in model.index for i, _g, unit in keys):
            continue
        parent = {model.index[(i, model.parent[group], unit)]: -1.0 for i, _g, unit in keys}
        if shown.get(frozenset(parent)) == figure.value:
            found.append(Figure({**figure.row, **parent}, 0.0, f"all {figure.label}"))
    return found


def pinned(model: Model) -> tuple[int, list[tuple[Target, str]]]:
    """How many targets were asked, and those pinned beyond what is told openly or public."""
    chosen = targets(model)
    stuck = [t for t, (s, _u) in zip(chosen, moved(model, chosen), strict=True) if s]
    found = []
    if stuck:
        model.figures += whole_groups(model)

        def openly(f: Figure) -> bool:
            return f.public or f.value in (0, sum(f.row.values())) or f.label.startswith("all ")

        for target, (told, _u) in zip(stuck, moved(model, stuck, openly), strict=True):
            if not told and not echoed(model, target, openly):
                found.append(target)
    unsettled = {id(t) for t, (_s, u) in zip(found, moved(model, found), strict=True) if u}
    return len(chosen), [(t, "unsettled" if id(t) in unsettled else "pinned") for t in found]


def echoed(model: Model, target: Target, openly: Callable[[Figure], bool]) -> bool:
    """Whether what is told openly makes `target` equal to a figure shown of the same people
    and group in another period: shown, in effect (seed 18: the year's «Sin dato» confirmed,
    hidden as Q2 hides it, is Q1's 2 shown, as the year's 14 confirmed are Q1's 14)."""
    where = {k: key for key, k in model.index.items()}

    def people(row: Row) -> list[tuple[int, str]]:
        return sorted((i, group) for i, group, _unit in (where[k] for k in row))

    mine = people(target.row)
    for figure in model.figures:
        if figure.row.keys() == target.row.keys() or people(figure.row) != mine:
            continue
        gap = dict(target.row)
        for k, c in figure.row.items():
            gap[k] = gap.get(k, 0.0) - c
        difference = Target(gap, target.truth - round(figure.value), f"{target.label} less")
        ((pinned, _unsettled),) = moved(model, [difference], openly)
        if pinned:
            return True
    return False


def why(model: Model, target: Target) -> list[Figure]:
    """A few figures that still pin `target` (dropping reports, then figures, while it stays
    pinned): the derivation to write down."""

    def source(f: Figure) -> str:
        return " ".join(f.label.split()[:2])

    def still(keep: Callable[[Figure], bool]) -> bool:
        ((stuck, unsettled),) = moved(model, [target], keep)
        return stuck and not unsettled

    kept = {source(f) for f in model.figures}
    for name in sorted(kept):
        if still(lambda f, trial=kept - {name}: source(f) in trial):
            kept -= {name}
    chosen = [f for f in model.figures if source(f) in kept]
    for figure in list(chosen):
        trial = {id(f) for f in chosen if f is not figure}
        if still(lambda f, trial=trial: id(f) in trial):
            chosen = [f for f in chosen if f is not figure]
    return chosen
