"""Indicator 9: the national officials' figures less those that regions' own reports show
leave the other regions' officials, and with each region's total, its leaders. Random union
seed 41 (tests/test_union_random.py): officials 11 accepted of 13 nationally, Cusco's report
3 of its 5, so the 8 of Piura, Puno and Tacna all accepted; Piura 3 accepted of 4, its 3
officials among them: its one regional leader did not."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from bot.i18n import translator
from bot.services.indicators.common import Query
from bot.services.indicators.periods import Period
from bot.services.indicators.visits import visit_cells, visit_tables

T = translator("es", ZoneInfo("America/Lima"))
REGIONS = {"cusco": "Cusco", "piura": "Piura", "puno": "Puno", "tacna": "Tacna"}
# (region, sex, leader, accepted, travelled): how many such people; seed 41's visitors.
PEOPLE = {
    ("cusco", "female", True, False, False): 1,
    ("cusco", "female", False, True, True): 1,
    ("cusco", "female", False, False, False): 1,
    ("cusco", "male", True, False, False): 1,
    ("cusco", "male", False, True, True): 1,
    ("cusco", "undisclosed", True, True, False): 1,
    ("cusco", "undisclosed", True, False, False): 1,
    ("cusco", "undisclosed", False, False, False): 1,
    ("cusco", None, True, False, False): 1,
    ("cusco", None, False, True, False): 1,
    ("piura", "female", False, True, True): 1,
    ("piura", "male", True, False, False): 1,
    ("piura", "undisclosed", False, True, True): 2,
    ("puno", "female", True, True, False): 1,
    ("puno", "female", True, False, False): 1,
    ("puno", "female", False, True, False): 1,
    ("puno", "undisclosed", True, True, True): 1,
    ("puno", "undisclosed", False, True, False): 1,
    ("tacna", "male", False, True, True): 1,
    ("tacna", None, True, True, True): 1,
    ("tacna", None, True, False, False): 1,
    ("tacna", None, False, True, True): 1,
    ("tacna", None, False, True, False): 1,
}


def _marks() -> list[tuple[str, str | None, set[str]]]:
    marks = []
    for (region, sex, leader, accepted, travelled), n in PEOPLE.items():
        done = {"invited"} | ({"accepted"} if accepted else set())
        done |= {"travelled"} if travelled else set()
        own = done | ({f"leader_{key}" for key in done} if leader else set())
        marks += [(region, sex, own)] * n
    return marks


def _report(region: str | None) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """The report's table of leaders and officials and its table by region, by row name."""
    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    q = Query(None, period, region, REGIONS, T, period.end(T))  # type: ignore[arg-type]
    _headlines, (split, regions, _sexes, _pilots) = visit_tables(q, visit_cells(_marks()))
    return {row[0]: row[1:] for row in split.rows}, {row[0]: row[1:] for row in regions.rows}


def test_the_officials_left_do_not_tell_a_regions_leader() -> None:
    """Failed before the fix: the national and Cusco's officials' rows shown, the rest at
    all of them, Piura's accepted shown beside its 3 officials."""
    national, by_region = _report(None)
    assert national["Funcionarios/as"][0] == 13  # the group's size stays
    assert by_region["Piura"][:2] == (4, 3)  # Piura's invited and accepted stay
    officials = {scope: _report(scope)[0]["Funcionarios/as"] for scope in REGIONS}
    shown = [row for row in officials.values() if row[1] is not None]
    accepted = national["Funcionarios/as"][1]
    left = national["Funcionarios/as"][0] - sum(row[0] for row in shown)
    done = None if accepted is None else accepted - sum(row[1] for row in shown)
    assert done not in (0, left), (officials, national)
