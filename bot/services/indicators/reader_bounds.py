"""Which sexes indicator 6's national table by sex hides besides `group_hides`' rule. A
person reads or not: each cell of region and sex has at most its people registered, whom the
reader knows (/registrados, indicator 7), and the readers of each region (shown however few)
beside the sexes shown can pin a cell at 0 or at all of its people. Q2 of
tests/test_report_bounds, seed 4: women read 5 (men and «Sin dato» «—»); women are
registered in Cusco 5, Piura 2 and Puno 2 only, and Cusco had 1 reader: so Piura's 2 women
and Puno's 2 read, and Cusco's one reader was a woman. While some cell is so pinned
(`pinned_cells`, with a cell of 1 or 2 readers, which a region's own table by sex hides,
pinned anywhere in its range), one more sex goes: a pinned cell's own if shown (the fewest
people registered first), else the shown one of fewest.

A quarter beside its year, as indicator 3's (`training_year.year_first`: the quarter decides,
from the year so far and the quarters before it, as printed): a reader of a quarter is one
of the year's. Seed 15 of tests/test_report_bounds: readers men and «Prefiero no decir»
(«—») Q1 20 - 9 - 6 = 5 and the year 26 - 12 - 9 = 5, in Piura and Tacna only, so each
region's part is the year's; the year's Tacna read 8 of its 8: both its men read in Q1.
Q2, at its end, reads Q1 and the year so far (all of the year's reading here) and hides one
sex more, which the year hides too (`joint`). Not read: a year in progress, read on
several dates (each its year so far: a period of its own), which indicator 3 answers by
showing its people «—» until the year ends (`training_year.year_running`) and 6 does not
yet; nor the people asking, answering «¿Le fue útil?» or writing to the specialists
across periods (their own rule, one period at a time)."""

from __future__ import annotations

from collections import Counter
from contextvars import ContextVar
from typing import Any

from bot.services.bounded_cells import pinned_cells
from bot.services.indicators.common import Cells, Query, sex_code
from bot.services.indicators.period_bounds import Hides, Scheme
from bot.services.indicators.registered_at import registered_cells
from bot.services.indicators.sex_rule import hidden_sexes
from bot.services.indicators.toolkit_cells import GROUPS, toolkit_cells
from bot.services.indicators.training_year import YearReading, year_first
from bot.services.small_cells import Hidden

KEY = "readers"  # the people counted, as `toolkit.dissemination` counts them
# Per period (its code), the national report's answer: a quarter's year-first reading asks it
# of each quarter before it, which a year's report has built already; `build_report` sets it.
KEPT: ContextVar[dict[str, frozenset[Any]] | None] = ContextVar("reader_bounds_kept", default=None)


async def readers_hidden(
    q: Query, cells: Cells, blank: frozenset[str | None]
) -> frozenset[str | None]:
    """The sexes to hide besides `blank` (the table's, by `group_hides`) in the national
    report (none in a region's: it shows its own row by sex, or none of it). `cells`: every
    region's, readers under `KEY`."""
    if q.region is not None:
        return frozenset()
    kept = KEPT.get()
    if kept is not None and q.period.code in kept:
        return kept[q.period.code]
    more = await _more(q, cells, blank)
    later = await year_first(q, cells, {KEY: blank | more}, READERS)
    found = more | later.get(KEY, frozenset())
    if kept is not None:
        kept[q.period.code] = found
    return found


async def _printed(q: Query, cells: Cells) -> Hides:
    """The sexes an (earlier) quarter's national table hides, as it prints them."""
    blank = hidden_sexes(q, cells, *GROUPS)
    return {KEY: blank | await readers_hidden(q, cells, blank)}


READERS = YearReading(Scheme((KEY,), (), joint=True), toolkit_cells, _printed)


async def _more(q: Query, cells: Cells, blank: frozenset[str | None]) -> frozenset[str | None]:
    readers: Counter[tuple[Any, Any]] = Counter()
    for (region, sex), values in cells.items():
        readers[(region, sex_code(sex))] += int(values.get(KEY, 0))
    registered = await registered_cells(q)  # at the month's end the reader knows (not live)
    # (readers, at most, people): a reader registered since (or unregistered) widens its cell.
    counts = {
        key: (readers[key], most, most)
        for key in readers.keys() | registered.keys()
        if (most := max(readers[key], registered[key]))
    }
    people: Counter[Any] = Counter()
    for (_region, sex), (_done, most, _n) in counts.items():
        people[sex] += most
    chosen = set(blank)
    while shown := [sex for sex in people if sex not in chosen]:
        found = pinned_cells(counts, Hidden(columns=frozenset(chosen)), counted=True)
        if not found:
            break
        own = [sex for (_row, (_side, sex)) in found if sex in shown]
        chosen.add(min((people[sex], str(sex), sex) for sex in own or shown)[2])
    return frozenset(chosen - blank)
