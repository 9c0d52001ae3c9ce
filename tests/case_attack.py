"""`tests/report_attack.py`'s attacker widened to indicators 2, 4 and 5: meeting agreements
(due, fulfilled on time, late, by kind of meeting), cases (registered, with the regional
team's support, resolved, of type formalization, by month, the officials who registered
them), the Regional Teams' monthly reports (sent, on time, by region) and formalization
(cases up to the period's end, formalized by then, registered and formalized in it), every
report a national coordinator may ask for (Q1, Q2 and the year, national and each
region's: a regional coordinator sees some of them), read as whole numbers (the other
indicators share no unknown with these: not read). The programme adds to `draw_wider`'s,
from a stream of its own (so its seeds stay as found): a kind for each meeting, agreements of
its invitees, cases of some people, each month, and Regional Team reports.

Unknowns are a person's counts, whole numbers from 0 to the year's total (the reader sees
it): per month, cases, with support, resolved, formalization cases, formalized by the end of
March, of June and of the year (a step may move in July-December unseen: Q3's and Q4's
national formalized in the period are read, as a coordinator may ask for them); per quarter and
kind of meeting, agreements due, on time and late; per month, a team report sent and on
time (0 or 1); a period's are their sums, and «officials» is 1 for a person with a case in
it. Not read: the case types other than formalization, the other statuses and steps (their
split of the rest), the meetings' count and gaps (meetings, not people), /casos, /reunion's
agreements and /informes_equipos (they name people and their figures: the reader here knows
the figures printed by region, not who; /casos is `tests/case_listing.py`'s)."""

from __future__ import annotations

import random
from copy import copy
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

import numpy as np
from sqlalchemy import select, update

from bot.services.indicators import query_for
from bot.services.indicators.cases import cases_attended, formalization
from bot.services.indicators.common import Indicator
from bot.services.indicators.joint import jointly
from bot.services.indicators.registered_at import snapshot_for
from bot.services.indicators.regularity import meeting_regularity
from bot.services.meetings import KINDS
from storage.db import Database
from storage.models import Case, CaseEvent, Meeting, MeetingAgreement, Person, TeamReport
from tests.period_attack import (
    _T,
    AFTER,
    LIMA,
    PERIODS,
    Figure,
    Row,
    Target,
    echoed,
    moved,
    targets,
    whole_groups,
)
from tests.report_attack import Wider, WiderModel, _rows, draw_wider, seed_wider

MONTHS = range(1, 7)  # cases and reports of January to June
QUARTER_MONTHS = {"Q1": range(1, 4), "Q2": range(4, 7), "Y": range(1, 13)}
MEETING_KINDS = ("coordinacion", "comite", "tecnica")
# Per month (unit «M3»): counts of cases of a person.
# Formalized by the end of March, of June and of December: a step may change in July-December
# unseen (the year's months tell no new case then, not that no step moved).
CASE = ("k_cases", "k_sup", "k_res", "k_formal", "k_fz1", "k_fz2", "k_fz3")
DONE = {"Q1": "k_fz1", "Q2": "k_fz2", "Y": "k_fz3"}  # a period's formalized by its end
# Per period: the sums, officials (0 or 1), indicator 5's, team reports, agreements.
PERIOD = ("k_cases", "k_sup", "k_res", "k_new", "off", "f_all", "f_done", "f_now")
TEAM = ("t_sent", "t_on")
AGREE = ("a_due", "a_on", "a_late")
# Shown however few, by region (a region's cases and officials, its agreements due...).
ALWAYS = ("k_cases", "off", "f_all", "k_new", "t_sent", "a_due")
BASE = {"k_sup": "k_cases", "k_res": "k_cases", "k_new": "k_cases", "f_done": "f_all",
        "f_now": "f_all", "t_on": "t_sent", "a_on": "a_due", "a_late": "a_due"}  # fmt: skip


