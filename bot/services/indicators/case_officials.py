"""Which sexes indicator 4's national table by sex hides besides the small-cell rule's
(`sex_rule.group_hides`): its cases and their officials read together, beside the same
counts by region, as whole numbers, knowing that whoever has a case is an official and
that every official has one (`bot.services.linked_counts`). Each count alone is bounded
by the rule; together they told that Piura's one «Prefiero no decir» registered a case
(Piura 4 cases of 3 officials, «Sin dato» 5 of 3: had they not, «Sin dato»'s 5 cases
would all be Piura's).

What the reader sees: each region's cases and officials (the table by region shows them
however few), each sex's where the national table shows it, the total, and a region's
cells by sex where its own report shows its row by sex (`group_hides`); each region and
sex's people registered (public in /registrados) bound its officials, as the union reader
of the tests takes it (a case is registered for the official's own region; one registered
for another counts as people of that cell too). While some official of a cell of 1 or 2
people is pinned, one more sex goes: the pinned cell's own if shown, else the one of
fewest officials. The whole reading is a few hundred cut checks on tables of tens of
cells; past the report's limit (`report_limit`), every sex goes."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.services import report_limit
from bot.services.indicators.common import Cells, Measure, Query, Table, sex_code
from bot.services.indicators.registered_at import registered_cells
from bot.services.indicators.registered_zeros import sexes_beside_registered
from bot.services.indicators.sex_rule import group_hides
from bot.services.indicators.sex_splits import sexes_while_forced
from bot.services.linked_counts import each_pinned
from bot.services.small_cells import Hidden

KEY = "officials"  # the people counted, as `cases_attended` counts them
# The counts of indicator 4's table by region, by column (`sexes_beside_registered`).
COLUMNS = {"cases": 1, "supported": 2, "resolved": 4, KEY: 5}
PARTS = ("cases", "supported", "resolved")  # more than 0 of any: an official


async def officials_hidden(
    q: Query, cells: Cells, beside: tuple[Table, tuple[Measure, ...]] | None = None
) -> frozenset[str | None]:
    """The sexes the national table of cases by sex hides besides `group_hides`' (none for
    a region's report: it shows its own row by sex, or none of it). `cells`: every
    region's, with "cases" and "officials". `beside`: the national table by region as
    printed and the measures, to read them beside /registrados too (`registered_zeros`)."""
    if q.region is not None:
        return frozenset()
    more = await _beside_officials(q, cells)
    more |= await lone_officials(q, cells, group_hides(q, cells, KEY)[1] | more)
    if beside is None or not cells:
        return more
    rows, blank = group_hides(q, cells, KEY)
    apart = {region for region, _sex in cells} - rows.rows
    hidden = blank | more
    return more | await sexes_beside_registered(q, cells, COLUMNS, beside, hidden, apart)


async def lone_officials(
    q: Query, cells: Cells, hidden: frozenset[str | None], parts: tuple[str, ...] = PARTS
) -> frozenset[str | None]:
    """The sexes hidden while a shown sex's count of cases (`parts` of `cells`: 4's cases,
    with support, resolved; 5's formalization cases...), split among the regions where it
    has people, must put some in a cell of one person: an official (`sex_splits`,
    test_case_part_officials)."""
    people = await registered_cells(q)
    more: frozenset[str | None] = frozenset()
    for part in parts:
        counts = Counter(
            {(region, sex_code(sex)): int(v.get(part, 0)) for (region, sex), v in cells.items()}
        )
        alone = sexes_while_forced(counts, people, hidden | more, lambda r, s: people[(r, s)] == 1)
        more |= alone
    return more


async def _beside_officials(q: Query, cells: Cells) -> frozenset[str | None]:
    """The sexes hidden while some official is pinned (`linked_counts`)."""
    grid: dict[tuple[Any, Any], list[int]] = {}
    for (region, sex), values in cells.items():
        entry = grid.setdefault((region, sex_code(sex)), [0, 0, 0])
        entry[0] += int(values.get(KEY, 0))
        entry[1] += int(values.get("cases", 0))
    if not grid:
        return frozenset()
    for key, n in (await registered_cells(q)).items():
        if key[0] in {region for region, _sex in grid}:
            grid.setdefault(key, [0, 0, 0])[2] += n
    rows, blank = group_hides(q, cells, KEY)
    counted = {key: (o, c, p) for key, (o, c, p) in grid.items()}  # officials, cases, people
    apart = {key for key in counted if key[0] not in rows.rows}
    officials: Counter[Any] = Counter()
    for (_region, sex), (o, _c, _p) in counted.items():
        officials[sex] += o
    more: set[str | None] = set()
    while True:
        hidden = Hidden(columns=frozenset(blank | more))
        found = next(each_pinned(counted, hidden, apart), None)
        shown = [sex for sex in officials if sex not in hidden.columns]
        if found is None or not shown:
            return frozenset(more)
        if report_limit.stopped("linked_counts"):  # maybe the limit's: every sex (the safe side)
            return frozenset(more | set(shown))
        sex = found[1] if found[1] in shown else min(shown, key=lambda s: (officials[s], str(s)))
        more.add(sex)
