"""What indicator 1's national table by sex hides besides its rules, read with the chain of
its groups (`meeting_chain`): every report's figures of its people by region and sex as the
reader has them (the national tables by region and by sex, each region's own, indicator 7's
invitees and attendees by sex, national and each region's), the people registered by region
and sex. While some target is pinned, one more count goes from the national table by sex:
of a sex's confirmed, delegated or attended (its rate with it), or a sex's whole row (its
invitees too, in indicator 7 as well); the first that settles it, else the one that leaves
fewest pinned of the first `TRIALS`, those beside the pinned groups first, then the
smallest."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import replace
from typing import Any

from bot.services import report_limit
from bot.services.indicators.common import Cells, Measure, Query, Table, sex_code
from bot.services.indicators.meeting_chain import GROUPS, Reading, leaks, without_public
from bot.services.indicators.meeting_rule import MeetingHides
from bot.services.indicators.sex_rule import by_sex, group_hides
from bot.services.profile import SEXES

# Counts tried at each step (the first that settles it is taken, else the one of these that
# leaves fewest pinned): each trial is a reading (about 0.1 s of CPU for 4 regions); trying
# all 16 took 6.7 s for one report of bench.meeting_cells' seed 31.
TRIALS = 4
SEX_GROUPS = ("invited", "attended")  # the groups the tables by sex split (indicator 7's too)
Chosen = dict[str, frozenset[Any]]  # group -> sexes hidden besides ("invited": whole rows)
Build = Callable[[Chosen], Table]  # the national table by sex with those hidden besides


def chained_sexes(
    q: Query,
    cells: Cells,
    people: Mapping[tuple[Hashable, Hashable], int],
    hides: MeetingHides,
    measures: tuple[Measure, ...],
    build: Build,
    regions: Table,
    extra: frozenset[Any],
) -> Chosen:
    """The sexes the national table by sex (`build`) hides besides (see the module): `q`
    national, `cells` every region's, `people` the registered, `regions` the national table
    by region as printed, `extra` the sexes whose invitees it hides already, in indicator 7
    too (`invitee_bounds`)."""
    base = without_public(_base(q, cells, people, hides, measures, regions))
    chosen: Chosen = {group: frozenset() for group in GROUPS}
    counts = {sex: 0 for sex in [*SEXES, None]}
    for (_region, sex), values in cells.items():
        counts[sex_code(sex)] += int(values.get("invited", 0))

    def found(trial: Chosen) -> list[frozenset[Any]]:
        if report_limit.stopped("indicator 1's chain by sex"):
            return [frozenset({"everything"})]  # past the limit: as if pinned
        return leaks(_national(q, cells, base, build(trial), in_seven(trial, extra)))

    pinned = found(chosen)
    while pinned:
        near = {k[2] for target in pinned for k in target}
        options = sorted(
            (group not in near, group == "invited", n, str(sex), group, sex)
            for group in GROUPS
            for sex, n in counts.items()
            if n and sex not in chosen[group]
        )
        if not options:
            break
        best: tuple[int, Chosen] | None = None
        for *_order, group, sex in options[:TRIALS]:
            trial = {**chosen, group: chosen[group] | {sex}}
            left = len(found(trial))
            if best is None or left < best[0]:
                best = (left, trial)
            if not left:
                break
        assert best is not None
        chosen = best[1]
        pinned = found(chosen)
    return chosen


def in_seven(chosen: Chosen, extra: frozenset[Any]) -> Chosen:
    """Per group indicator 7 counts by sex (invited, attended), the sexes it hides besides
    its rules: `extra`'s invitees (`invitee_bounds`), a row `chosen` hides whole (both), the
    attended `chosen` hides (of a row the rules hide whole, 7 showed them)."""
    return {
        "invited": extra | chosen["invited"],
        "attended": chosen["attended"] | chosen["invited"],
    }


def _table_rows(table: Table, names: Mapping[str, Any]) -> list[tuple[Any, tuple[Any, ...]]]:
    """(code, values of the four counts) per row named in `names`; the total as `...`."""
    found = []
    for row in table.rows:
        if row is table.rows[-1] and table.total_row:
            found.append((..., tuple(row[1 : 1 + len(GROUPS)])))
        elif row[0] in names:
            found.append((names[str(row[0])], tuple(row[1 : 1 + len(GROUPS)])))
    return found


def _sex_names(q: Query) -> dict[str, Any]:
    return {q.sex_name(sex): sex for sex in [*SEXES, None]}


def _base(
    q: Query,
    cells: Cells,
    people: Mapping[tuple[Hashable, Hashable], int],
    hides: MeetingHides,
    measures: tuple[Measure, ...],
    regions: Table,
) -> Reading:
    """What the reader has besides the national table by sex: the national table by region,
    each region's own report (its table by sex, indicator 7's counts by sex, where it shows
    them), the people registered; the small cells as targets."""
    truth: dict[tuple[Any, Any, str], int] = {}
    whole: dict[tuple[Any, Any], int] = {}
    for (region, sex), values in cells.items():
        for group in GROUPS:
            key = (region, sex_code(sex), group)
            truth[key] = truth.get(key, 0) + int(values.get(group, 0))
    for (region, sex), n in people.items():
        whole[(region, sex)] = whole.get((region, sex), 0) + int(n)
    for (region, sex, group), n in truth.items():
        if group == "invited":
            whole[(region, sex)] = max(whole.get((region, sex), 0), n)
    reading = Reading(truth, whole)
    reading.small_cells()
    codes = sorted({region for region, _sex in whole}, key=str)
    names = {q.region_name(code): code for code in codes}
    for code, values in _table_rows(regions, names):
        for group, value in zip(GROUPS, values, strict=True):
            region = [k for k in truth if k[2] == group and code in (..., k[0])]
            reading.show(region, value, False)
    seven = [group_hides(q, cells, group)[0].rows for group in SEX_GROUPS]
    for code in {region for region, _sex in cells}:
        mine = replace(q, region=code)
        given = {"invited": hides.region(code, [*SEXES, None])[0]}
        table = by_sex(mine, "", cells, measures, groups=SEX_GROUPS, hides=given, everyone=cells)
        for sex, values in _table_rows(table, _sex_names(q)):
            for group, value in zip(GROUPS, values, strict=True):
                keys = [k for k in truth if k[0] == code and k[2] == group and sex in (..., k[1])]
                reading.show(keys, value, sex is not ...)
        for group, hidden in zip(SEX_GROUPS, seven, strict=True):
            for sex in [*SEXES, None] if code not in hidden else ():
                key = (code, sex, group)
                reading.show([key], truth.get(key, 0), True)  # indicator 7's, the region's own
    return reading


def _national(q: Query, cells: Cells, base: Reading, table: Table, unseen: Chosen) -> Reading:
    """`base` with the national table by sex as printed, and indicator 7's national invitees
    and attendees by sex (taken as shown wherever its own rule does not hide them, nor
    `unseen`: per group, the sexes `participation.national_sexes` hides in 7 besides)."""
    reading = Reading(base.truth, base.people, list(base.figures), list(base.targets))
    shown: dict[Any, tuple[Any, ...]] = dict(_table_rows(table, _sex_names(q)))
    for sex, values in shown.items():
        for group, value in zip(GROUPS, values, strict=True):
            keys = [k for k in base.truth if k[2] == group and sex in (..., k[1])]
            reading.show(keys, value, sex is not ...)
    for c, group in ((0, "invited"), (3, "attended")):
        small = group_hides(q, cells, group)[1]
        for sex, values in shown.items():
            blank = all(v is None for v in values)
            if sex is ... or sex in small or (values[c] is None and not blank):
                continue
            if sex in unseen[group]:
                continue  # hidden in indicator 7 too (`national_sexes`)
            keys = [k for k in base.truth if k[2] == group and k[1] == sex]
            reading.show(keys, base.value(keys), True)
    return reading
