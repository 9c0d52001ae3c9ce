"""A coordinator's report of a period in progress: every figure by sex «—» (two readings on
two dates, subtracted, would tell the people between them by sex:
tests/test_period_in_progress), its totals as once the period has ended, and a note saying
why, in the chat's summary and on the workbook's cover. Registered people, read at a
month's end (`registered_at`), keep their counts by sex.

tests/union_dataset's people did everything in April 2026: the second quarter read on 20
May (running) and on 5 July (ended) counts the same records."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from bot.services.indicators import Report, build_report
from bot.services.indicators.common import Table
from bot.services.indicators.periods import Period
from bot.services.indicators.render import summary_messages
from bot.services.indicators.xlsx import report_xlsx
from storage.db import Database
from tests.test_period_disclosure import LIMA, T
from tests.union_dataset import seed_database

Q2 = Period.quarter(2026, 2)
MAY, JULY = datetime(2026, 5, 20, 12, tzinfo=LIMA), datetime(2026, 7, 5, tzinfo=LIMA)
NOTE = "Periodo en curso: las cifras por sexo se publican al cierre."
SEX, GROUP, REGISTERED = T.gettext("Sex"), T.gettext("Group"), T.gettext("Registered people")


async def _report(db: Database, scope: str | None, now: datetime) -> Report:
    async with db.session() as session:
        return await build_report(session, Q2, scope, T, now)


def _by_sex(report: Report) -> list[Table]:
    return [t for i in report.indicators for t in i.tables if t.columns[0].label == SEX]


def _groups(report: Report) -> Table:
    """Indicator 7's table of women in each group."""
    seven = next(i for i in report.indicators if i.number == 7)
    return next(t for t in seven.tables if t.columns[0].label == GROUP)


def _cover_notes(report: Report) -> list[str]:
    cover = load_workbook(BytesIO(report_xlsx(report, T)))["Portada"]
    return [str(row[1].value) for row in cover.iter_rows() if row[0].value == "Nota"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_running_period_shows_its_totals_and_nothing_by_sex(db: Database) -> None:
    await seed_database(db)
    for scope in (None, "puno"):
        running, ended = await _report(db, scope, MAY), await _report(db, scope, JULY)
        assert (running.running, ended.running) == (True, False)
        for during, after in zip(_by_sex(running), _by_sex(ended), strict=True):
            *sexes, total = during.rows
            assert all(value is None for row in sexes for value in row[1:]), during.title
            assert total == after.rows[-1], during.title  # the totals, as at its end
        # indicator 7: the registered people's women shown, every other group's «—»
        groups, ended_groups = _groups(running), _groups(ended)
        for row, after in zip(groups.rows, ended_groups.rows, strict=True):
            if row[0] == REGISTERED:
                assert row == after
            else:
                assert (*row[1:5], row[6]) == (None,) * 5 and row[5] == after[5]
        assert NOTE in "\n".join(summary_messages(running, T))
        assert NOTE not in "\n".join(summary_messages(ended, T))
        assert (_cover_notes(running), _cover_notes(ended)) == ([NOTE], [])
    # not a report hiding everything: once ended, the national tables by sex show figures
    shown = [v for t in _by_sex(await _report(db, None, JULY)) for r in t.rows[:-1] for v in r[1:]]
    assert any(isinstance(v, int) and v > 0 for v in shown)
