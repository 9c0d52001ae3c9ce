"""Indicator 3's linear check (`recoverable.workshop_ratings_recoverable`) read /taller as
showing each workshop's averages by sex, which /taller has not shown since dda93ac: over 40
random quarters of 10 regions and some 200 raters of every sex (`test_exact_scale.quarter`),
7 hid the national total, and with it every region and sex, for nothing. It now reads
/taller as it is (its average, and its regions' that `hidden_margins` lets show), and the national
report of those quarters shows its total; everything a national coordinator reads (the
national tables, /taller and each region's report: `test_bounded_averages._everything`)
still gives no one away, to the tests' linear reader (`tests.derivation.singled_out`: a
combination of 1 or 2 people's ratings) nor to their integer reader (`_given_away`)."""

from __future__ import annotations

import pytest

from storage.db import Database
from tests.derivation import singled_out
from tests.test_bounded_averages import _everything, _given_away, _seed
from tests.test_exact_scale import REGIONS, _report, quarter

# «Sin dato» and «Prefiero no decir» 1 in 19 each, beside women and men.
SEXES = ["female"] * 9 + ["male"] * 8 + ["undisclosed", None]


# Of seeds 0-39, those whose national total main hid (3, 7, 10, 12, 17, 25, 38).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("seed", [3, 7])
async def test_a_quarter_with_a_few_sin_dato_shows_its_total(db: Database, seed: int) -> None:
    raters = quarter(seed, SEXES)
    await _seed(db, raters)
    total = (await _report(db)).tables[2].rows[-1]
    assert total[5] is not None, total
    figures = await _everything(db, raters, {name: code for code, name in REGIONS.items()})
    assert singled_out([[unknown for unknown in who] for who, _value in figures]) is None
    assert _given_away(figures, raters) == {}
