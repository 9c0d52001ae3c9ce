"""Indicator 9's officials (participants who are not regional leaders), read for their sex.

Decision: how many officials were invited is not personal data under the small-cell rule. It
is the size of a group defined by a public function (a regional government's governor,
manager or director of energy and mines is a leader; everyone else an official), as a
region's count is (/registrados); the visit's own report names every participant with their
group. What the rule protects is each person's sex and answers. So «Funcionarios/as:
Invitados 1» stays; but the table by sex shows, for each sex, the people invited and the
leaders invited, and their difference is that sex's officials: with one official, «Mujer: 4
invitados, 3 líderes invitados» told that the official is a woman. The officials are a
group of the table by sex like the others (indicator 7's rule).

The reader: each person's region, group (leader or official) and what they did are public;
their sex is the unknown (one indicator per sex but the last, which is 1 less the others, so
a figure of the last sex is minus the others' figures over the same people; a total is a
constant). Each figure of a table by sex, in the national report and every region's, is the
set of people it adds. Told: some combination rests on the sex of 1 or 2 people."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from bot.i18n import translator
from bot.services.indicators.common import Query
from bot.services.indicators.periods import Period
from bot.services.indicators.visits import visit_cells, visit_tables
from tests.derivation import singled_out

T = translator("es", ZoneInfo("America/Lima"))
REGIONS = {"lima": "Lima", "cusco": "Cusco"}
SEX_NAMES = {"female": "Mujer", "male": "Hombre"}
LAST = "male"  # its indicator is 1 less the others'
# Columns of the table by sex: the people each counts (a share: its numerator and its whole).
COLUMNS = {
    1: ("invited", False),
    2: ("accepted", False),
    3: ("travelled", False),
    4: ("invited", True),
    5: ("travelled", True),
}
SHARE = 6  # leaders who travelled, of those who travelled

Visitor = tuple[str, str, bool]  # region, sex, regional leader; everyone accepts and travels


def _query(region: str | None) -> Query:
    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    return Query(None, period, region, REGIONS, T, period.end(T))  # type: ignore[arg-type]


def _sums(people: list[Visitor]) -> tuple[list[set[tuple[int, str]]], dict[str | None, tuple]]:
    """What the reader knows of the people's sexes, and each report's table of leaders and
    officials (scope: its rows)."""
    marks = [
        (region, sex, {"invited", "accepted", "travelled"}
         | ({"leader_invited", "leader_accepted", "leader_travelled"} if leader else set()))
        for region, sex, leader in people
    ]  # fmt: skip
    known: list[set[tuple[int, str]]] = []
    splits: dict[str | None, tuple] = {}

    def add(who: list[int], sex: str) -> None:
        if sex == LAST:
            known.append({(i, other) for i in who for other in SEX_NAMES if other != LAST})
        else:
            known.append({(i, sex) for i in who})

    for scope in [None, *REGIONS]:
        inside = [i for i, p in enumerate(people) if scope is None or p[0] == scope]
        _headlines, (split, _regions, sexes, _pilots) = visit_tables(
            _query(scope), visit_cells(marks)
        )
        splits[scope] = split.rows
        rows = {row[0]: row[1:] for row in sexes.rows}
        for sex, name in SEX_NAMES.items():
            row = rows[name]
            for column, (_group, leaders_only) in COLUMNS.items():
                if row[column - 1] is not None:
                    add([i for i in inside if people[i][2] or not leaders_only], sex)
            if row[SHARE - 1] is not None:
                add([i for i in inside if people[i][2]], sex)
                add(inside, sex)
    return [s for s in known if s], splits


def test_one_official_beside_leaders_of_both_sexes() -> None:
    """Lima: three women and three men, all regional leaders, and one woman official;
    Cusco: three men, leaders. Before the fix the national table by sex read «Mujer: 4
    invitados … 3 líderes invitados»: the official is a woman."""
    people: list[Visitor] = [("lima", "female", True)] * 3 + [("lima", "male", True)] * 3
    people += [("lima", "female", False)] + [("cusco", "male", True)] * 3
    known, splits = _sums(people)
    assert singled_out(known) is None
    # The officials' count stays (a group's size, not personal data); their answers do not.
    assert splits[None][1] == ("Funcionarios/as", 1, None, None)
    assert splits["lima"][1] == ("Funcionarios/as", 1, None, None)


def test_officials_of_both_sexes_in_two_regions() -> None:
    """Two officials, a man of Lima and a woman of Cusco, beside three leaders of each sex in
    each region: each region's own table by sex told its official's sex the same way."""
    people: list[Visitor] = []
    for region in REGIONS:
        people += [(region, "female", True)] * 3 + [(region, "male", True)] * 3
    people += [("lima", "male", False), ("cusco", "female", False)]
    known, _splits = _sums(people)
    assert singled_out(known) is None
