"""A criterion's averages rest on the people who answered that criterion, not on everyone who
completed the survey. The survey asks every question before it completes a rating, but the
database allows a completed rating with a criterion left empty (NULL): indicator 3 hid a
criterion's average by the number of raters, so it showed an average over 1 or 2 answers.

Dataset: two workshops of three women each (Puno's RATE1, Tacna's RATE2); one woman of RATE1
left «usefulness» empty. Its Puno and RATE1 averages rest on two answers, and the total (five)
less /taller RATE2's (three) on the same two. A national coordinator reads /taller (message
and workbook) for both and indicator 3's workbook; every usefulness figure must be an
average of its answers (the reader's model is the dataset) and together they must single
nobody out (`tests.derivation`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.repositories.workshops import CRITERIA
from tests.chat import Person as Chatter
from tests.derivation import singled_out
from tests.test_rating_union import LABELS, _number, seed_ratings
from tests.test_union_disclosure import _tables, _workbook
from tests.union_units import national_coordinator, unit_report

CRITERION = "usefulness"
LABEL = LABELS[CRITERION]
REGIONS = {"puno": "Puno", "tacna": "Tacna"}
WORKSHOPS = {
    "RATE1": ("puno", [f"puno_w{i}" for i in range(3)]),
    "RATE2": ("tacna", [f"tacna_w{i}" for i in range(3)]),
}
PEOPLE = {name: (region, "female") for region, names in WORKSHOPS.values() for name in names}
SILENT = "puno_w2"  # completed RATE1's survey with «usefulness» empty
Unknown = tuple[str, str]  # (person, workshop): that person's usefulness score of it
Figure = tuple[str, set[Unknown], float]


def _score(name: str, criterion: str) -> int | None:
    if name == SILENT and criterion == CRITERION:
        return None
    return (sorted(PEOPLE).index(name) + CRITERIA.index(criterion)) % 5 + 1


def _answers(who: Callable[[str], bool], workshops: tuple[str, ...]) -> set[Unknown]:
    """The usefulness answers of `who` to `workshops`."""
    return {
        (name, code)
        for code in workshops
        for name in WORKSHOPS[code][1]
        if who(name) and _score(name, CRITERION) is not None
    }


def _taller(code: str, text: str, book: Any) -> list[Figure]:
    found: list[Figure] = []
    answers = _answers(lambda _n: True, (code,))
    for line in re.sub(r"<[^>]+>", "", text).splitlines():
        label, _colon, rest = line.partition(": ")
        if label == LABEL and (shown := _number(rest.split(" (")[0])) is not None:
            found.append((f"/taller {code}", answers, shown))
    for row in book["Criterios"].iter_rows(min_row=2, values_only=True):
        if row[0] == LABEL:
            assert row[2] == len(answers), (code, row)
            if (shown := _number(row[1])) is not None:
                found.append((f"/taller {code} xlsx", answers, shown))
    return found


def _who(kind: str, label: str) -> tuple[Callable[[str], bool], tuple[str, ...]] | None:
    if kind == "Código":
        return ((lambda _n: True), (label,)) if label in WORKSHOPS else None
    if label in ("Total", "Mujer"):  # everyone is a woman
        return (lambda _n: True), tuple(WORKSHOPS)
    region = next((r for r, name in REGIONS.items() if name == label), None)
    if region is None:
        return None
    return (lambda n: PEOPLE[n][0] == region), tuple(WORKSHOPS)


def _indicator(book: Any) -> list[Figure]:
    found: list[Figure] = []
    for number, header, rows in _tables(book):
        if number != 3:
            continue
        for row in rows:
            if str(row[0]) == LABEL:  # the criteria table
                cells = [(row[1], "Total")]
            else:
                cells = [(row[i], str(row[0])) for i, h in enumerate(header) if h == LABEL]
            for value, group in cells:
                who = _who(header[0], group)
                if who is not None and (shown := _number(value)) is not None:
                    found.append((f"3 {header[0]} {group}", _answers(*who), shown))
    return found


async def test_a_criterion_answered_by_fewer_than_three_is_hidden(
    api: LocalBotApi, runtime: Runtime, admin: Chatter
) -> None:
    nacho = await national_coordinator(api, runtime)
    await seed_ratings(runtime, PEOPLE, WORKSHOPS, _score)
    figures: list[Figure] = []
    for code in WORKSHOPS:
        text, book = await unit_report(api, nacho, "/taller", code)
        figures += _taller(code, text, book)
    figures += _indicator(await _workbook(api, nacho, "Todas las regiones"))
    assert any(where == "/taller RATE2" for where, _s, _v in figures), figures  # labels read
    for where, answers, shown in figures:  # each average is its answers' average
        real = sum(_score(n, CRITERION) or 0 for n, _code in answers) / len(answers)
        assert abs(real - shown) < 0.051, (where, sorted(answers), shown)
    small = [(where, sorted(answers)) for where, answers, _v in figures if len(answers) < 3]
    assert not small, small
    told = singled_out([answers for _where, answers, _v in figures])
    assert told is None, (told, [w for w, s, _v in figures if {n for n, _c in s} & set(told)])
