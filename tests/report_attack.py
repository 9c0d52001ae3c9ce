"""`tests/period_attack.py`'s attacker widened to the other indicators the workbook prints by
region and sex: 3 (workshops' attendees, raters and responses, each workshop's row), 6 (people
who read the Tool Kit), 7 (its rows of workshop attendees and raters, and their shares of
women by region), 8 (people who received a publication in the period and reached up to its
end, each publication's row, the pilot regions reached) and 9 (study visits' invited, accepted
and travelled, regional leaders beside officials, the pilot regions covered), besides 1 and
7's meeting rows. The programme adds to `period_attack.draw`'s meetings (unchanged, so its
seeds stay as found) two workshops a quarter that people of any region attend (several each),
a study visit a quarter, two publications (the first received in either quarter) and four
spells of reading.

Unknowns are 0 or 1 per person and unit (a workshop attended and rated, a visit's invitation,
answer, travel and leader's mark, a publication received in a quarter, a spell of reading),
a period's the OR of its units'; officials are the invited who are no leader in the period.
What the reader knows besides the workbooks: the people registered by region and sex, each
workshop's attendees and responses by region (/taller) and each visit's people by region,
answer, travel and leader's mark (/visita names them). Not read: views (a person may view an
article many times: no whole-number bound the reader knows), averages, scores, questions,
indicators 2, 4 and 5 (`tests/case_attack.py`)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import select

from bot.services.indicators import build_report
from bot.services.indicators.common import Indicator
from storage.db import Database
from storage.models import (
    ArticleView,
    Person,
    Publication,
    PublicationDelivery,
    Visit,
    VisitParticipant,
)
from tests.period_attack import (
    _T,
    AFTER,
    GROUPS,
    LIMA,
    PARENT,
    PERIODS,
    REGIONS,
    SEXES,
    Model,
    Programme,
    Row,
    _code,
    draw,
    moved,
    read_participation,
    read_women,
    seed_database,
)
from tests.workshop_rows import add_workshop

VISIT = ("v_inv", "v_acc", "v_trav", "v_linv", "v_lacc", "v_ltrav")
OFFICIALS = ("v_off_inv", "v_off_acc", "v_off_trav")
MORE = ("w_att", "w_rate", *VISIT, *OFFICIALS, "read", "recv", "reach")
MORE_PARENT = {
    "w_rate": "w_att", "v_acc": "v_inv", "v_trav": "v_inv", "v_linv": "v_inv",
    "v_lacc": "v_linv", "v_ltrav": "v_linv", "v_off_acc": "v_off_inv",
    "v_off_trav": "v_off_inv", "recv": "reach",
}  # fmt: skip
TRAINING = {"Asistentes": "w_att", "Personas que calificaron": "w_rate"}
WORKSHOP_ROWS = {"Asistentes a talleres": "w_att", "Personas que calificaron un taller": "w_rate"}
VISITS = {
    "Invitados": "v_inv", "Aceptaron": "v_acc", "Viajaron": "v_trav",
    "Líderes invitados": "v_linv", "Líderes que aceptaron": "v_lacc",
    "Líderes que viajaron": "v_ltrav",
}  # fmt: skip
KINDS = {"Líderes regionales": ("v_linv", "v_lacc", "v_ltrav"), "Funcionarios/as": OFFICIALS}
SPREAD = {
    "Recibieron una publicación en el periodo": "recv",
    "Alcanzadas hasta el final del periodo": "reach",
}
LEADERS_SHARE = "Proporción de líderes regionales entre quienes viajaron"
PUBLISHED = (datetime(2026, 2, 10, tzinfo=LIMA), datetime(2026, 5, 10, tzinfo=LIMA))
DELIVERIES = {"p0a": (0, datetime(2026, 2, 20, 9, tzinfo=LIMA)),
              "p0b": (0, datetime(2026, 5, 20, 9, tzinfo=LIMA)),
              "p1b": (1, datetime(2026, 5, 25, 9, tzinfo=LIMA))}  # fmt: skip


@dataclass
class Wider(Programme):
    """A programme's meetings (`draw`) and the rest: workshops (day, region, attendee: rated),
    visits (day, invitee: (accepted, travelled)), each person's leader's mark, deliveries
    (unit of DELIVERIES: its people), reading spells (day, people)."""

    workshops: list[tuple[datetime, str, dict[int, bool]]] = field(default_factory=list)
    visits: list[tuple[datetime, dict[int, tuple[bool, bool]]]] = field(default_factory=list)
    leaders: set[int] = field(default_factory=set)
    deliveries: dict[str, set[int]] = field(default_factory=dict)
    reading: list[tuple[datetime, set[int]]] = field(default_factory=list)


def draw_wider(seed: int) -> Wider:
    """`draw(seed)`'s people and meetings, and from a stream of its own: four workshops (two a
    quarter, each for anyone, about 40 % attending and two thirds of them rating), a visit a
    quarter (45 % invited, 30 % of people leaders, 60 % accepting, 80 % of them travelling),
    publications received by 40 % and 35 %, four spells of reading of 30 % each."""
    base = draw(seed)
    rng = random.Random(f"wider {seed}")
    n = len(base.people)
    wider = Wider(base.people, base.meetings)
    for day in ((2, 10), (2, 24), (5, 12), (5, 26)):
        region = rng.choice(list(REGIONS))
        attendees = {i: rng.random() < 0.65 for i in range(n) if rng.random() < 0.4}
        wider.workshops.append((datetime(2026, *day, 9, tzinfo=LIMA), region, attendees))
    wider.leaders = {i for i in range(n) if rng.random() < 0.3}
    for day in ((3, 2), (6, 1)):
        invited = {}
        for i in range(n):
            if rng.random() < 0.45:
                accepted = rng.random() < 0.6
                invited[i] = (accepted, accepted and rng.random() < 0.8)
        wider.visits.append((datetime(2026, *day, 8, tzinfo=LIMA), invited))
    first = {i for i in range(n) if rng.random() < 0.4}
    early = {i for i in first if rng.random() < 0.5}
    wider.deliveries = {
        "p0a": early, "p0b": first - early, "p1b": {i for i in range(n) if rng.random() < 0.35}
    }  # fmt: skip
    for day in ((1, 20), (3, 10), (4, 20), (6, 10)):
        readers = {i for i in range(n) if rng.random() < 0.3}
        wider.reading.append((datetime(2026, *day, 11, tzinfo=LIMA), readers))
    return wider


async def seed_wider(db: Database, wider: Wider) -> None:
    """`seed_database`'s people and meetings, then the rest (people's ids are in order)."""
    await seed_database(db, wider)
    async with db.session() as session:
        rows = await session.execute(select(Person.id).order_by(Person.telegram_id))
        ids = dict(enumerate(rows.scalars()))
        for k, (day, region, attendees) in enumerate(wider.workshops):
            scores = {ids[i]: 1 + i % 5 if rated else None for i, rated in attendees.items()}
            await add_workshop(session, f"W{k}", region, day, scores)
        await _visits(session, wider, ids)
        await _publications(session, wider, ids)
        for day, readers in wider.reading:
            for i in sorted(readers):
                for extra in range(1 + i % 2):  # some read twice: views are not people
                    at = day + timedelta(minutes=extra)
                    session.add(
                        ArticleView(article_id="reinfo", person_id=ids[i], source="chat", at=at)
                    )
        await session.commit()


async def _visits(session: Any, wider: Wider, ids: dict[int, int]) -> None:
    for k, (day, invited) in enumerate(wider.visits):
        visit = Visit(
            code=f"V{k}", title=f"Visita {k}", destination="Canadá", starts_at=day,
            ends_at=day + timedelta(days=7), audience={}, reminder_offsets={"seconds": []},
            status="scheduled",
        )  # fmt: skip
        session.add(visit)
        await session.flush()
        for i, (accepted, travelled) in invited.items():
            session.add(
                VisitParticipant(
                    visit_id=visit.id, person_id=ids[i],
                    answer="accepted" if accepted else "declined", answered_at=day,
                    travelled_at=day if travelled else None, leader=i in wider.leaders,
                )
            )  # fmt: skip


async def _publications(session: Any, wider: Wider, ids: dict[int, int]) -> None:
    guides = []
    for k, day in enumerate(PUBLISHED):
        guide = Publication(
            title=f"Guía {k}", summary="Resumen", published_on=day.date(), filename="g.pdf",
            content=b"%PDF-1.4", size=8,
        )  # fmt: skip
        session.add(guide)
        await session.flush()
        guides.append(guide.id)
    for unit, people in wider.deliveries.items():
        k, day = DELIVERIES[unit]
        for i in sorted(people):
            session.add(
                PublicationDelivery(
                    publication_id=guides[k], person_id=ids[i], source="chat", delivered_at=day
                )
            )


class WiderModel(Model):
    """`Model`'s meeting unknowns, and those of the workshops, visits, publications and
    reading (each unit's, then each period's as the OR of its units')."""

    groups: ClassVar[tuple[str, ...]] = (*GROUPS, *MORE)
    parent: ClassVar[dict[str, str]] = {**PARENT, **MORE_PARENT}

    def __post_init__(self) -> None:
        super().__post_init__()
        wider: Wider = self.programme  # type: ignore[assignment]
        self.units: dict[str, datetime] = {}
        n = len(wider.people)
        for k, (day, _region, attendees) in enumerate(wider.workshops):
            unit = self._unit(f"w{k}", day)
            for i in range(n):
                att = self._unknown((i, "w_att", unit), int(i in attendees))
                rate = self._unknown((i, "w_rate", unit), int(attendees.get(i, False)))
                self.rules.append(({rate: 1, att: -1}, 0))  # a rater attended
        for k, (day, invited) in enumerate(wider.visits):
            unit = self._unit(f"v{k}", day)
            for i in range(n):
                accepted, travelled = invited.get(i, (False, False))
                leader = i in invited and i in wider.leaders
                values = (i in invited, accepted, travelled, leader)
                values += (leader and accepted, leader and travelled)
                at = {
                    g: self._unknown((i, g, unit), int(v))
                    for g, v in zip(VISIT, values, strict=True)
                }
                for group in ("v_acc", "v_trav", "v_linv"):
                    self.rules.append(({at[group]: 1, at["v_inv"]: -1}, 0))
                for both, one in (("v_lacc", "v_acc"), ("v_ltrav", "v_trav")):
                    self._and(at[both], at[one], at["v_linv"])
        for unit, people in wider.deliveries.items():
            self._unit(unit, DELIVERIES[unit][1])
            for i in range(n):
                self._unknown((i, "recv", unit), int(i in people))
        for i in range(n):  # a publication is received once
            self.rules.append(({self.index[(i, "recv", u)]: 1 for u in ("p0a", "p0b")}, 1))
        for k, (day, readers) in enumerate(wider.reading):
            unit = self._unit(f"r{k}", day)
            for i in range(n):
                self._unknown((i, "read", unit), int(i in readers))
        for name, period in PERIODS.items():
            self._period(name, period)

    def _unit(self, unit: str, day: datetime) -> str:
        self.units[unit] = day
        return unit

    def _and(self, both: int, one: int, other: int) -> None:
        """both = one AND other."""
        self.rules += [({both: 1, one: -1}, 0), ({both: 1, other: -1}, 0)]
        self.rules.append(({one: 1, other: 1, both: -1}, 1))

    def _or(self, key: tuple[int, str, str], parts: list[int]) -> int:
        whole = self._unknown(key, max((self.truth[k] for k in parts), default=0))
        self.rules.append(({whole: 1, **{k: -1 for k in parts}}, 0))
        self.rules += [({k: 1, whole: -1}, 0) for k in parts]
        return whole

    def in_period(self, prefix: str, period: Any, since: bool = True) -> list[str]:
        """The units of a kind (w, v, p, r) in a period (up to its end: `since` False)."""
        return [
            u for u, day in self.units.items()
            if u[0] == prefix and day.date() <= period.last
            and (not since or day.date() >= period.first)
        ]  # fmt: skip

    def _period(self, name: str, period: Any) -> None:
        kinds = {"w": ("w_att", "w_rate"), "v": VISIT, "p": ("recv",), "r": ("read",)}
        for i in range(len(self.programme.people)):
            for prefix, groups in kinds.items():
                units = self.in_period(prefix, period)
                for group in groups:
                    self._or((i, group, name), [self.index[(i, group, u)] for u in units])
            reached = [self.index[(i, "recv", u)] for u in self.in_period("p", period, False)]
            self._or((i, "reach", name), reached)
            linv = self.index[(i, "v_linv", name)]
            for official, group in zip(OFFICIALS, ("v_inv", "v_acc", "v_trav"), strict=True):
                every = self.index[(i, group, name)]
                value = self.truth[every] * (1 - self.truth[linv])
                off = self._unknown((i, official, name), value)
                self.rules += [({off: 1, every: -1}, 0), ({off: 1, linv: 1}, 1)]
                self.rules.append(({every: 1, linv: -1, off: -1}, 0))

    def summed(self, who: list[int], group: str, units: list[str]) -> Row:
        return {self.index[(i, group, u)]: 1.0 for i in who for u in units}


def _figure(model: WiderModel, who: list[int], group: str, unit: str, value: Any, label: str):
    model.add(model.row(who, group, unit), value, label)


def _rows(model: Model, table: Any, scope: str | None) -> Any:
    """Each row of a table by region or sex: (its people, the row, the columns' labels)."""
    labels = [c.label for c in table.columns]
    for row in table.rows:
        if labels[0] in ("Región", "Región piloto"):
            if row[0] != "Total" and row[0] not in REGIONS.values():
                continue
            region = scope if row[0] == "Total" else _code(REGIONS, row[0])
            yield model.who(region), row, labels
        elif labels[0] == "Sexo":
            sex = "*" if row[0] == "Total" else _code(SEXES, row[0])
            yield model.who(scope, sex), row, labels


def read_training(model: WiderModel, indicator: Indicator, period: str, scope: str | None):
    """Indicator 3's attendees and raters (people once), responses (one per workshop rated)
    by region and sex, and each workshop's row (the scope's part of it)."""
    where = f"{period} {scope} ind3"
    units = model.in_period("w", PERIODS[period])
    for headline in indicator.headlines:
        if headline.label in TRAINING:
            who = model.who(scope)
            _figure(model, who, TRAINING[headline.label], period, headline.value, f"{where} H")
    for table in indicator.tables:
        labels = [c.label for c in table.columns]
        if labels[0] == "Código":
            for row in table.rows:
                unit = f"w{int(str(row[0])[1:])}"
                for column, group in (("Asistentes", "w_att"), ("Respuestas", "w_rate")):
                    row_ = model.summed(model.who(scope), group, [unit])
                    model.add(row_, row[labels.index(column)], f"{where} {row[0]} {column}")
            continue
        for who, row, labels in _rows(model, table, scope):
            what = f"{where} {labels[0]} {row[0]}"
            for c, label in enumerate(labels):
                if label in TRAINING:
                    _figure(model, who, TRAINING[label], period, row[c], f"{what} {label}")
                if label == "Respuestas":
                    model.add(model.summed(who, "w_rate", units), row[c], f"{what} {label}")


def read_toolkit(model: WiderModel, indicator: Indicator, period: str, scope: str | None):
    """Indicator 6's people who read, by region and sex (views are not read)."""
    where = f"{period} {scope} ind6"
    for headline in indicator.headlines:
        if headline.label == "Personas que leyeron":
            _figure(model, model.who(scope), "read", period, headline.value, f"{where} H")
    for table in indicator.tables[:2]:
        for who, row, labels in _rows(model, table, scope):
            c = labels.index("Personas que leyeron")
            _figure(model, who, "read", period, row[c], f"{where} {labels[0]} {row[0]} read")


def read_publications(model: WiderModel, indicator: Indicator, period: str, scope: str | None):
    """Indicator 8's received in the period and reached by its end, by region and sex, each
    publication's row, and the pilot regions reached («Sí»: at least one)."""
    where = f"{period} {scope} ind8"
    dates = PERIODS[period]
    for headline in indicator.headlines:
        if headline.label in SPREAD:
            group = SPREAD[headline.label]
            _figure(model, model.who(scope), group, period, headline.value, f"{where} H")
    for table in indicator.tables:
        labels = [c.label for c in table.columns]
        if labels[0] == "Publicación":
            for row in table.rows:
                k = int(str(row[0]).split()[-1])
                for c, since in ((3, True), (4, False)):
                    units = [u for u in model.in_period("p", dates, since) if u[1] == str(k)]
                    row_ = model.summed(model.who(scope), "recv", units)
                    model.add(row_, row[c], f"{where} {row[0]} {labels[c]}")
            continue
        for who, row, labels in _rows(model, table, scope):
            what = f"{where} {labels[0]} {row[0]}"
            for c, label in enumerate(labels):
                if label in SPREAD:
                    _figure(model, who, SPREAD[label], period, row[c], f"{what} {label}")
                if label == "Alcanzada" and row[c] in ("Sí", "No"):
                    _at_least_one(model, model.row(who, "reach", period), row[c] == "Sí")


def _at_least_one(model: Model, row: Row, yes: bool) -> None:
    """A «Sí» (some of them) or «No» (none) the reader reads as a bound."""
    if yes:
        model.rules.append(({k: -c for k, c in row.items()}, -1))
    else:
        model.rules.append((row, 0))


def read_visits(model: WiderModel, indicator: Indicator, period: str, scope: str | None):
    """Indicator 9's leaders and officials, its tables by region and sex (with the share of
    leaders among travellers), and the pilot regions' leaders and «Cubierta»."""
    where = f"{period} {scope} ind9"
    for table in indicator.tables:
        labels = [c.label for c in table.columns]
        if labels[0] == "Grupo":
            for row in table.rows:
                for c, group in enumerate(KINDS[str(row[0])], start=1):
                    who = model.who(scope)
                    _figure(model, who, group, period, row[c], f"{where} {row[0]} {labels[c]}")
            continue
        for who, row, labels in _rows(model, table, scope):
            what = f"{where} {labels[0]} {row[0]}"
            for c, label in enumerate(labels):
                if label in VISITS:
                    _figure(model, who, VISITS[label], period, row[c], f"{what} {label}")
                if label == LEADERS_SHARE and row[c] is not None:
                    leaders = model.row(who, "v_ltrav", period)
                    total = model.row(who, "v_trav", period)
                    pct = "pct" if labels[0] == "Sexo" else "share"
                    model.shares.append((leaders, total, float(row[c]), f"{what} {pct} leaders"))
                if label == "Cubierta" and row[c] in ("Sí", "No"):
                    _at_least_one(model, model.row(who, "v_ltrav", period), row[c] == "Sí")


READERS = {3: read_training, 6: read_toolkit, 8: read_publications, 9: read_visits}
# The groups whose cells each indicator counts (targets are of the indicators read only).
TARGETS = {
    1: GROUPS, 3: ("w_att", "w_rate"), 6: ("read",), 7: (*GROUPS, "w_att", "w_rate"),
    8: ("recv", "reach"), 9: (*VISIT, *OFFICIALS),
}  # fmt: skip


async def read_all(
    db: Database, model: WiderModel, scopes: list[str | None], periods: list[str] | None = None,
    numbers: tuple[int, ...] = (1, 3, 6, 7, 8, 9),
) -> None:  # fmt: skip
    """Each period's report for each scope, every indicator of `numbers`; what /reunion,
    /taller and /visita show by region; the shares read where their denominator shows."""
    model.groups = tuple(dict.fromkeys(g for n in numbers for g in TARGETS[n]))
    for period in periods or list(PERIODS):
        for scope in scopes:
            async with db.session() as session:
                report = await build_report(session, PERIODS[period], scope, _T(), AFTER)
            for indicator in report.indicators:
                if indicator.number not in numbers:
                    continue
                if indicator.number == 1:
                    read_participation(model, indicator, period, scope)
                elif indicator.number == 7:
                    read_women(model, indicator, period, scope)
                    read_women(model, indicator, period, scope, WORKSHOP_ROWS)
                else:
                    READERS[indicator.number](model, indicator, period, scope)
    _unit_reports(model, numbers)
    shown = {frozenset(f.row) for f in model.figures}
    for part, whole, share, label in model.shares:
        if frozenset(whole) in shown and model.value(whole):
            model.add(part, round(share * model.value(whole)), label)


def _unit_reports(model: WiderModel, numbers: tuple[int, ...]) -> None:
    """Each meeting's, workshop's and visit's people by region (public: its report)."""
    public = [("m", GROUPS)] if 1 in numbers or 7 in numbers else []
    public += [("w", ("w_att", "w_rate"))] if 3 in numbers or 7 in numbers else []
    public += [("v", VISIT)] if 9 in numbers else []
    units = [f"m{m}" for m in range(len(model.programme.meetings))] + list(model.units)
    for prefix, groups in public:
        for unit in (u for u in units if u[0] == prefix):
            for region in REGIONS:
                for group in groups:
                    row = model.row(model.who(region), group, unit)
                    model.add(row, model.value(row), f"/{prefix} {unit} {region} {group}")


def why_quickly(model: Model, target: Any) -> list[Any]:
    """A few figures that still pin `target`, as `period_attack.why` finds them but dropping
    whole sources (a report's indicator, a unit's report), then halves, quarters... of what
    is left, before single figures: far fewer programs on a few thousand figures."""

    def still(kept: list[Any]) -> bool:
        ids = {id(f) for f in kept}
        ((stuck, unsettled),) = moved(model, [target], lambda f: id(f) in ids)
        return stuck and not unsettled

    kept = list(model.figures)
    for source in sorted({" ".join(f.label.split()[:3]) for f in kept}):
        trial = [f for f in kept if " ".join(f.label.split()[:3]) != source]
        if len(trial) < len(kept) and still(trial):
            kept = trial
    size = max(1, len(kept) // 4)
    while True:
        start = 0
        while start < len(kept):
            trial = kept[:start] + kept[start + size :]
            if still(trial):
                kept = trial
            else:
                start += size
        if size == 1:
            return kept
        size = max(1, size // 2)
