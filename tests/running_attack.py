"""`tests/period_attack.py`'s attacker on a year in progress: meetings in February, May and
August, and the year's report read on 5 July as well (Q2 ended, August's meetings not yet
held: the database then holds only those up to June), a period of its own («S2»: people
counted once from January to June) beside the quarters and the year read after its end.
What `training_year` argues for indicator 3 (the year so far read on two dates pins people
the year alone does not), asked of indicator 1 and 7's meeting rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from bot.services.indicators.periods import Period
from storage.db import Database
from tests.period_attack import (
    LIMA,
    PERIODS,
    Model,
    Programme,
    add_meetings,
    draw,
    read_everything,
    read_reports,
    seed_database,
)

MONTHS = (2, 5, 8)  # the months of the meetings: Q1, Q2, Q3
JULY = datetime(2026, 7, 5, 9, tzinfo=LIMA)  # Q2 ended, Q3's meetings not yet held
SO_FAR = Period(date(2026, 1, 1), date(2026, 6, 30))  # the year's people as read in July


class RunningModel(Model):
    """`Model`'s periods, Q3's, and «S2»: the year so far at Q2's end (people once)."""

    periods: ClassVar[dict[str, Period]] = {
        **PERIODS, "Q3": Period.quarter(2026, 3), "S2": SO_FAR,
    }  # fmt: skip


def draw_running(seed: int) -> Programme:
    """`period_attack.draw`'s people, with one to three meetings in each of `MONTHS`."""
    return draw(seed, MONTHS)


async def read_as_held(
    db: Database, programme: Programme, model: RunningModel, scopes: list[str | None]
) -> None:
    """The people, the meetings up to June and the year's reports of 5 July; then August's
    meetings and every other report (Q1, Q2, Q3, the year), read after the year's end."""
    await seed_database(db, Programme(programme.people, []))
    held = [k for k, (day, _a) in enumerate(programme.meetings) if day.date() <= SO_FAR.last]
    await add_meetings(db, programme, held)
    await read_reports(db, model, "S2", Period.year(2026), scopes, JULY)
    later = [k for k in range(len(programme.meetings)) if k not in held]
    await add_meetings(db, programme, later)
    await read_everything(db, model, scopes, ["Q1", "Q2", "Q3", "Y"])