@dataclass
class Cases(Wider):
    """`Wider` and: each meeting's kind; agreements (meeting, responsible, due day, done day
    or None); cases (person, month, supported, resolved, formalization: None, or the month it
    was formalized, 0 for registered formalized, 99 not yet); team reports (person, month,
    on time)."""

    kinds: list[str] = field(default_factory=list)
    agreements: list[tuple[int, int, date, date | None]] = field(default_factory=list)
    cases: list[tuple[int, int, bool, bool, int | None]] = field(default_factory=list)
    reports: list[tuple[int, int, bool]] = field(default_factory=list)


def draw_cases(seed: int) -> Cases:
    """`draw_wider(seed)` and, from a stream of its own: a kind per meeting; up to 3
    agreements per meeting, each of an invitee, due 10-50 days later (within June), 60 %
    done, 70 % of those on time; a third of the people officials, each month 30 % of them
    registering 1 or 2 cases (half supported, a third resolved, 40 % formalization cases: a
    quarter registered formalized, a third of the rest formalized in a later month); a
    quarter of the people in a Regional Team, each sending 70 % of the months, 70 % on
    time."""
    base = draw_wider(seed)
    rng = random.Random(f"cases {seed}")
    n = len(base.people)
    drawn = Cases(**{f: getattr(base, f) for f in base.__dataclass_fields__})
    drawn.kinds = [rng.choice(MEETING_KINDS) for _m in base.meetings]
    for m, (day, answers) in enumerate(base.meetings):
        for _k in range(rng.choice([0, 1, 2, 3]) if answers else 0):
            due = min(day.date() + timedelta(days=rng.randint(10, 50)), date(2026, 6, 30))
            done = None
            if rng.random() < 0.6:
                done = due - timedelta(days=2) if rng.random() < 0.7 else due + timedelta(days=3)
            drawn.agreements.append((m, rng.choice(sorted(answers)), due, done))
    officials = [i for i in range(n) if rng.random() < 1 / 3]
    for month in MONTHS:
        for i in officials:
            for _c in range(rng.choice([1, 2]) if rng.random() < 0.3 else 0):
                formal = None
                if rng.random() < 0.4:
                    formal = 0 if rng.random() < 0.25 else 99
                    if formal == 99 and rng.random() < 1 / 3 and month < 6:
                        formal = rng.randint(month + 1, 6)
                supported, resolved = rng.random() < 0.5, rng.random() < 1 / 3
                drawn.cases.append((i, month, supported, resolved, formal))
    for i in (i for i in range(n) if rng.random() < 0.25):
        drawn.reports += [(i, mo, rng.random() < 0.7) for mo in MONTHS if rng.random() < 0.7]
    return drawn


def _at(month: int, day: int = 15) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=LIMA)


async def seed_cases(db: Database, drawn: Cases) -> None:
    """`seed_wider`'s, then the meetings' kinds, agreements, cases and team reports."""
    await seed_wider(db, drawn)
    async with db.session() as session:
        rows = await session.execute(select(Person.id).order_by(Person.telegram_id))
        ids = dict(enumerate(rows.scalars()))
        region = dict(enumerate(r for r, _s in drawn.people))
        meetings = (await session.execute(select(Meeting.id).order_by(Meeting.id))).scalars()
        meeting_ids = list(meetings)
        for m, kind in enumerate(drawn.kinds):
            kept = update(Meeting).where(Meeting.id == meeting_ids[m])
            await session.execute(kept.values(kind=kind))
        for m, i, due, done in drawn.agreements:
            at = None if done is None else datetime.combine(done, datetime.min.time(), LIMA)
            session.add(
                MeetingAgreement(
                    meeting_id=meeting_ids[m], text="Acuerdo", responsible_id=ids[i], due_on=due,
                    status="done" if done else "pending",
                    done_at=None if at is None else at + timedelta(hours=12),
                )
            )  # fmt: skip
        for i, month, supported, resolved, formal in drawn.cases:
            step = None if formal is None else ("formalized" if formal != 99 else "concession")
            kind = "fiscalization" if formal is None else "formalization"
            case = Case(
                person_id=ids[i], region_code=region[i], kind=kind, stratum="ppm",
                supported=supported, description="Caso", formalization_step=step,
                status="resolved" if resolved else "open", created_at=_at(month),
                updated_at=_at(month),
            )  # fmt: skip
            session.add(case)
            if formal not in (None, 0, 99):
                await session.flush()
                session.add(
                    CaseEvent(case_id=case.id, kind="step", from_value="concession",
                              to_value="formalized", at=_at(formal, 5))
                )  # fmt: skip
        for i, month, on_time in drawn.reports:
            session.add(
                TeamReport(
                    person_id=ids[i], region_code=region[i], month=f"2026-{month:02d}", cases=0,
                    activities="Actividades", submitted_at=_at(month + 1, 2 if on_time else 10),
                )
            )  # fmt: skip
        await session.commit()


