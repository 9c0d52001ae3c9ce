"""Indicator 3's exact whole-number check at a realistic size: a quarter of 10 regions, 10
workshops and some 200 raters, 56 cells of region × sex × workshop, more than the 40 the
check once stopped at (`training_exact.MOST_CELLS`). Four regions hold dataset 72 of
tests/test_bounded_averages.py (W2 less the women plus Cusco, 19, is twice Cusco's man of W2
plus two ratings of 5 at most: he rated 5); six more regions rate workshops W3 to W10, their
regions and parts all shown, so each of their totals is known: the national women less them
is dataset 72's women again, and the rating is as pinned as it was there. The reader is the
tests' integer programs (`tests.derivation.pinned`), over everything a national coordinator
reads (`_everything`: the national tables, /taller and each region's own report), one
unknown per rating."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import pytest

from bot.services.indicators import query_for
from bot.services.indicators.common import Indicator
from bot.services.indicators.training import training
from bot.services.workshop_report import build_report
from storage.db import Database
from tests.derivation import Figure, pinned
from tests.test_bounded_averages import SEX_NAMES, YEAR, Rater, T, _random_raters, _seed

REGIONS = {
    "puno": "Puno",
    "cusco": "Cusco",
    "piura": "Piura",
    "junin": "Junín",
    "arequipa": "Arequipa",
    "ayacucho": "Ayacucho",
    "la-libertad": "La Libertad",
    "madre-de-dios": "Madre de Dios",
    "tacna": "Tacna",
    "ica": "Ica",
}
BACKGROUND = list(REGIONS)[4:]


def quarter(seed: int) -> list[Rater]:
    """Dataset 72's nine raters of W1 and W2, and the six other regions' (`BACKGROUND`): in
    each, three to five women rate each of W3 to W10 (ratings 2 to 5). Women alone: the
    national report hides the men (for dataset 72's few), and so each region's report its
    sexes, so men beside them would let the women's figure move; with «Sin dato» or
    «Prefiero no decir» among them the linear check (`recoverable`) hides the national
    total here, and with it everything."""
    rng = random.Random(seed)
    raters = list(_random_raters(72))
    for region in BACKGROUND:
        for workshop in range(3, 11):
            for _ in range(rng.choice([3, 4, 5])):
                raters.append((region, "female", workshop, rng.choice([2, 3, 4, 5])))
    return raters


async def _report(db: Database, region: str | None = None) -> Indicator:
    async with db.session() as session:
        return await training(await query_for(session, YEAR, region, T))


async def _everything(db: Database, raters: Sequence[Rater]) -> list[Figure]:
    """Every overall average a national coordinator reads, as a sum of ratings (unknowns
    ((rater, workshop), "overall")): as `tests.test_bounded_averages._everything`, for
    this file's regions."""
    figures: list[Figure] = []

    def add(average: float | None, n: int, chosen: Callable[[Rater], bool]) -> None:
        if average is not None:
            who = [((i, r[2]), "overall") for i, r in enumerate(raters) if chosen(r)]
            assert len(who) == n
            figures.append((who, round(average * n)))

    national = await _report(db)
    for row in national.tables[2].rows:
        add(row[5], row[4], lambda r, row=row: row[0] in ("Total", REGIONS[r[0]]))
    for row in national.tables[3].rows[:-1]:
        add(row[5], row[4], lambda r, row=row: SEX_NAMES.get(row[0]) == r[1])
    for row in national.tables[4].rows:
        workshop = int(row[0][1:])
        add(row[7], row[5], lambda r, w=workshop: r[2] == w)
        async with db.session() as session:
            report = await build_report(session, workshop)
        assert report is not None
        overall = report.criteria["overall"]
        add(overall.average, overall.count, lambda r, w=workshop: r[2] == w)
        for cell in report.by_region:
            add(
                cell.average_overall,
                cell.responses,
                lambda r, w=workshop, c=cell: r[2] == w and REGIONS[r[0]] == c.label_code,
            )
    for code in REGIONS:
        own = await _report(db, code)
        total = own.tables[2].rows[-1]
        add(total[5], total[4], lambda r, code=code: r[0] == code)
        for row in own.tables[3].rows[:-1]:
            add(
                row[5],
                row[4],
                lambda r, c=code, row=row: (r[0], r[1]) == (c, SEX_NAMES.get(row[0])),
            )
        for row in own.tables[4].rows:
            add(row[7], row[5], lambda r, c=code, w=int(row[0][1:]): (r[0], r[2]) == (c, w))
    return figures


def given_away(figures: list[Figure], raters: Sequence[Rater]) -> dict[object, int]:
    """The ratings the integer programs pin, less a group of 3 or more of one region and
    sex all alike (the documented limit), as `test_bounded_averages._given_away`."""
    return pinned(figures, lambda _unknown: (1, 5), cells=lambda key: raters[key[0]][:2])


def shown(indicator: Indicator) -> tuple[int, int]:
    """Regions and sexes whose overall average the national report shows."""
    return (
        sum(row[5] is not None for row in indicator.tables[2].rows[:-1]),
        sum(row[5] is not None for row in indicator.tables[3].rows[:-1]),
    )


# Seeds of the six regions' ratings; with the check skipped over 40 cells, the reader pinned
# Cusco's man of W2 at 5 in each.
SEEDS = [1, 2]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.xfail(strict=True, reason="the exact check is skipped above 40 cells")
@pytest.mark.parametrize("seed", SEEDS)
async def test_a_quarter_of_many_cells_gives_no_rating_away(db: Database, seed: int) -> None:
    raters = quarter(seed)
    await _seed(db, raters)
    cells = {r[:3] for r in raters}
    assert len(cells) > 40
    assert given_away(await _everything(db, raters), raters) == {}
    regions, sexes = shown(await _report(db))
    assert regions >= len(REGIONS) // 2 and sexes >= 2, (regions, sexes)  # not everything hid
