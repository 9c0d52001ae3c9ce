"""/taller's averages by region beside indicator 3's by region and sex (issue #13's union
reader, for averages): an average shown beside its number of ratings is their sum, so each
is a known sum of the raters' scores (one unknown per person and workshop), and the reader
solves every figure a national coordinator reads at once (`tests.derivation`).

The dataset tries to make it leak: Puno's one man rated only RATE2, with Tacna's three men,
so /taller RATE2 hides Puno (and Tacna with it: its total is shown); RATE1 shows Puno's
three women. Indicator 3's Puno average (four ratings) less RATE1's Puno part would be the
man's score, and the reader finds it (it did with the last check of
`bot.services.indicators.training_rule` turned off). It cannot leak: /taller hides nothing
against the national tables, but indicator 3 decides what it shows by reading every
workshop's /taller figures beside its own (`workshop_ratings_recoverable`, the same
`hidden_margins` as /taller), here hiding its total and with it every region and sex. Each
criterion's figures are shown for the same groups, so the overall rating stands for all five."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.models import Workshop, WorkshopAttendance, WorkshopRating
from tests.chat import Person as Chatter
from tests.derivation import singled_out
from tests.test_union_disclosure import _tables, _workbook
from tests.union_dataset import APRIL, SEXES, add_people
from tests.union_units import national_coordinator, unit_report

REGIONS = {"puno": "Puno", "tacna": "Tacna"}
# name: (region, sex, score)
PEOPLE: dict[str, tuple[str, str, int]] = {
    **{f"puno_w{i}": ("puno", "female", 3 + i) for i in range(3)},
    "puno_man": ("puno", "male", 1),
    **{f"tacna_w{i}": ("tacna", "female", 5 - i // 2) for i in range(3)},
    **{f"tacna_m{i}": ("tacna", "male", 2 + i) for i in range(3)},
}
WORKSHOPS = {
    "RATE1": ("puno", [*(f"puno_w{i}" for i in range(3)), *(f"tacna_w{i}" for i in range(3))]),
    "RATE2": ("tacna", ["puno_man", *(f"tacna_m{i}" for i in range(3))]),
}
OVERALL = "Calificación general"
Unknown = tuple[str, str]  # (person, workshop): that person's score of that workshop
Figure = tuple[str, set[Unknown], float]


async def _seed(runtime: Runtime) -> None:
    async with runtime.db.session() as session:
        ids = await add_people(session, {n: (r, s) for n, (r, s, _score) in PEOPLE.items()})
        for code, (region, raters) in WORKSHOPS.items():
            workshop = Workshop(
                code=code, title=f"Taller {code}", region_code=region, starts_at=APRIL,
                ends_at=APRIL + timedelta(hours=3), survey_closes_at=APRIL + timedelta(days=3),
            )  # fmt: skip
            session.add(workshop)
            await session.flush()
            for name in raters:
                score = PEOPLE[name][2]
                session.add(WorkshopAttendance(workshop_id=workshop.id, person_id=ids[name]))
                session.add(
                    WorkshopRating(
                        workshop_id=workshop.id, person_id=ids[name], overall=score,
                        content=score, facilitation=score, usefulness=score,
                        organization=score, completed_at=APRIL + timedelta(hours=4),
                    )
                )  # fmt: skip


def _scores(
    who: Callable[[str], bool], workshops: tuple[str, ...] = tuple(WORKSHOPS)
) -> set[Unknown]:
    return {(name, code) for code in workshops for name in WORKSHOPS[code][1] if who(name)}


def _number(text: str) -> float | None:
    """A shown average («4,3»), or None for «—» and for lines that are not one."""
    text = text.strip()
    return float(text.replace(",", ".")) if re.fullmatch(r"\d+(?:[.,]\d+)?", text) else None


def _taller_figures(code: str, text: str) -> list[Figure]:
    """/taller CODE: the overall average of everyone, and each region's («avg (n)»)."""
    found: list[Figure] = []
    for line in re.sub(r"<[^>]+>", "", text).splitlines():
        label, _colon, rest = line.partition(": ")
        shown = _number(rest.split(" (")[0]) if rest else None
        if shown is None:
            continue
        if label == OVERALL:
            found.append((f"/taller {code} total", _scores(lambda _n: True, (code,)), shown))
        region = next((r for r, name in REGIONS.items() if name == label), None)
        if region is not None:
            who = _scores(lambda n, r=region: PEOPLE[n][0] == r, (code,))
            assert f"({len(who)})" in rest, (code, line)  # the reader's model is the dataset
            found.append((f"/taller {code} {label}", who, shown))
    return found


def _indicator_figures(book: Any, scope: str | None) -> list[Figure]:
    """Indicator 3's overall averages: total, by region, by sex, by workshop."""
    found: list[Figure] = []
    for number, header, rows in _tables(book):
        if number != 3:
            continue
        for row in rows:
            label = str(row[0])
            if OVERALL in header:  # a table with an average column per row
                value = row[header.index(OVERALL)]
            elif label == OVERALL:  # the criteria table: one row per criterion
                value, label = row[1], "Total"
            else:
                continue
            if not isinstance(value, int | float):
                continue
            who = _who(header[0], label, scope)
            if who is not None:
                sums = _scores(who[0], who[1])
                found.append((f"{scope} 3 {header[0]} {label}", sums, float(value)))
    return found


def _who(
    kind: str, label: str, scope: str | None
) -> tuple[Callable[[str], bool], tuple[str, ...]] | None:
    def inside(name: str) -> bool:
        return scope is None or PEOPLE[name][0] == scope

    if kind == "Código":
        return (inside, (label,)) if label in WORKSHOPS else None
    if label == "Total":
        return inside, tuple(WORKSHOPS)
    region = next((r for r, name in REGIONS.items() if name == label), None)
    if region is not None:
        return (lambda n: inside(n) and PEOPLE[n][0] == region), tuple(WORKSHOPS)
    sex = next((s for s, shown in SEXES.items() if shown == label), "?")
    if sex != "?":
        return (lambda n: inside(n) and PEOPLE[n][1] == sex), tuple(WORKSHOPS)
    return None


async def test_workshop_region_averages_beside_indicator_3_give_away_nobody(
    api: LocalBotApi, runtime: Runtime, admin: Chatter
) -> None:
    nacho = await national_coordinator(api, runtime)
    await _seed(runtime)
    figures: list[Figure] = []
    for code in WORKSHOPS:
        text, _book = await unit_report(api, nacho, "/taller", code)
        figures += _taller_figures(code, text)
    scopes = {None: "Todas las regiones", **{code: name for code, name in REGIONS.items()}}
    for scope, button in scopes.items():
        figures += _indicator_figures(await _workbook(api, nacho, button), scope)
    for where, sums, shown in figures:  # each average is its units' average: a known sum
        real = sum(PEOPLE[name][2] for name, _code in sums) / len(sums)
        assert abs(real - shown) < 0.051, (where, sorted(sums), shown)
    assert any(where == "/taller RATE1 Puno" for where, _s, _v in figures)  # labels matched
    told = singled_out([sums for _where, sums, _shown in figures])
    assert told is None, (told, [w for w, s, _v in figures if any(u[0] in told for u in s)])
