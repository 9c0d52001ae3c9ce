"""/registrados' rule, in one place: which regions' splits by sex it hides. The chat's
command prints it; the indicators' checks read what it shows beside their tables
(`bot.services.indicators.registered_zeros`), so the two cannot drift apart."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.profile import SEXES
from bot.services.small_cells import hidden_rows
from storage.repositories import people

Splits = dict[str, dict[str | None, int]]  # region name -> sex -> people registered


async def splits(session: AsyncSession) -> Splits:
    """Every region's people registered by sex (erased ones included), by region name."""
    by_region: Splits = {}
    for region, sex, count in await people.registered_counts(session):
        by_region.setdefault(region, {})[sex] = count
    return by_region


def hidden_splits(by_region: Mapping[str, Mapping[str | None, int]]) -> set[str]:
    """The regions whose split by sex /registrados hides: it would tell one or two people's
    sex, or enough others go that the totals by sex (indicator 7) less those shown tell
    nothing; decided from every region's, also for a regional coordinator, or their
    regions' splits beside the national report would give away what it hides."""
    return hidden_rows(
        {
            region: [by_sex.get(code, 0) for code in (*SEXES, None)]
            for region, by_sex in by_region.items()
        }
    )
