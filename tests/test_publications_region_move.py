"""Indicator 8 beside a person who moves region in /perfil after a quarter's end.

Puno has one woman and three men, Cusco and Tacna three of each, all registered long ago. A
publication of 10 February is received on 20 February by Puno's woman and one of its men,
two women and a man of Cusco and of Tacna; on 20 May by one more man of Cusco and of Tacna,
nobody of Puno and no woman. Q1's report is read on 5 April (its month's ends frozen then, as
/indicadores freezes them); Puno's woman moves to Cusco on 2 May; Q2's report is read on
5 July and Q1's again.

Q1 prints Puno reached 2 of its 4 registered; Q2 prints Puno reached 1 of its 3, received in
Q2 0. Nobody registered since (the national registered 10 both times): the one person who
left Puno (4 -> 3, Cusco 6 -> 7) was reached before Q2, as Puno's stayers' reach before Q2 is
Q2's reached less received, 1, and Q1's was 2. She was Puno's one woman (the registered by
region and sex at each month's end, which the checks take the reader to know: /registrados,
indicator 7), so Q1's Puno women received 1: a cell of one that Q1's reports hide. FAILED
before `publication_moves` (the leaver's reach told: 1), on SQLite and PostgreSQL.

Her sex changed in /perfil instead of her region would tell the same by the table by sex
(women reached 5 in Q1, 4 in Q2, none received in Q2), but Q2's sexes are all «—» there
already: the registered counts' national sexes hide the change at June's end
(`registered_history`), and indicator 8 hides with them. It passed before the fix too; kept
as the sex's side of the same attack."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.services.indicators.common import Indicator
from bot.services.indicators.periods import Period
from storage.db import Database
from storage.models import Publication, PublicationDelivery
from storage.repositories import people
from tests import two_readings as readings
from tests.move_attack import (
    APRIL,
    JULY,
    MOVED,
    Moving,
    movers_pinned,
    publications_of,
    read_moving,
    seed_moving,
)
from tests.period_attack import pinned

LIMA, T = readings.LIMA, readings.T
Q1, Q2 = Period.quarter(2026, 1), Period.quarter(2026, 2)
FEBRUARY = datetime(2026, 2, 20, 9, tzinfo=LIMA)
MAY = datetime(2026, 5, 20, 9, tzinfo=LIMA)
REGISTERED, RECEIVED, REACHED = (
    T.gettext(label)
    for label in (
        "Registered people",
        "Received a publication in the period",
        "Reached up to the end of the period",
    )
)


async def _programme(db: Database) -> int:
    """The people and deliveries above: the Telegram id of Puno's woman."""
    async with db.session() as session:
        found = await readings.add_people(
            session, {"puno": (1, 3), "cusco": (3, 3), "tacna": (3, 3)}, readings.LONG_AGO
        )
        guide = Publication(
            title="Guía", summary="Resumen", published_on=FEBRUARY.date().replace(day=10),
            filename="g.pdf", content=b"%PDF-1.4", size=8,
        )  # fmt: skip
        session.add(guide)
        await session.flush()
        puno, cusco, tacna = found["puno"], found["cusco"], found["tacna"]
        days = [(p, FEBRUARY) for p in [*puno[:2], *cusco[:2], cusco[3], *tacna[:2], tacna[3]]]
        days += [(cusco[4], MAY), (tacna[4], MAY)]
        session.add_all(
            PublicationDelivery(
                publication_id=guide.id, person_id=p.id, source="chat", delivered_at=day
            )
            for p, day in days
        )
        await session.commit()
        return puno[0].telegram_id


# what changes in her /perfil, and the row of the group she leaves: (table, row)
CHANGES = {"region": ({"region_code": "cusco"}, ("Región", "Puno")),
           "sex": ({"sex": "male"}, ("Sexo", "Mujer"))}  # fmt: skip


def _row(indicator: Indicator, where: tuple[str, str]) -> dict[str, object]:
    first, row = where
    return {label: readings.column(indicator, first, label)[row] for label in (
        REGISTERED, RECEIVED, REACHED
    )}  # fmt: skip


def _told(q1: dict[str, object], q2: dict[str, object]) -> int | None:
    """What Q1's and Q2's rows of a group (Puno, women) tell of whoever left it between
    their ends: how many of them had been reached before Q2 (None: not told). With nobody of
    the group receiving in Q2, its stayers' reach before Q2 is Q2's reached, and Q1's reached
    less it is the leavers'."""
    if None in (q1[REACHED], q2[REACHED], q2[RECEIVED]) or q2[RECEIVED] != 0:
        return None
    return int(q1[REACHED]) - int(q2[REACHED])  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("change", "database_url"),
    [("region", "sqlite"), ("region", "postgresql"), ("sex", "sqlite")],
    indirect=["database_url"],
)
async def test_a_move_after_the_quarter_tells_no_ones_reach(db: Database, change: str) -> None:
    fields, where = CHANGES[change]
    her = await _programme(db)
    before = await publications_of(db, Q1, None, APRIL)
    assert _row(before, where)[REGISTERED] == (4 if change == "region" else 7)  # the dataset
    async with db.session() as session:
        await people.update(session, her, **fields)  # her own /perfil, on MOVED
        await session.commit()
    assert MOVED < JULY
    q1, q2 = await publications_of(db, Q1, None, JULY), await publications_of(db, Q2, None, JULY)
    assert [t.rows for t in q1.tables] == [t.rows for t in before.tables]  # Q1 never moves
    assert _told(_row(q1, where), _row(q2, where)) is None


def _as_programme() -> Moving:
    """The dataset above as `tests/move_attack`'s reader models it: Puno's woman (0) and
    three men, Cusco's and Tacna's three women and three men; February's receipts of the
    first publication («p0a»), May's («p0b»); her move."""
    people = [("puno", "female"), *[("puno", "male")] * 3]
    for region in ("cusco", "tacna"):
        people += [(region, "female")] * 3 + [(region, "male")] * 3
    deliveries = {"p0a": {0, 1, 4, 5, 7, 10, 11, 13}, "p0b": {8, 14}, "p1b": set()}
    return Moving(people, [], deliveries=deliveries, moves={0: "cusco"})


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_no_combination_of_the_figures_tells_her(db: Database) -> None:
    """Every figure of the readings above (and of the year, in progress on 5 July and after
    its end) as an equation over each person's receipts, asked in whole numbers: neither
    her own figures nor a cell of 1 or 2 people is pinned. FAILED before the fix: her
    received and reached in Q1, Q2 and the year, all six pinned (the cells were not: a
    figure by region is open to the cells' reader, `period_attack.pinned`)."""
    moving = _as_programme()
    model = await seed_moving(db, moving)
    model.groups = ("recv", "reach")
    await read_moving(db, moving, model, [None])
    checked, found = pinned(model)
    assert checked >= 2  # Q1's Puno women, received and reached: a cell of one
    assert not found, [(target.label, target.truth, how) for target, how in found]
    assert not [(target.label, target.truth) for target in movers_pinned(model)]
