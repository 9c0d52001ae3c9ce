"""Indicator 3's (and 7's) workshop attendees and raters by region and sex read as whole
numbers with their chain (`meeting_chain.Reading`): of each region and sex, the raters are
among the attendees (a survey goes to who attended), who are among the people registered
(/registrados). `training_parts` reads each group on its own beside the workshops' parts;
the link between the two groups pinned what it did not see (tests/test_report_bounds, seed
4, Q2: attendees women 7, men 7 of 21, so «Prefiero no decir» and «Sin dato» 7; «Sin dato»
rated 5, all its people, so attended 5: «Prefiero no decir» attended 2, a figure hidden).

The figures: each region's attendees and raters (public, as /taller's are), the national
table by sex as printed (the sexes hidden merged: the total less those shown), each region's
own row by sex where its report shows it; the targets: a hidden national figure of 1 or 2,
and each group of a region and sex of 1 or 2 registered people. A target that the figures
told openly pin (a count by region, a figure at 0 or at all of its people) is not the
tables by sex's to hide (`meeting_chain.leaks`)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from bot.services.indicators.common import Cells, sex_code
from bot.services.indicators.meeting_chain import Reading, leaks

KEYS = ("attendees", "raters")
CHAIN = (("raters", "attendees"),)


def chain_pinned(
    people: Mapping[tuple[Hashable, Hashable], int],
    cells: Cells,
    hidden: Mapping[str, frozenset[Any]],
    apart: Mapping[str, frozenset[Any]],
) -> bool:
    """Whether the reading pins a target beyond what is told openly (see the module).
    `people`: registered per (region, sex); `cells`: every region's, counting the groups;
    `hidden`: per group, the sexes the national table by sex hides; `apart`: per group, the
    regions whose own report shows their row by sex."""
    truth: dict[tuple[Any, Any, str], int] = {}
    for (region, sex), values in cells.items():
        for key in KEYS:
            cell = (region, sex_code(sex), key)
            truth[cell] = truth.get(cell, 0) + int(values.get(key, 0))
    whole: dict[tuple[Any, Any], int] = {}
    for (region, sex), n in people.items():
        whole[(region, sex)] = whole.get((region, sex), 0) + int(n)
    for (region, sex, _key), n in truth.items():
        whole[(region, sex)] = max(whole.get((region, sex), 0), n)
    for (region, sex), _n in whole.items():  # registered, nobody counted: a cell of 0
        for key in KEYS:
            truth.setdefault((region, sex, key), 0)
    # A rating needs an attendance (`workshops.can_rate`); where the data says otherwise (an
    # attendance removed since), the reader cannot take the link either.
    linked = all(
        truth[(r, s, "raters")] <= truth.get((r, s, "attendees"), 0)
        for r, s, k in truth
        if k == "raters"
    )
    reading = Reading(truth, whole, groups=KEYS, chain=CHAIN if linked else ())
    reading.small_cells()
    regions = {region for region, _sex in whole}
    sexes = {sex for _region, sex in whole}
    for key in KEYS:
        every = [cell for cell in truth if cell[2] == key]
        reading.show(every, reading.value(every), False)  # the national total
        for region in regions:
            mine = [cell for cell in every if cell[0] == region]
            reading.show(mine, reading.value(mine), False)
            for sex in sexes if region in apart[key] else ():
                cell = [(region, sex, key)]
                reading.show(cell, reading.value(cell), True)
        for sex in sexes:
            column = [cell for cell in every if cell[1] == sex]
            value = None if sex in hidden[key] else reading.value(column)
            reading.show(column, value, True)
    return bool(leaks(reading))
