"""Indicators whose people fall into groups that overlap across tables (issue #13): every
figure shown together, read as sums of people's values, must not single out 1 or 2 people.
Each test builds an indicator's tables from hand-made people (no database) and gives every
figure shown to the brute-force reader of `tests.derivation`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.i18n import translator
from bot.services.indicators.common import Query, Table
from bot.services.indicators.meeting_rule import meeting_hides
from bot.services.indicators.periods import Period
from bot.services.indicators.row_rule import row_hides
from bot.services.indicators.visits import visit_cells, visit_tables
from bot.services.small_cells import hidden_margins, hidden_within
from tests.derivation import singled_out

T = translator("es", ZoneInfo("America/Lima"))
REGIONS = {"puno": "Puno", "cusco": "Cusco", "lima": "Lima"}
SEX_NAMES = {"female": "Mujer", "male": "Hombre"}


def _query(region: str | None) -> Query:
    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    return Query(None, period, region, REGIONS, T, period.end(T))  # type: ignore[arg-type]


def _shown(table: Table) -> dict[object, tuple[object, ...]]:
    return {row[0]: row[1:] for row in table.rows}


# (region, sex, regional leader, accepted, travelled)
Visitor = tuple[str, str, bool, bool, bool]
visitors = st.lists(
    st.tuples(
        st.sampled_from(list(REGIONS)),
        st.sampled_from(list(SEX_NAMES)),
        st.booleans(),
        st.booleans(),
        st.booleans(),
    ),
    max_size=9,
)


def _visit_sums(people: list[Visitor]) -> list[set[tuple[int, str]]]:
    """Indicator 9 as the reader sees it, in the national report and every region's: each
    figure shown, as the set of (person, variable) it adds up; a share counts as its
    numerator and denominator."""
    marks = []
    for region, sex, leader, accepted, travelled in people:
        done = {"invited"} | ({"accepted"} if accepted else set())
        done |= {"travelled"} if travelled else set()
        marks.append((region, sex, done | ({f"leader_{d}" for d in done} if leader else set())))
    known: list[set[tuple[int, str]]] = []

    def add(value: object, who: list[int], variable: str) -> None:
        if value is not None:
            known.append({(i, variable) for i in who})

    def leaders(who: list[int]) -> list[int]:
        return [i for i in who if people[i][2]]

    for scope in [None, *REGIONS]:
        inside = [i for i, p in enumerate(people) if scope is None or p[0] == scope]
        _headlines, (split, regions, sexes, pilots) = visit_tables(
            _query(scope), visit_cells(marks)
        )
        for table, side in ((regions, 0), (sexes, 1)):
            names = REGIONS if side == 0 else SEX_NAMES
            for code, name in [*names.items(), (None, "Total")]:
                row = _shown(table).get(name)
                if row is None:
                    continue
                who = [i for i in inside if code is None or people[i][side] == code]
                add(row[1], who, "accepted")
                add(row[2], who, "travelled")
                add(row[4], leaders(who), "travelled")
                add(row[5], who, "travelled")
                add(row[5], leaders(who), "travelled")
        for name, row in _shown(pilots).items():
            who = leaders([i for i in inside if REGIONS[people[i][0]] == name])
            add(row[1], who, "accepted")
            add(row[2], who, "travelled")
        for (_label, *row), leader in zip(split.rows, (True, False), strict=True):
            who = [i for i in inside if people[i][2] == leader]
            add(row[1], who, "accepted")
            add(row[2], who, "travelled")
    return known


@settings(max_examples=400, deadline=None)
@given(visitors)
@example(  # one official among three leaders: «Officials: 1 invited, 0 accepted» was shown
    [("puno", "female", True, True, True)] * 3 + [("cusco", "male", False, False, False)],
)
@example(  # one leader in Puno: the pilot table showed her «1 · 1 · 1»
    [("puno", "female", True, True, True)] + [("lima", "male", False, True, False)] * 3,
)
def test_study_visits(people: list[Visitor]) -> None:
    assert singled_out(_visit_sums(people)) is None, people


def test_one_leader_in_a_pilot_region_is_not_shown() -> None:
    """Puno's one leader accepted and travelled; three officials from Lima. Before the fix the
    pilot table read «Puno: 1 · 1 · 1 · Sí» and the table of leaders and officials «Líderes
    regionales: 1 · 1 · 1» while the table by region hid Puno: her answer was in plain
    sight. Now her accepted and travelled are «—» everywhere (the «Sí» of a covered pilot
    region is the indicator itself, and stays)."""
    people: list[Visitor] = [("puno", "female", True, True, True)]
    people += [("lima", "male", False, True, False)] * 3
    marks = [
        (r, s, {"invited", *(["accepted"] if a else []), *(["travelled"] if t else [])}
         | ({"leader_invited", "leader_accepted", "leader_travelled"} if leader else set()))
        for r, s, leader, a, t in people
    ]  # fmt: skip
    headlines, (split, _regions, _sexes, pilots) = visit_tables(_query(None), visit_cells(marks))
    assert _shown(pilots)["Puno"] == (None, None, None, "Sí")
    assert _shown(split) == {
        "Líderes regionales": (1, None, None),
        "Funcionarios/as": (3, None, None),
    }
    assert headlines[0].value == "1 / — / —; 1 de 6"


def _people_of(cells: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    return [key for key, n in sorted(cells.items()) for _ in range(n)]


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.sampled_from("ABCD"), st.sampled_from("fmu")),
        st.integers(min_value=0, max_value=5),
        max_size=10,
    )
)
@example({("A", "f"): 1, ("B", "f"): 4, ("C", "f"): 10})  # Puno, Cusco, Lima: see below
@example({("A", "f"): 1, ("A", "m"): 3, ("B", "f"): 10, ("B", "m"): 5})
def test_each_row_reported_alone_beside_the_margins(cells: dict[tuple[str, str], int]) -> None:
    """Margins by row and column as `hidden_margins` hides them, and each row's own report of
    its cells as `hidden_within` lets it show: nobody can be singled out. A row's own total
    is its margin (shown with it, hidden with it)."""
    people = _people_of(cells)
    hidden = hidden_margins(cells)
    secret = hidden_within(cells, hidden)
    everyone = range(len(people))
    known = [] if hidden.total else [set(everyone)]
    for side, gone in ((0, hidden.rows), (1, hidden.columns)):
        for key in {p[side] for p in people} - gone:
            known.append({i for i in everyone if people[i][side] == key})
    for key in set(people) - secret:
        known.append({i for i in everyone if people[i] == key})
    assert singled_out([{(i, "x") for i in sums} for sums in known]) is None, (cells, secret)


# (region, sex, meetings invited to)
Invitee = tuple[str, str, frozenset[int]]
invitees = st.lists(
    st.tuples(
        st.sampled_from(["puno", "cusco", "lima"]),
        st.sampled_from(["female", "male"]),
        st.frozensets(st.sampled_from([1, 2, 3]), min_size=1, max_size=2),
    ),
    max_size=10,
)


def _meeting_sums(people: list[Invitee]) -> list[set[tuple[object, object]]]:
    """Indicator 1 in the national report and every region's: each person's «at least once»
    is an unknown, and so is each answer of someone invited several times (invited once, it
    is the same unknown)."""
    invitations = [(i, m, r, s) for i, (r, s, ms) in enumerate(people) for m in sorted(ms)]
    hides = meeting_hides(invitations)

    def person(i: int) -> tuple[object, object]:
        return (i, "once")

    def answer(i: int, m: int) -> tuple[object, object]:
        return (i, "once") if len(people[i][2]) == 1 else (i, m)

    everyone = range(len(people))
    known: list[set[tuple[object, object]]] = []

    def persons(where: Callable[..., bool]) -> None:
        known.append({person(i) for i in everyone if where(people[i])})

    def answers(where: Callable[..., bool]) -> None:
        known.append({answer(i, m) for i in everyone for m in people[i][2] if where(people[i], m)})

    hidden = hides.people
    if not hidden.total:
        persons(lambda p: True)
        for region in {p[0] for p in people} - hidden.rows:
            persons(lambda p, region=region: p[0] == region)
        for sex in {p[1] for p in people} - hidden.columns:
            persons(lambda p, sex=sex: p[1] == sex)
    for meeting in {m for p in people for m in p[2]} - hides.meetings:
        answers(lambda p, m, meeting=meeting: m == meeting)
    for region in {p[0] for p in people}:
        mine, meetings = hides.region(region, ["female", "male"])
        if not mine.total:
            persons(lambda p, region=region: p[0] == region)
            for sex in {p[1] for p in people if p[0] == region} - mine.columns:
                persons(lambda p, region=region, sex=sex: p[:2] == (region, sex))
        for meeting in {m for p in people if p[0] == region for m in p[2]} - meetings:
            answers(lambda p, m, region=region, meeting=meeting: (p[0], m) == (region, meeting))
    return [sums for sums in known if sums]


@settings(max_examples=400, deadline=None)
@given(invitees)
@example(  # Puno's 4 people, 3 of them alone in M1: Puno less M1 was the fourth
    [("puno", "female", frozenset({1}))] * 3
    + [("puno", "female", frozenset({2}))]
    + [("lima", "male", frozenset({2}))] * 3
)
@example(  # Cusco's own report beside the national one that hid Puno and Cusco
    [("puno", "female", frozenset({1}))]
    + [("cusco", "female", frozenset({1}))] * 4
    + [("lima", "female", frozenset({1}))] * 10
)
def test_meetings(people: list[Invitee]) -> None:
    assert singled_out(_meeting_sums(people)) is None, people


# (row: a kind of meeting, or a region; the responsible person, whose region is fixed)
Thing = tuple[str, int]
things = st.lists(
    st.tuples(st.sampled_from(["coordinacion", "comite", "tecnica"]), st.integers(0, 6)),
    max_size=10,
)
HOME = ["puno", "puno", "puno", "cusco", "cusco", "lima", "lima"]


@settings(max_examples=400, deadline=None)
@given(things, st.booleans())
@example(  # Ana alone in the committee and with Beto in technical meetings: «together 3»
    [
        ("comite", 0),
        ("tecnica", 0),
        ("tecnica", 1),
        ("coordinacion", 3),
        ("coordinacion", 4),
        ("coordinacion", 5),
    ],
    False,
)
def test_rows_of_things_people_answer_for(chosen: list[Thing], by_region: bool) -> None:
    """Agreements by kind (or Regional Team reports by region: `by_region`), in the national
    report and every region's: each thing's outcome is an unknown of its responsible person."""
    entries = [(HOME[person] if by_region else row, HOME[person], person) for row, person in chosen]
    hides = row_hides(entries)
    things = [((person, index), row, region) for index, (row, region, person) in enumerate(entries)]
    known: list[set[tuple[object, object]]] = []
    if not hides.total:
        known.append({u for u, _row, _region in things})
        for row in {row for _u, row, _r in things} - hides.rows:
            known.append({u for u, r, _region in things if r == row})
    for region in set(HOME):
        rows, total_hidden = hides.region(region)
        mine = [(u, row) for u, row, r in things if r == region]
        if not total_hidden:
            known.append({u for u, _row in mine})
        for row in {row for _u, row in mine} - rows:
            known.append({u for u, r in mine if r == row})
    assert singled_out([k for k in known if k]) is None, (entries, hides)
