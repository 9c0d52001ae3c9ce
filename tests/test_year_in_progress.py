"""A year in progress: indicators 3 and 7's workshop people counted once over the year
(attendees, people who rated, response rates) show «—» until it ends, and from its end on
are shown. Why (`training_year`): the year so far read on two dates, beside its quarters,
is a period of its own, which tests/test_training_year's tables show pinning someone
(`test_the_year_so_far_read_at_two_quarters_ends_pins_someone`). Each workshop's own row,
the responses and the averages are sums over the quarters: shown."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import translator
from bot.services.indicators import query_for
from bot.services.indicators.common import Indicator, Table
from bot.services.indicators.periods import Period
from bot.services.indicators.training import training
from bot.services.indicators.women import women
from storage.db import Database
from tests.test_registered_quarters import _person
from tests.workshop_rows import add_workshop

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
YEAR = Period.year(2026)
DAY = datetime(2026, 2, 10, 9, tzinfo=LIMA)


async def _read(db: Database, now: datetime) -> tuple[Indicator, Indicator]:
    """Indicators 3 and 7 of the year, national, as read at `now`."""
    async with db.session() as session:
        q = await query_for(session, YEAR, None, T, now)
        return await training(q), await women(q)


def _row(table: Table, label: str) -> dict[str, object]:
    (row,) = [row for row in table.rows if row[0] == label]
    return {column.label: value for column, value in zip(table.columns, row, strict=True)}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_year_in_progress_shows_no_workshop_people(db: Database) -> None:
    async with db.session() as session:
        sexes = ["female"] * 3 + ["male"] * 3
        people = [_person("puno", sex, DAY - timedelta(days=60)) for sex in sexes]
        session.add_all(people)
        await session.flush()
        await add_workshop(session, "W1", "puno", DAY, {p.id: 4 for p in people})
    _ = T.gettext
    attendees, raters, rate = _("Attendees"), _("People who rated"), _("Response rate")
    workshop_rows = (_("Workshop attendees"), _("People who rated a workshop"))
    for now, shown in ((datetime(2026, 5, 1, tzinfo=LIMA), False), (YEAR.end(T), True)):
        three, seven = await _read(db, now)
        headlines = {h.label: h.value for h in three.headlines}
        assert (headlines[attendees], headlines[raters]) == ((6, 6) if shown else (None, None))
        (regions,) = [t for t in three.tables if t.title == _("Rating by region")]
        total = _row(regions, "Total")
        assert (total[attendees], total[raters], total[rate]) == (
            (6, 6, 1.0) if shown else (None, None, None)
        )
        assert total[_("Responses")] == 6  # a sum over the quarters: shown
        (each,) = [t for t in three.tables if t.title == _("Each workshop")]
        assert _row(each, "W1")[attendees] == 6  # a workshop's own people
        groups = seven.tables[0]
        for label in workshop_rows:
            assert _row(groups, label)["Total"] == (6 if shown else None)
        assert _row(groups, _("Registered people"))["Total"] == 6