class CaseModel(WiderModel):
    """`WiderModel`'s unknowns and those of indicators 2, 4 and 5 (see the module)."""

    groups: ClassVar[tuple[str, ...]] = (*WiderModel.groups, *PERIOD, *TEAM, *AGREE)
    parent: ClassVar[dict[str, str]] = {**WiderModel.parent, **BASE}
    seconds: ClassVar[float] = 300.0  # counts up to the year's total: harder programs

    def __post_init__(self) -> None:
        super().__post_init__()
        self.first = len(self.truth)  # the unknowns of 2, 4 and 5 from here on
        drawn: Cases = self.programme  # type: ignore[assignment]
        self.most = max(len(drawn.cases), len(drawn.agreements), 1)
        self.counts: set[int] = set()
        for i in range(len(drawn.people)):
            self._person(drawn, i)

    def upper(self) -> np.ndarray:
        top = np.ones(len(self.truth))
        top[sorted(self.counts)] = self.most
        return top

    def _count(self, key: tuple[int, str, str], value: int) -> int:
        k = self._unknown(key, value)
        self.counts.add(k)
        return k

    def _sum(self, key: tuple[int, str, str], parts: list[int]) -> int:
        whole = self._count(key, sum(self.truth[k] for k in parts))
        self._equal({whole: 1, **{k: -1 for k in parts}})
        return whole

    def _equal(self, row: Row) -> None:
        self.rules += [(row, 0), ({k: -c for k, c in row.items()}, 0)]

    def _below(self, part: int, whole: int) -> None:
        self.rules.append(({part: 1, whole: -1}, 0))

    def _person(self, drawn: Cases, i: int) -> None:
        mine = [c for c in drawn.cases if c[0] == i]
        for month in MONTHS:
            here = [c for c in mine if c[1] == month]
            formal = [c for c in here if c[4] is not None]
            done = [month if c[4] == 0 else c[4] for c in formal]  # its month formalized
            values = (len(here), sum(c[2] for c in here), sum(c[3] for c in here), len(formal),
                      *(sum(d <= end for d in done) for end in (3, 6, 12)))  # fmt: skip
            at = {g: self._count((i, g, f"M{month}"), v) for g, v in zip(CASE, values, strict=True)}
            for part, whole in (("k_sup", "k_cases"), ("k_res", "k_cases"),
                                ("k_formal", "k_cases"), ("k_fz3", "k_formal"),
                                ("k_fz2", "k_fz3"), ("k_fz1", "k_fz2")):  # fmt: skip
                self._below(at[part], at[whole])
            if month > 3:  # nothing formalized by the end of March registered after it
                self.rules.append(({at["k_fz1"]: 1}, 0))
            sent = [r for r in drawn.reports if r[:2] == (i, month)]
            s = self._unknown((i, "t_sent", f"M{month}"), len(sent))
            self._below(self._unknown((i, "t_on", f"M{month}"), sum(r[2] for r in sent)), s)
        due = {(k, q): [a for a in drawn.agreements if a[1] == i and drawn.kinds[a[0]] == k
                        and (a[2].month <= 3) == (q == "Q1")]
               for k in MEETING_KINDS for q in ("Q1", "Q2")}  # fmt: skip
        for (kind, q), agreed in due.items():
            d = self._count((i, "a_due", f"{q}/{kind}"), len(agreed))
            on = sum(1 for a in agreed if a[3] is not None and a[3] <= a[2])
            late = sum(1 for a in agreed if a[3] is not None and a[3] > a[2])
            o = self._count((i, "a_on", f"{q}/{kind}"), on)
            la = self._count((i, "a_late", f"{q}/{kind}"), late)
            self.rules.append(({o: 1, la: 1, d: -1}, 0))
        for group in AGREE:
            for kind in MEETING_KINDS:
                parts = [self.index[(i, group, f"{q}/{kind}")] for q in ("Q1", "Q2")]
                self._sum((i, group, f"Y/{kind}"), parts)
            for period in PERIODS:
                parts = [self.index[(i, group, f"{period}/{k}")] for k in MEETING_KINDS]
                self._sum((i, group, period), parts)
        for period, months in QUARTER_MONTHS.items():
            self._case_period(i, period, [m for m in months if m in MONTHS])

    def _case_period(self, i: int, period: str, months: list[int]) -> None:
        def of(group: str, which: list[int] = months) -> list[int]:
            return [self.index[(i, group, f"M{m}")] for m in which]

        cases = self._sum((i, "k_cases", period), of("k_cases"))
        for group in ("k_sup", "k_res"):
            self._sum((i, group, period), of(group))
        self._sum((i, "k_new", period), of("k_formal"))
        last = months[-1]
        upto = [m for m in MONTHS if m <= last]
        self._sum((i, "f_all", period), of("k_formal", upto))
        done = DONE[period]
        self._sum((i, "f_done", period), of(done, upto))
        if period == "Q2":  # formalized in April-June: by June less by March
            row = {k: 1.0 for k in of("k_fz2", upto)}
            for k in of("k_fz1", [1, 2, 3]):
                row[k] = row.get(k, 0) - 1
            value = round(sum(self.truth[k] * c for k, c in row.items()))
            now = self._count((i, "f_now", period), value)
            self._equal({now: -1, **row})
        else:  # nothing was formalized before January
            self._sum((i, "f_now", period), of(done, upto))
        off = self._unknown((i, "off", period), int(self.truth[cases] > 0))
        self.rules += [({off: 1, cases: -1}, 0), ({cases: 1, off: -self.most}, 0)]
        for group in TEAM:
            self._sum((i, group, period), of(group))


