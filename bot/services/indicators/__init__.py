"""The programme's indicators, computed from what Minka records.

One module per indicator family, one function per indicator; each function's docstring is
its definition, and the same definition (translated) travels with the numbers into every
report, so each figure can be traced to how it was counted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services import exact_cells
from bot.services.indicators import (
    formal_reads,
    publication_moves,
    reader_bounds,
    training_parts,
)
from bot.services.indicators.cases import cases_attended, formalization
from bot.services.indicators.common import Indicator, Query
from bot.services.indicators.joint import jointly
from bot.services.indicators.participation import participation
from bot.services.indicators.periods import Period
from bot.services.indicators.publications import publications
from bot.services.indicators.registered_at import snapshot_for
from bot.services.indicators.regularity import meeting_regularity
from bot.services.indicators.toolkit import dissemination
from bot.services.indicators.training import training
from bot.services.indicators.visits import study_visits
from bot.services.indicators.women import women
from storage.repositories.regions import list_regions

IndicatorFn = Callable[[Query], Awaitable[Indicator]]
INDICATORS: tuple[IndicatorFn, ...] = (
    participation,
    meeting_regularity,
    training,
    cases_attended,
    formalization,
    dissemination,
    women,
    publications,
    study_visits,
)


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    region: str | None  # region code; None: all regions
    scope: str  # readable: "Todas las regiones" or the region's name
    generated_at: datetime
    indicators: tuple[Indicator, ...]
    # Indicator 3's exact check stopped short (REPORT_SECONDS, its safety net, or programs
    # left unsettled) and hid ratings a full reading might show: the report says so.
    cut_short: bool = False
    # The period had not ended when read: its figures by sex are «—» (`sex_rule.group_hides`),
    # and the report says so.
    running: bool = False


async def query_for(
    session: AsyncSession,
    period: Period,
    region: str | None,
    t: Translator,
    now: datetime,
) -> Query:
    regions = {r.code: r.name for r in await list_regions(session)}
    registered = await snapshot_for(session, period, t, now)
    return Query(session, period, region, regions, t, now, registered)


async def build_report(
    session: AsyncSession,
    period: Period,
    region: str | None,
    t: Translator,
    now: datetime,
    *,
    progress: Callable[[int, int], Awaitable[None]] | None = None,
    until: float | None = None,
) -> Report:
    """Every indicator for the period and scope; `progress(done, total)` after each one.
    `until`: a `time.monotonic()` past which indicator 3's exact check reads nothing more and
    hides every region, sex and total it has not read (`exact_cells.UNTIL`; REPORT_SECONDS).
    A whole calendar year also builds each of its quarters' reports, the same way for the
    same scope, and shows only what they all show (`joint`, issue #13): five reports' work.
    Other periods of the CLI (any dates, for operators who hold the database) are left as
    they are: ten years would be forty-one reports."""
    quarters = period.quarters() if period.whole else []
    periods = [period, *quarters] if len(quarters) > 1 else [period]
    total = len(INDICATORS) * len(periods)
    q = await query_for(session, period, region, t, now)
    built: list[list[Indicator]] = []
    short: set[str] = set()  # criteria whose exact check stopped short (`exact_cells.SHORT`)
    limit = exact_cells.UNTIL.set(until)  # this task's alone (a context variable)
    told = exact_cells.SHORT.set(short)
    chain = formal_reads.CHAIN.set({})  # indicator 5's quarters, read once for the report
    kept = training_parts.KEPT.set({})  # 3 and 7's hidden sexes per quarter, read once too
    readers = reader_bounds.KEPT.set({})  # and 6's readers'
    moves = publication_moves.KEPT.set({})  # and 8's people who moved
    try:
        for number, each in enumerate(periods):
            part = replace(q, period=each, registered=await snapshot_for(session, each, t, now))
            built.append([])
            for index, function in enumerate(INDICATORS, start=1):
                built[-1].append(await function(part))
                if progress is not None:
                    await progress(number * len(INDICATORS) + index, total)
    finally:
        publication_moves.KEPT.reset(moves)
        reader_bounds.KEPT.reset(readers)
        training_parts.KEPT.reset(kept)
        formal_reads.CHAIN.reset(chain)
        exact_cells.SHORT.reset(told)
        exact_cells.UNTIL.reset(limit)
    whole, *parts = built
    results = [jointly(indicator, [p[i] for p in parts]) for i, indicator in enumerate(whole)]
    scope = q.region_name(region) if region else t.gettext("All regions")
    return Report(
        period, region, scope, now, tuple(results), cut_short=bool(short), running=q.in_progress
    )
