"""Indicator 7's registered people read for two quarters: the second less the first are the
people who registered in between. Ten women and ten men from Puno, five women and seven men
from Cusco, four and four from Tacna, all registered in 2025; one more woman from Cusco
registers on 10 August 2026. Q2 2026's national report and Q3's: women 19 -> 20, men 21 ->
21 (the table of groups by sex), Cusco's share of women 5 of 12 -> 6 of 13 (its total is
public: /registrados): the one person who registered in Cusco in Q3, whom its coordinator
can name, is a woman. Every pair of the year's reports a reader can get (Q1-Q4, the year)
is subtracted. On main b8651c5 Q2 and Q3 (and Q2 and Q4, Q2 and the year...) gave her
away, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from itertools import combinations, count
from zoneinfo import ZoneInfo

from bot.i18n import translator
from bot.services.indicators import query_for
from bot.services.indicators.periods import Period
from bot.services.indicators.women import women
from storage.db import Database
from storage.models import Person

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
LONG_AGO = datetime(2025, 1, 1, tzinfo=LIMA)
NEWCOMER = datetime(2026, 8, 10, 11, tzinfo=LIMA)
BASE = {"puno": (10, 10), "cusco": (5, 7), "tacna": (4, 4)}  # region: (women, men)
PERIODS = [*(Period.quarter(2026, n) for n in range(1, 5)), Period.year(2026)]
AFTER = datetime(2027, 1, 5, tzinfo=LIMA)  # every period read after it ended
IDS = count(9100)


def _person(region: str, sex: str, at: datetime) -> Person:
    return Person(
        telegram_id=next(IDS), full_name="Persona", sex=sex, region_code=region,
        consent_at=at, registered_at=at,
    )  # fmt: skip


def _truth(period: Period) -> dict[str, int]:
    """Each region's people registered by the period's end (public: /registrados)."""
    totals = {region: w + m for region, (w, m) in BASE.items()}
    if period.last >= NEWCOMER.date():
        totals["cusco"] += 1
    return totals


def _figures(period: Period, indicator: object) -> dict[str, dict[str, int]]:
    """What a report tells of registered people: the nation's by sex where shown and in
    all; each region's women (its share of women beside its total) and all."""
    groups, regions = indicator.tables  # type: ignore[attr-defined]
    row = groups.rows[0]  # «Personas registradas»: women, men, prefer not to say, none, all
    found = {"nation": {"all": row[5]}}
    for label, n in zip(
        ("Mujer", "Hombre", "Prefiero no decir", "Sin dato"), row[1:5], strict=True
    ):
        if n is not None:
            found["nation"][label] = n
    totals = _truth(period)
    for region_row in regions.rows:
        code = str(region_row[0]).lower()
        if code in totals:
            found[code] = {"all": totals[code]}
            if region_row[1] is not None:
                found[code]["Mujer"] = round(region_row[1] * totals[code])
    return found


def _told(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]) -> list:
    """(place, sex, people): the people who registered between two reports, 1 or 2 of a
    place, all of one sex that both show."""
    told = []
    for place, now in after.items():
        then = before.get(place)
        grown = now["all"] - then["all"] if then else 0
        if not 0 < grown < 3:
            continue
        for sex, n in now.items():
            if sex != "all" and sex in then and n - then[sex] == grown:
                told.append((place, sex, grown))
    return told


async def test_two_quarters_reports_keep_a_newcomers_sex(db: Database) -> None:
    async with db.session() as session:
        for region, (women_, men) in BASE.items():
            for sex in ["female"] * women_ + ["male"] * men:
                session.add(_person(region, sex, LONG_AGO))
        session.add(_person("cusco", "female", NEWCOMER))
    read = {}
    for period in PERIODS:
        async with db.session() as session:
            q = await query_for(session, period, None, T, AFTER)
            read[period] = _figures(period, await women(q))
    q2, q3 = read[PERIODS[1]], read[PERIODS[2]]
    assert q2["cusco"]["all"] + 1 == q3["cusco"]["all"]  # she is counted in Q3, not in Q2
    assert "Mujer" in q2["nation"] and "Mujer" in q2["cusco"], q2  # shown before: a test
    told = {
        (a.code, b.code): _told(read[a], read[b])
        for a, b in combinations(PERIODS, 2)
        if _told(read[a], read[b])
    }
    assert told == {}, read
