"""/taller's averages beside indicator 3's (issue #13's union reader, for averages), for every
criterion of the survey and for each kind of coordinator: an average shown beside its number
of ratings is their sum, so each is a known sum of the raters' scores (one unknown per person,
workshop and criterion), and the reader solves every figure a coordinator reads at once
(`tests.derivation`): /taller's message and workbook for each workshop they cover, and
indicator 3's workbook for each scope they may ask for.

The dataset tries to make it leak: Puno's one man rated only RATE2, with Tacna's three men,
so /taller RATE2 hides Puno (and Tacna with it: its total is shown); RATE1 shows Puno's
three women. Indicator 3's Puno average (four ratings) less RATE1's Puno part would be the
man's score, and the reader finds it (it did with the last check of
`bot.services.indicators.training_rule` turned off). It cannot leak: /taller hides nothing
against the national tables, but indicator 3 decides what it shows by reading every
workshop's /taller figures beside its own (`workshop_ratings_recoverable`, the same
`hidden_margins` as /taller), here hiding its total and with it every region and sex.
Every person scores each criterion differently, so each criterion is a system of its own.

Readers: a national coordinator (every scope, both workshops); a coordinator granted Puno
alone, whose own profile says Tacna (coverage comes from the grant: the report is Puno's,
and /taller RATE2, held in Tacna, is refused); one granted Puno and Tacna (both regions'
reports, not «Todas las regiones»)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.repositories import people
from storage.repositories.workshops import CRITERIA
from tests.chat import Person as Chatter
from tests.derivation import singled_out
from tests.helpers import register
from tests.test_union_disclosure import _tables, _workbook
from tests.union_dataset import APRIL, SEXES, add_people
from tests.union_units import national_coordinator, unit_report
from tests.workshop_rows import add_workshop

REGIONS = {"puno": "Puno", "tacna": "Tacna"}
# name: (region, sex, overall score); each other criterion's score differs (`_score`)
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
LABELS = {  # as /taller and indicator 3 print each criterion
    "overall": "Calificación general",
    "content": "Contenido",
    "facilitation": "Facilitación",
    "usefulness": "Utilidad para mi trabajo",
    "organization": "Organización",
}
CRITERION = {label: name for name, label in LABELS.items()}
Unknown = tuple[str, str]  # (person, "workshop:criterion"): that person's score of it
Figure = tuple[str, set[Unknown], float]


def _score(name: str, criterion: str) -> int:
    """The person's score of `criterion`: the overall one shifted by the criterion's place."""
    return (PEOPLE[name][2] - 1 + 2 * CRITERIA.index(criterion)) % 5 + 1


async def seed_ratings(
    runtime: Runtime,
    everyone: dict[str, tuple[str, str]],
    workshops: dict[str, tuple[str, list[str]]],
    score: Callable[[str, str], int | None],
) -> None:
    """Each person (region, sex); each workshop (its region, its raters), attended and rated
    by each of them with `score(name, criterion)` (None: left empty)."""
    async with runtime.db.session() as session:
        ids = await add_people(session, everyone)
        for code, (region, raters) in workshops.items():
            scores = {
                ids[name]: {criterion: score(name, criterion) for criterion in CRITERIA}
                for name in raters
            }
            await add_workshop(session, code, region, APRIL, scores)


async def _seed(runtime: Runtime) -> None:
    everyone = {n: (r, s) for n, (r, s, _score) in PEOPLE.items()}
    await seed_ratings(runtime, everyone, WORKSHOPS, _score)


def _scores(
    who: Callable[[str], bool], criterion: str, workshops: tuple[str, ...] = tuple(WORKSHOPS)
) -> set[Unknown]:
    return {
        (name, f"{code}:{criterion}")
        for code in workshops
        for name in WORKSHOPS[code][1]
        if who(name)
    }


def _number(value: Any) -> float | None:
    """A shown average (a number, or «4,3» on screen); None for «—» and what is not one."""
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    return float(text.replace(",", ".")) if re.fullmatch(r"\d+(?:[.,]\d+)?", text) else None


def _region(label: str) -> str | None:
    return next((r for r, name in REGIONS.items() if name == label), None)


def _taller_figures(code: str, text: str, book: Any) -> list[Figure]:
    """/taller CODE on screen and in its workbook: each criterion's average of everyone
    («avg (distribution)»), and each region's overall average («avg (n)»)."""
    found: list[Figure] = []
    everyone = lambda _n: True  # noqa: E731
    for line in re.sub(r"<[^>]+>", "", text).splitlines():
        label, _colon, rest = line.partition(": ")
        shown = _number(rest.split(" (")[0]) if rest else None
        if shown is None:
            continue
        if label in CRITERION:
            found.append(
                (f"/taller {code} {label}", _scores(everyone, CRITERION[label], (code,)), shown)
            )
        region = _region(label)
        if region is not None:
            who = _scores(lambda n, r=region: PEOPLE[n][0] == r, "overall", (code,))
            assert f"({len(who)})" in rest, (code, line)  # the reader's model is the dataset
            found.append((f"/taller {code} {label}", who, shown))
    for row in book["Criterios"].iter_rows(min_row=2, values_only=True):
        sums = _scores(everyone, CRITERION[str(row[0])], (code,))
        assert row[2] == len(sums), (code, row)
        if (shown := _number(row[1])) is not None:
            found.append((f"/taller {code} xlsx {row[0]}", sums, shown))
    for row in book["Por región"].iter_rows(min_row=2, values_only=True):
        region = _region(str(row[0]))
        if region is not None and (shown := _number(row[3])) is not None:
            who = _scores(lambda n, r=region: PEOPLE[n][0] == r, "overall", (code,))
            assert row[2] == len(who), (code, row)
            found.append((f"/taller {code} xlsx {row[0]}", who, shown))
    return found


