"""Indicators 1, 3 and 7 read together, national and each region's: indicator 7 hides the
counts by sex of a group (workshop attendees, raters, meeting invitees and attendees) where 1
or 2 people of one sex would be told, and enough others that its total cannot tell them; the
same groups are counted by sex in indicator 3 («Valoración por sexo»: attendees, raters) and
indicator 1 («Invitados por sexo»: invited, attended). Before the fix those tables printed
every count: the men among the workshop attendees that indicator 7 hides (beto and eloy, two)
stood in indicator 3's table, and Puno's own report, which hides Puno's counts by sex (beto
alone a man), showed them in both. One rule (`sex_rule.group_hides`) now hides them all.

The reader, per scope and group: a count indicator 7 hides is given away when another table
shows it, or when the total less every count shown (in either table) rests on 1 or 2 people."""

from __future__ import annotations

from typing import Any

from bot.services.indicators.participation import participation
from bot.services.indicators.training import training
from bot.services.indicators.women import GROUPS, women
from storage.db import Database
from tests.people_dataset import SEX_NAMES, T, compute, dataset

REGIONS = (None, "cusco", "junin", "piura", "puno", "tacna")
# Where each of indicator 7's groups is counted by sex elsewhere: (indicator, table, column).
ELSEWHERE = {
    "attendees": (training, 3, 1),
    "raters": (training, 3, 2),
    "invitees": (participation, 1, 1),
    "meeting_attendees": (participation, 1, 4),
}


def _by_sex(rows: Any, column: int) -> dict[str, Any]:
    return {row[0]: row[column] for row in rows if row[0] in SEX_NAMES}


def _total(rows: Any, column: int) -> Any:
    return next(row[column] for row in rows if row[0] == T.gettext("Total"))


async def test_no_count_by_sex_hidden_by_indicator_7_is_shown_by_indicators_1_or_3(
    db: Database,
) -> None:
    await dataset(db)
    told: list[tuple[Any, ...]] = []
    hidden_somewhere = 0
    for region in REGIONS:
        groups = (await compute(db, women, region)).tables[0]
        others = {fn: (await compute(db, fn, region)).tables for fn in (training, participation)}
        for row, key in zip(groups.rows, GROUPS, strict=True):
            if key not in ELSEWHERE:  # registered people: /registrados, test_women_disclosure
                continue
            mine = {name: row[i] for i, name in enumerate(SEX_NAMES, start=1)}
            fn, table, column = ELSEWHERE[key]
            theirs = _by_sex(others[fn][table].rows, column)
            total = _total(others[fn][table].rows, column)
            hidden = {name for name, n in mine.items() if n is None}
            hidden_somewhere += bool(hidden)
            shown = {n: v for table in (mine, theirs) for n, v in table.items() if v is not None}
            told += [(region, key, n, shown[n]) for n in hidden if 0 < shown.get(n, 0) < 3]
            unknown = tuple(n for n in SEX_NAMES if n not in shown)
            if unknown and len(unknown) < len(SEX_NAMES) and total is not None:
                # the total less every count shown: what the sexes not shown add up to
                rest = total - sum(shown.values())
                if 0 < rest < 3:
                    told.append((region, key, unknown, rest))
    assert hidden_somewhere, "the dataset must make indicator 7 hide something"
    assert not told, told
