"""Which rows of a table of things people are responsible for (agreements by kind of meeting,
Regional Team reports by region) are hidden, when a person may have things in several rows
and the table is shown nationally and, restricted to each region's people, in that region's
own report. Decided from one row per (row, region, person), so it can be tested without a
database.

A row shows how many things there are (not about people) and what became of them (on time,
late), which is about the people responsible: those figures are hidden for rows of fewer
than `SMALL_CELL` people, and enough others that the hidden rows together hold 0 or at least
`SMALL_CELL` people, counted once each however many rows they are in (the total less the
rows shown is theirs). Each region's report does the same with its own rows and total, and
the whole of what every report shows is then solved exactly (`recoverable`), hiding every
region's rows, then every region's total, until nothing singles anyone out.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.services.recoverable import recoverable
from bot.services.small_cells import too_small

Responsibility = tuple[Hashable, Hashable, Hashable]
"""(row, region, person)."""


@dataclass(frozen=True, slots=True)
class RowHides:
    """`rows`: hidden in the national report; `total`: its total hidden; `regions`: regions
    whose own report hides its total; `cells`: (row, region) a region's report hides."""

    rows: frozenset[Any]
    total: bool
    regions: frozenset[Any]
    cells: frozenset[tuple[Any, Any]]

    def region(self, code: Any) -> tuple[frozenset[Any], bool]:
        """A region's own report: its hidden rows, and whether its total is hidden."""
        return frozenset(row for row, region in self.cells if region == code), (
            code in self.regions
        )


def hidden_union(people: Mapping[Any, set[Hashable]], hidden: Iterable[Any] = ()) -> set[Any]:
    """Rows hidden: those of 1 or 2 people and `hidden`, then the smallest others until the
    hidden rows hold 0 or at least `SMALL_CELL` people together, or all are hidden."""
    chosen = {row for row, who in people.items() if too_small(len(who))} | set(hidden)

    def together() -> int:
        return len(set().union(*(people[row] for row in chosen if row in people)))

    while too_small(together()):
        shown = sorted(
            (len(who), str(row), row) for row, who in people.items() if row not in chosen
        )
        if not shown:
            break
        chosen.add(shown[0][2])
    return chosen


def at_an_end(hidden: Sequence[Mapping[str, int]], parts: Sequence[str], whole: str) -> bool:
    """Whether the rows hidden, summed (the total less the rows shown), hold 0 or all of
    their `whole` (shown for every row) in one of `parts`: each row's part is then told,
    so the total's parts must go too (tests/test_team_report_ends.py: Piura 5 and Puno 4
    reports sent, the total on time less the regions shown 9, all of them)."""
    wholes = sum(row[whole] for row in hidden)
    return bool(hidden) and any(sum(row[p] for row in hidden) in (0, wholes) for p in parts)


def row_hides(responsible: Iterable[Responsibility]) -> RowHides:
    """What every report hides (see the module)."""
    entries = list(responsible)
    by_row: dict[Any, set[Hashable]] = {}
    by_region: dict[Any, set[Hashable]] = {}
    cells: dict[tuple[Any, Any], set[Hashable]] = {}
    for row, region, person in entries:
        by_row.setdefault(row, set()).add(person)
        by_region.setdefault(region, set()).add(person)
        cells.setdefault((row, region), set()).add(person)
    everyone = set().union(*by_row.values()) if by_row else set()
    total = too_small(len(everyone))
    rows = frozenset(by_row) if total else frozenset(hidden_union(by_row))
    # A region's total is its row of a table by region whose total is the national one.
    regions = frozenset(by_region) if total else frozenset(hidden_union(by_region))
    hidden_cells: set[tuple[Any, Any]] = set()
    for region in by_region:
        mine = {row: who for (row, r), who in cells.items() if r == region}
        if region in regions:
            hidden_cells |= {(row, region) for row in mine}
            continue
        hidden_cells |= {
            (row, region) for row in hidden_union(mine, (r for r in mine if r in rows))
        }
    hides = RowHides(rows, total, regions, frozenset(hidden_cells))
    for stronger in (
        RowHides(rows, total, regions, frozenset(cells)),
        RowHides(rows, total, frozenset(by_region), frozenset(cells)),
        RowHides(frozenset(by_row), total, frozenset(by_region), frozenset(cells)),
    ):
        if not _recoverable(entries, hides):
            break
        hides = stronger
    return hides


def _recoverable(entries: list[Responsibility], hides: RowHides) -> bool:
    """Everything every report shows, read together (`recoverable`): the things of one
    (row, region) alike to the reader, a class of its people."""
    ratings = [(person, (row, region)) for row, region, person in entries]
    classes = {group for _person, group in ratings}
    known: list[set[tuple[Any, Any]]] = []
    if not hides.total:
        known.append(set(classes))
        known += [
            {g for g in classes if g[0] == row} for row in {g[0] for g in classes} - hides.rows
        ]
    for region in {g[1] for g in classes}:
        mine = {g for g in classes if g[1] == region}
        if region not in hides.regions:
            known.append(mine)
        known += [{g} for g in mine if g not in hides.cells]
    return recoverable(ratings, [sums for sums in known if sums])
