"""Indicator 3's (and 7's) workshop attendees and raters by region and sex read as whole
numbers with their chain (`meeting_chain.Reading`): of each region and sex, the raters are
among the attendees (a survey goes to who attended), who are among the people registered
(/registrados). `training_parts` reads each group on its own beside the workshops' parts;
the link between the two groups pinned what it did not see (tests/test_report_bounds, seed
4, Q2: attendees women 7, men 7 of 21, so «Prefiero no decir» and «Sin dato» 7; «Sin dato»
rated 5, all its people, so attended 5: «Prefiero no decir» attended 2, a figure hidden).

Beside them, two counts that are not people, each a figure of the reports: responses (one
per rater and workshop: indicator 3 by region and by sex, public by region in /taller) and
attendances (one per attendee and workshop: each workshop's attendees by region in /taller).
Of each region and sex, the raters give at least one response each and at most one per
workshop that the region's people rated, the attendees likewise attend; a response needs an
attendance (`Bound`). Responses less raters are the people who rated several workshops: seed
13, Q1, two workshops: raters 12 and responses 13, Piura 4 and 5, men 5 and 6, so one man of
Piura rated both, and Piura has one man registered.

The figures: each region's attendees, raters, responses and attendances (public, as
/taller's are), the national table by sex as printed (the sexes hidden merged: the total
less those shown; responses shown where both groups show the sex), each region's own row by
sex where its report shows it; the targets: a figure hidden of 1 or 2 (people, or
responses), national or in a region's own row by sex, and each group of people of a region
and sex of 1 or 2 registered people. A region's own row counts whatever its people
registered (tests/test_report_bounds, seed 6, Q1: «Prefiero no decir» raters 4 and
responses 4 nationally, so none rated twice; Puno, of men and «Prefiero no decir», 1 rater
and 2 responses: a man, Puno's own «Hombre» 1 and 2, hidden there; Puno has 5 men; the
national table now hides one sex more). A target that the figures told openly pin (a
count by region, a figure at 0 or at all of its people) is not the tables by sex's to hide
(`meeting_chain.leaks`)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from bot.services.indicators.common import Cells, sex_code
from bot.services.indicators.meeting_chain import Bound, Reading, leaks

KEYS = ("attendees", "raters")
CHAIN = (("raters", "attendees"),)
COUNTS = ("responses", "attendances")  # per person and workshop
Part = tuple[Any, Any, Any]  # (region, workshop, sex), as `training_parts`


def chain_pinned(
    people: Mapping[tuple[Hashable, Hashable], int],
    cells: Cells,
    hidden: Mapping[str, frozenset[Any]],
    apart: Mapping[str, frozenset[Any]],
    parts: Mapping[Part, tuple[int, ...]],
) -> bool:
    """Whether the reading pins a target beyond what is told openly (see the module).
    `people`: registered per (region, sex); `cells`: every region's, counting the groups;
    `hidden`: per group, the sexes the national table by sex hides; `apart`: per
    group, the regions whose own report shows their row by sex; `parts`: per (region,
    workshop, sex), its attendees and raters: the attendances and responses
    (`training_parts.workshop_parts`; indicator 7 counts no responses of its own)."""
    truth: dict[tuple[Any, Any, str], int] = {}
    for (region, sex), values in cells.items():
        for key in KEYS:
            cell = (region, sex_code(sex), key)
            truth[cell] = truth.get(cell, 0) + int(values.get(key, 0))
    attended: dict[Any, set[Any]] = {}
    rated: dict[Any, set[Any]] = {}
    for (region, workshop, sex), (attendees, raters, *_rest) in parts.items():
        for key, n in (("attendances", attendees), ("responses", raters)):
            truth[(region, sex, key)] = truth.get((region, sex, key), 0) + int(n)
        if attendees:
            attended.setdefault(region, set()).add(workshop)
        if raters:
            rated.setdefault(region, set()).add(workshop)
    whole: dict[tuple[Any, Any], int] = {}
    for (region, sex), n in people.items():
        whole[(region, sex)] = whole.get((region, sex), 0) + int(n)
    for (region, sex, key), n in truth.items():
        if key in KEYS:
            whole[(region, sex)] = max(whole.get((region, sex), 0), n)
    for (region, sex), _n in whole.items():  # registered, nobody counted: a cell of 0
        for key in (*KEYS, *COUNTS):
            truth.setdefault((region, sex, key), 0)
    most = {
        "responses": {region: len(rated.get(region, ())) for region, _sex in whole},
        "attendances": {region: len(attended.get(region, ())) for region, _sex in whole},
    }
    links = (
        Bound("raters", "responses"),
        Bound("responses", "raters", most["responses"]),
        Bound("attendees", "attendances"),
        Bound("attendances", "attendees", most["attendances"]),
        Bound("responses", "attendances"),  # a rating needs an attendance
    )

    # A rating needs an attendance (`workshops.can_rate`); where the data says otherwise (an
    # attendance removed since), the reader cannot take the link either.
    def held(link: Bound) -> bool:
        return all(
            truth[(r, s, link.group)] <= link.times.get(r, 1) * truth[(r, s, link.parent)]
            for r, s in whole
        )

    reading = Reading(
        truth, whole, groups=(*KEYS, *COUNTS), chain=CHAIN if held(Bound(*CHAIN[0])) else (),
        bounds=tuple(filter(held, links)), most=most, targeted=(*KEYS, "responses"),
    )  # fmt: skip
    reading.small_cells(KEYS)
    regions = {region for region, _sex in whole}
    sexes = {sex for _region, sex in whole}
    hides = {
        **hidden,
        "responses": hidden["attendees"] | hidden["raters"],  # a row by sex shown or «—»
        "attendances": frozenset(sexes),  # never by sex
    }
    alone = {**apart, "responses": apart["attendees"] & apart["raters"], "attendances": set()}
    for key in (*KEYS, *COUNTS):
        every = [cell for cell in truth if cell[2] == key]
        reading.show(every, reading.value(every), False)  # the national total
        for region in regions:
            mine = [cell for cell in every if cell[0] == region]
            reading.show(mine, reading.value(mine), False)
            for sex in sexes:  # its own row by sex, shown or hidden (a target of 1 or 2)
                cell = [(region, sex, key)]
                reading.show(cell, reading.value(cell) if region in alone[key] else None, True)
        for sex in sexes:
            column = [cell for cell in every if cell[1] == sex]
            value = None if sex in hides[key] else reading.value(column)
            reading.show(column, value, True)
    return bool(leaks(reading))