def _indicator_figures(book: Any, scope: str | None) -> list[Figure]:
    """Indicator 3's averages of every criterion: total, by region, by sex, by workshop."""
    found: list[Figure] = []
    for number, header, rows in _tables(book):
        if number != 3:
            continue
        for row in rows:
            label = str(row[0])
            if label in CRITERION:  # the criteria table: one row per criterion
                cells = [(CRITERION[label], row[1], "Total")]
            else:  # a table with an average column per criterion
                cells = [
                    (CRITERION[h], row[i], label) for i, h in enumerate(header) if h in CRITERION
                ]
            for criterion, value, group in cells:
                who = _who(header[0], group, scope)
                if who is not None and (shown := _number(value)) is not None:
                    sums = _scores(who[0], criterion, who[1])
                    found.append((f"{scope} 3 {header[0]} {group} {criterion}", sums, shown))
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
    region = _region(label)
    if region is not None:
        return (lambda n: inside(n) and PEOPLE[n][0] == region), tuple(WORKSHOPS)
    sex = next((s for s, shown in SEXES.items() if shown == label), "?")
    if sex != "?":
        return (lambda n: inside(n) and PEOPLE[n][1] == sex), tuple(WORKSHOPS)
    return None


async def _coordinator(
    api: LocalBotApi, runtime: Runtime, reader: str
) -> tuple[Chatter, dict[str | None, str | None], tuple[str, ...]]:
    """The reader, the indicator scopes they may ask for (scope: button, None: no choice
    offered) and the workshops they cover."""
    if reader == "national":
        nacho = await national_coordinator(api, runtime)
        return (
            nacho,
            {None: "Todas las regiones", **{c: n for c, n in REGIONS.items()}},
            tuple(WORKSHOPS),
        )
    person = Chatter(api, 5302, "Rita", username="rita_regional")
    await register(person, region="Tacna", sex="Mujer")  # her profile: never her coverage
    granted = "puno" if reader == "puno" else "puno,tacna"
    async with runtime.db.session() as session:
        await people.set_role(session, person.id, "coordinator", granted)
    if reader == "puno":
        return person, {"puno": None}, ("RATE1",)
    return person, dict(REGIONS), tuple(WORKSHOPS)


@pytest.mark.parametrize("reader", ["national", "puno", "puno_tacna"])
async def test_workshop_averages_beside_indicator_3_give_away_nobody(
    api: LocalBotApi, runtime: Runtime, admin: Chatter, reader: str
) -> None:
    person, scopes, covered = await _coordinator(api, runtime, reader)
    await _seed(runtime)
    figures: list[Figure] = []
    for code in covered:
        text, book = await unit_report(api, person, "/taller", code)
        figures += _taller_figures(code, text, book)
    for code in set(WORKSHOPS) - set(covered):
        (refused,) = await person.say(f"/taller {code}")
        assert "Calificación general" not in (refused.text or ""), refused.text
    for scope, button in scopes.items():
        book = await _workbook(api, person, button)
        if scope is not None:  # the report of the granted region, not the profile's
            named = {
                str(row[0]) for _n, h, rows in _tables(book) if h[0] == "Región" for row in rows
            }
            assert named & set(REGIONS.values()) == {REGIONS[scope]}, (scope, named)
        figures += _indicator_figures(book, scope)
    for where, sums, shown in figures:  # each average is its units' average: a known sum
        real = sum(_score(n, u.split(":")[1]) for n, u in sums) / len(sums)
        assert abs(real - shown) < 0.051, (where, sorted(sums), shown)
    read = {unknown[1].split(":")[1] for _where, sums, _v in figures for unknown in sums}
    assert read == set(CRITERIA), read  # the labels matched: every criterion was read
    told = singled_out([sums for _where, sums, _shown in figures])
    assert told is None, (told, [w for w, s, _v in figures if any(u[0] in told for u in s)])