def read_cases(model: CaseModel, indicator: Indicator, period: str, scope: str | None) -> None:
    """Indicator 4's tables: by type (formalization, total), status (resolved, total),
    month (cases, supported), region and sex (cases, supported, resolved, officials), and
    the Regional Team reports by region (sent, on time)."""
    where = f"{period} {scope} ind4"
    types, statuses, months, by_region, by_sex, reports = indicator.tables
    who = model.who(scope)
    for table, labels in ((types, {"Formalización": "k_new"}), (statuses, {"Resuelto": "k_res"})):
        for row in table.rows:
            group = "k_cases" if row[0] == "Total" else labels.get(str(row[0]))
            if group:
                model.add(model.row(who, group, period), row[1], f"{where} {row[0]}")
    wanted = QUARTER_MONTHS[period]
    for index, row in enumerate(months.rows):
        month = wanted[index]
        if month in MONTHS:
            for c, group in ((1, "k_cases"), (2, "k_sup")):
                model.add(model.row(who, group, f"M{month}"), row[c], f"{where} {row[0]} {c}")
    columns = {1: "k_cases", 2: "k_sup", 4: "k_res", 5: "off"}
    _breakdowns(model, (by_region, by_sex), columns, where, period, scope)
    _breakdowns(model, (reports,), {1: "t_sent", 2: "t_on"}, where, period, scope)


