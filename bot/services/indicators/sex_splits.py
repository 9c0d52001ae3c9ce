"""A count shown by region and by sex (a table's two margins), split as whole numbers among
the cells of region and sex where someone is registered (/registrados): the sexes a table
by sex hides while every split puts some of a shown sex's count in a cell that gives someone
away. Indicator 5: a region's formalization cases from 1 or 2 officials (their sex,
test_formal_one_sex's seed 6); indicator 4: a cell of one person, who then registered a case
(test_case_part_officials: «Mujer» 5 cases with support, the other regions where women live
hold at most 4, so Piura's one woman is an official). Each region's count is taken as known
(the reader is taken to know more: the safe side); the hidden sexes' together."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from bot.services.indicators.common import EVERY_SEX
from bot.services.linked_counts import network

Cell = tuple[Any, Any]  # (region, sex code)
_NONE = object()  # no sex given away
_HIDDEN = "\x00hidden"  # the node of the hidden sexes together


def sexes_while_forced(
    counts: Counter[Cell], people: Counter[Cell], hidden: frozenset[str | None],
    gives: Callable[[Any, Any], bool],
) -> frozenset[str | None]:  # fmt: skip
    """The sexes to hide besides `hidden` while some split is forced into a cell that
    `gives(region, sex)` away: that sex if shown, else the shown one of the smallest count."""
    by_sex: Counter[str | None] = Counter()
    for (_region, sex), n in counts.items():
        by_sex[sex] += n
    more: set[str | None] = set()
    while True:
        gone = set(hidden) | more
        found = _forced_sex(counts, people, gone, gives)
        shown = [sex for sex in EVERY_SEX if sex not in gone]
        if found is _NONE or not shown:
            return frozenset(more)
        sex = found if found in shown else min(shown, key=lambda s: (by_sex[s], str(s)))
        more.add(sex)


def _forced_sex(
    counts: Counter[Cell], people: Counter[Cell], gone: set[str | None],
    gives: Callable[[Any, Any], bool],
) -> object:  # fmt: skip
    """A sex (one shown, or the only one hidden) that every whole split of the counts
    (`linked_counts.network`: regions' sums shown, sexes' where shown, the hidden ones'
    together) gives some of a cell `gives` names; `_NONE` if none."""
    regions = {region for region, _sex in counts}

    def column(sex: str | None) -> tuple[int, Any]:
        return (1, _HIDDEN if sex in gone else sex)

    bounds: dict[tuple[Any, Any], tuple[int, int]] = {}
    for region in regions:
        for sex in EVERY_SEX:
            edge = ((0, region), column(sex))
            room = sum(counts[(region, s)] for s in EVERY_SEX) if people[(region, sex)] else 0
            high = bounds.get(edge, (0, 0))[1]
            bounds[edge] = (0, max(high, room, counts[(region, sex)]))
    sums: Counter[Any] = Counter({node: 0 for edge in bounds for node in edge})
    for (region, sex), n in counts.items():
        sums[(0, region)] += n
        sums[column(sex)] += n
    one_hidden = len(gone) == 1
    for edge in sorted(bounds, key=repr):
        (_r, region), (_c, sex) = edge
        if sex == _HIDDEN and not one_hidden:
            continue
        actual = next(iter(gone)) if sex == _HIDDEN else sex
        if not gives(region, actual):
            continue
        if not any(counts[(region, s)] for s in EVERY_SEX if column(s) == edge[1]):
            continue
        if not network({**bounds, edge: (0, 0)}, sums):
            return actual
    return _NONE
