"""Indicator 3's exact whole-number check at a realistic size: a quarter of 10 regions, 10
workshops and some 200 raters, 56 cells of region × sex × workshop, more than the 40 the
check once stopped at (`training_exact.MOST_CELLS`). Four regions hold dataset 72 of
tests/test_bounded_averages.py (W2 less the women plus Cusco, 19, is twice Cusco's man of W2
plus two ratings of 5 at most: he rated 5); six more regions rate workshops W3 to W10, their
regions and parts all shown, so each of their totals is known: the national women less them
is dataset 72's women again, and the rating is as pinned as it was there. The reader is the
tests' integer programs (`tests.derivation.pinned`), over everything a national coordinator
reads (`test_bounded_averages._everything`: the national tables, /taller and each region's
own report), one unknown per rating, less a group of 3 or more of one region and sex all
alike (`_given_away`: the documented limit)."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from bot.services.indicators import query_for, training_exact
from bot.services.indicators.common import Indicator
from bot.services.indicators.training import training
from storage.db import Database
from tests.test_bounded_averages import (
    YEAR,
    Rater,
    T,
    _everything,
    _given_away,
    _random_raters,
    _seed,
)

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


def quarter(seed: int, sexes: Sequence[str | None] = ("female",)) -> list[Rater]:
    """Dataset 72's nine raters of W1 and W2, and the six other regions' (`BACKGROUND`): in
    each, three to five women rate each of W3 to W10 (ratings 2 to 5). Women alone: the
    national report hides the men (for dataset 72's few), and so each region's report its
    sexes, so men beside them would let the women's figure move. (With «Sin dato» or
    «Prefiero no decir» among them the linear check (`recoverable`) hid the national total
    here, and with it everything, while it read /taller's averages by sex, which /taller
    has not shown since dda93ac: tests/test_training_taller_sexes.py.)"""
    rng = random.Random(seed)
    raters = list(_random_raters(72))
    for region in BACKGROUND:
        for workshop in range(3, 11):
            for _ in range(rng.choice([3, 4, 5])):
                sex = rng.choice(sexes) if len(sexes) > 1 else sexes[0]
                raters.append((region, sex, workshop, rng.choice([2, 3, 4, 5])))
    return raters


async def _report(db: Database, region: str | None = None) -> Indicator:
    async with db.session() as session:
        return await training(await query_for(session, YEAR, region, T, YEAR.end(T)))


def shown(indicator: Indicator) -> set[str]:
    """The regions and sexes whose overall average the national report shows."""
    return {
        row[0] for table in indicator.tables[2:4] for row in table.rows[:-1] if row[5] is not None
    }


# Seeds of the six regions' ratings; with the check skipped over 40 cells, the reader pinned
# Cusco's man of W2 at 5 in each.
SEEDS = [1, 2]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("seed", SEEDS)
async def test_a_quarter_of_many_cells_gives_no_rating_away(db: Database, seed: int) -> None:
    raters = quarter(seed)
    await _seed(db, raters)
    cells = {r[:3] for r in raters}
    assert len(cells) > 40
    names = {name: code for code, name in REGIONS.items()}
    assert _given_away(await _everything(db, raters, names), raters) == {}
    # Not by hiding everything: the six regions that give nothing away, and the women (as
    # before the check), still show.
    assert {REGIONS[code] for code in BACKGROUND} | {"Mujer"} <= shown(await _report(db))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("seed", SEEDS)
async def test_a_report_past_the_largest_reading_gives_no_rating_away(
    db: Database, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same quarter, its 56 cells past the most the check reads as one system
    (`training_exact.MOST_CELLS`, 2,000 cells, brought down to 40 here to keep the test
    short: a year of 100,000 people has 17,725). The check once skipped a report that large
    (`return hidden  # not read`), and the reader pinned Cusco's man of W2 at 5 again; it now
    reads such a report in parts (`bot.services.exact_parts`) and hides more where a part
    pins a rating, never less."""
    monkeypatch.setattr(training_exact, "MOST_CELLS", 40)
    raters = quarter(seed)
    await _seed(db, raters)
    assert len({r[:3] for r in raters}) > training_exact.MOST_CELLS
    names = {name: code for code, name in REGIONS.items()}
    assert _given_away(await _everything(db, raters, names), raters) == {}
    # Not by hiding everything: the women and most of the six regions still show.
    seen = shown(await _report(db))
    assert "Mujer" in seen
    assert len({REGIONS[code] for code in BACKGROUND} & seen) >= 4, seen