def _breakdowns(
    model: CaseModel, tables: Any, columns: dict[int, str], where: str, period: str,
    scope: str | None,
) -> None:  # fmt: skip
    """Each row of tables by region or sex: its columns' groups of the period."""
    for table in tables:
        for people, row, labels in _rows(model, table, scope):
            for c, group in columns.items():
                what = f"{where} {labels[0]} {row[0]} {labels[c]}"
                model.add(model.row(people, group, period), row[c], what)


def read_formalization(
    model: CaseModel, indicator: Indicator, period: str, scope: str | None
) -> None:
    """Indicator 5's steps (formalized, total) and its tables by region and sex."""
    where = f"{period} {scope} ind5"
    steps, by_region, by_sex = indicator.tables
    for row in steps.rows:
        group = {"Formalizado": "f_done", "Total": "f_all"}.get(str(row[0]))
        if group:
            model.add(model.row(model.who(scope), group, period), row[1], f"{where} {row[0]}")
    columns = {1: "f_all", 2: "f_done", 4: "k_new", 5: "f_now"}
    _breakdowns(model, (by_region, by_sex), columns, where, period, scope)


def read_agreements(model: CaseModel, indicator: Indicator, period: str, scope: str | None):
    """Indicator 2's agreements due by kind of meeting: due, on time, late, not fulfilled."""
    where = f"{period} {scope} ind2"
    table = indicator.tables[4]
    names = {_T().gettext(KINDS[code]): code for code in MEETING_KINDS}
    who = model.who(scope)
    for row in table.rows:
        unit = period if row[0] == "Total" else f"{period}/{names[str(row[0])]}"
        for c, group in ((1, "a_due"), (2, "a_on"), (3, "a_late")):
            model.add(model.row(who, group, unit), row[c], f"{where} {row[0]} {c}")
        late = {k: -v for g in ("a_on", "a_late") for k, v in model.row(who, g, unit).items()}
        model.add({**model.row(who, "a_due", unit), **late}, row[4], f"{where} {row[0]} open")


async def read_cases_too(db: Database, model: CaseModel, scopes: list[str | None]) -> None:
    """Indicators 2, 4 and 5 of every period and scope, as `build_report` makes them (a
    year shows only what its quarters show: `jointly`). The other indicators share no
    unknown with these (`alone`): not built, which saves most of the reading's time."""
    readers = {2: read_agreements, 4: read_cases, 5: read_formalization}
    functions = (meeting_regularity, cases_attended, formalization)
    for period in PERIODS:
        dates = PERIODS[period]
        quarters = dates.quarters() if dates.whole else []
        periods = [dates, *quarters] if len(quarters) > 1 else [dates]
        for scope in scopes:
            built = []
            async with db.session() as session:
                q = await query_for(session, dates, scope, _T(), now=AFTER)
                for each in periods:
                    known = await snapshot_for(session, each, _T(), AFTER)
                    part = replace(q, period=each, registered=known)
                    built.append([await function(part) for function in functions])
            whole, *parts = built
            for k, indicator in enumerate(whole):
                indicator = jointly(indicator, [p[k] for p in parts])
                readers[indicator.number](model, indicator, period, scope)
            if period == "Y" and scope is None:
                read_later(model, [p[2] for p in parts[2:]])


