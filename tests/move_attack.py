"""`tests/report_attack.py`'s attacker on indicator 8 (publications and their reach) with
people who move region in /perfil after the first quarter's end: Q1's report read on 5 April
(its month's ends frozen then, as /indicadores freezes them before a report,
`registered.freeze_months`), a few people moved on 2 May, then Q1 read again, Q2, the year in
progress (5 July) and the year after its end. Indicator 8 counts each person in the region and
sex /registrados counted her at the period's last month's end (`registered_at`), so the mover
is one of Puno's people in Q1's report and one of Cusco's in Q2's and the year's: the reader
(who knows the people registered by region and sex at each month's end, the move with them)
reads every figure as an equation over each person's unknowns, the mover's in both places."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.services.indicators import query_for
from bot.services.indicators.common import Indicator
from bot.services.indicators.joint import jointly
from bot.services.indicators.periods import Period
from bot.services.indicators.publications import publications
from bot.services.indicators.registered_at import snapshot_for
from bot.services.registered import freeze_months
from storage.db import Database
from storage.repositories import people
from tests.period_attack import (
    _T,
    AFTER,
    LIMA,
    REGIONS,
    Figure,
    Person_,
    Target,
    moved,
    whole_groups,
)
from tests.report_attack import Wider, WiderModel, draw_wider, read_publications, seed_wider

APRIL = datetime(2026, 4, 5, 9, tzinfo=LIMA)  # Q1 ended, read before anyone moved
MOVED = datetime(2026, 5, 2, 10, tzinfo=LIMA)  # the moves (after March's end was frozen)
JULY = datetime(2026, 7, 5, 9, tzinfo=LIMA)  # the year read in progress
FIRST = 900_000  # the Telegram id of the programme's first person (`seed_database`)


@dataclass
class Moving(Wider):
    """`Wider`'s programme and, per person who moves, the region she moves to."""

    moves: dict[int, str] = field(default_factory=dict)

    def after(self) -> list[Person_]:
        """Each person's (region, sex) after the moves."""
        return [(self.moves.get(i, r), s) for i, (r, s) in enumerate(self.people)]


def draw_moving(seed: int, movers: int = 2, quiet: bool = True) -> Moving:
    """`draw_wider(seed)`, and from a stream of its own `movers` people who move to another
    region; `quiet`: nobody of the regions they leave receives a publication in Q2 (their
    stayers' reach then unchanged: what lets the reader tell the leavers')."""
    wider = draw_wider(seed)
    rng = random.Random(f"moving {seed}")
    chosen = rng.sample(range(len(wider.people)), movers)
    moves = {i: rng.choice([r for r in REGIONS if r != wider.people[i][0]]) for i in chosen}
    left = {wider.people[i][0] for i in moves}
    if quiet:
        for unit in ("p0b", "p1b"):  # Q2's (DELIVERIES)
            wider.deliveries[unit] = {
                i for i in wider.deliveries[unit] if wider.people[i][0] not in left
            }
    drawn = {name: getattr(wider, name) for name in wider.__dataclass_fields__}
    return Moving(**drawn, moves=moves)


class MovingModel(WiderModel):
    """`WiderModel`, each period's figures over its people as counted at its end: Q1's before
    the moves, Q2's and the year's after (`at`: the period being read)."""

    at: str = "Q1"

    def people_at(self, period: str) -> list[Person_]:
        moving: Moving = self.programme  # type: ignore[assignment]
        return moving.people if period == "Q1" else moving.after()

    def who(self, region: str | None = None, sex: Any = "*") -> list[int]:
        return self.who_in(self.at, region, sex)

    def who_in(self, period: str, region: str | None = None, sex: Any = "*") -> list[int]:
        return [
            i
            for i, (r, s) in enumerate(self.people_at(period))
            if (region is None or r == region) and (sex == "*" or s == sex)
        ]


Reading = tuple[str, Period, datetime]
BEFORE: list[Reading] = [("Q1", Period.quarter(2026, 1), APRIL)]
LATER: list[Reading] = [
    ("Q1", Period.quarter(2026, 1), AFTER),
    ("Q2", Period.quarter(2026, 2), JULY),
    ("Y", Period.year(2026), JULY),  # in progress: the same people's year so far
    ("Y", Period.year(2026), AFTER),
]


async def publications_of(
    db: Database, dates: Period, scope: str | None, now: datetime
) -> Indicator:
    """Indicator 8 of the report of `dates` for `scope` as read at `now`, its months frozen
    first as /indicadores does; a year beside its quarters as `build_report` shows it."""
    await freeze_months(db, now, LIMA)
    async with db.session() as session:
        q = await query_for(session, dates, scope, _T(), now)
        found = []
        for each in [dates, *(dates.quarters() if len(dates.quarters()) > 1 else [])]:
            registered = await snapshot_for(session, each, q.t, now)
            found.append(await publications(replace(q, period=each, registered=registered)))
    return jointly(found[0], found[1:])


async def read_moving(
    db: Database, moving: Moving, model: MovingModel, scopes: list[str | None]
) -> dict[tuple[str, str | None], list[Indicator]]:
    """Every reading of BEFORE, the moves, every reading of LATER, each into the model; each
    period's indicator 8 per scope as read each time (an ended period's must never move)."""
    read: dict[tuple[str, str | None], list[Indicator]] = {}

    async def take(readings: list[Reading]) -> None:
        for name, dates, now in readings:
            model.at = name
            for scope in scopes:
                indicator = await publications_of(db, dates, scope, now)
                read.setdefault((name, scope), []).append(indicator)
                read_publications(model, indicator, name, scope)

    await take(BEFORE)
    async with db.session() as session:
        for i, region in moving.moves.items():
            await people.update(session, FIRST + i, region_code=region)  # her own /perfil
        await session.commit()
    await take(LATER)
    return read


async def seed_moving(db: Database, moving: Moving) -> MovingModel:
    await seed_wider(db, moving)
    return MovingModel(moving)


def movers_pinned(model: MovingModel) -> list[Target]:
    """Each mover's own figures in each period (a group of one) that the figures pin, besides
    what a figure at an end of its range tells of everyone in it (0 of a region received):
    a count by region is no listing of who received (`Figure.public` is /reunion's)."""
    moving: Moving = model.programme  # type: ignore[assignment]
    chosen = []
    for i in moving.moves:
        for period in model.periods:
            for group in ("recv", "reach"):
                row = model.row([i], group, period)
                chosen.append(Target(row, model.value(row), f"mover {i} {period} {group}"))
    stuck = [t for t, (s, _u) in zip(chosen, moved(model, chosen), strict=True) if s]
    if not stuck:
        return []

    def openly(f: Figure) -> bool:
        return f.value in (0, sum(f.row.values())) or f.label.startswith("all ")

    model.figures += whole_groups(model)
    told = moved(model, stuck, openly)
    return [t for t, (s, _u) in zip(stuck, told, strict=True) if not s]