def read_later(model: CaseModel, later: list[Indicator]) -> None:
    """Q3's and Q4's national «Formalized in the period», where both print it (a coordinator
    asks for them too): what the cases of January-June (none registered later) became
    formalized in July-December, the year's stock less June's (seeds 0, 2, 6, 12: a region's
    year, hidden, is its June's, the flows after at 0)."""
    shown = [next(r[5] for r in each.tables[1].rows if str(r[0]) == "Total") for each in later]
    if None in shown:
        return
    row = {k: {"k_fz3": 1.0, "k_fz2": -1.0}[g] for (_i, g, _u), k in model.index.items()
           if g in ("k_fz3", "k_fz2")}  # fmt: skip
    model.add(row, sum(shown), "Q3+Q4 None ind5 Región Total Formalizados en el periodo")


def small_counts(model: CaseModel) -> list[Target]:
    """Hidden counts of indicators 2, 4 and 5 resting on 1 or 2 things of their base (a
    region's or a sex's supported of 2 cases, on time of 1 report), and those resting on 1 or
    2 people (agreements' responsible, reports' senders: `row_rule`'s unit)."""
    where = {k: key for key, k in model.index.items()}
    found = []
    for target in model.hidden:
        keys = [where[k] for k in target.row]
        group = keys[0][1]
        if group not in BASE:
            continue
        base = {model.index[(i, BASE[group], unit)]: 1.0 for i, _g, unit in keys}
        people = {i for i, _g, unit in keys if model.truth[model.index[(i, BASE[group], unit)]]}
        small = len(people) if group[0] in "at" else model.value(base)
        if 1 <= small <= 2:
            found.append(target)
    return found


def alone(model: CaseModel) -> CaseModel:
    """The model's figures, rules and hidden counts of indicators 2, 4 and 5 alone: none of
    them shares an unknown with the other indicators', so what they pin is what the whole
    pins (each part has a whole solution: the truth), and HiGHS reads far less."""
    part = copy(model)
    part.figures = [f for f in model.figures if min(f.row) >= model.first]
    part.rules = [r for r in model.rules if min(r[0]) >= model.first]
    part.hidden = [t for t in model.hidden if min(t.row) >= model.first]
    part.groups = (*PERIOD, *TEAM, *AGREE)
    return part


def case_pinned(whole: CaseModel) -> tuple[int, list[tuple[Target, str]]]:
    """`period_attack.pinned` of indicators 2, 4 and 5 (`alone`), with the small counts
    besides the cells of 1 or 2 people; a figure told openly: by region of a count shown
    however few (`ALWAYS`), 0, all of its people's marks (0 or 1 only), or all of its part's
    whole. A figure by region these reports may hide is not told elsewhere (/reunion's are).
    A hidden count that what is told openly makes equal to one printed of the same people in
    another period is printed in effect (`period_attack.echoed`: seed 6's year of Tacna,
    June's formalized, none formalized after)."""
    model = alone(whole)
    chosen = targets(model)
    # A count hidden in one report and printed in another (the year's month of a quarter's)
    # is printed, not worked out (seed 15).
    seen = {frozenset(t.row) for t in chosen} | {frozenset(f.row) for f in model.figures}
    chosen += [t for t in small_counts(model) if frozenset(t.row) not in seen]
    stuck = [t for t, (s, _u) in zip(chosen, moved(model, chosen), strict=True) if s]
    found = []
    if stuck:
        model.figures += whole_groups(model)
        counts, where = model.counts, {k: key[1] for key, k in model.index.items()}

        def openly(f: Figure) -> bool:
            marks = not any(k in counts for k in f.row)
            at_end = f.value == 0 or (marks and f.value == sum(f.row.values()))
            public = f.public and all(where[k] in ALWAYS for k in f.row)
            return public or at_end or f.label.startswith("all ")

        for target, (told, _u) in zip(stuck, moved(model, stuck, openly), strict=True):
            if not told and not echoed(model, target, openly):
                found.append(target)
    unsettled = {id(t) for t, (_s, u) in zip(found, moved(model, found), strict=True) if u}
    return len(chosen), [(t, "unsettled" if id(t) in unsettled else "pinned") for t in found]
