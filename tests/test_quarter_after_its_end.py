"""Indicator 3 of a finished quarter read twice, while the survey of its last workshop is still
open: the chat offers the quarter from the day after it ends, and the survey of a workshop of
its last week takes answers for 7 days more, so the quarter's averages of n and n + 1 ratings,
subtracted, give the newcomer's rating (here with her region and sex: every rater is a woman
of Puno). «A quarter or year still in progress changes as records arrive» (README, Indicators)
holds for a finished quarter too, until its surveys close. Not fixed (indicator 3 would count a
workshop's ratings once its survey has closed, or a quarter be offered once all its surveys
have): a strict xfail, the record of what is not fixed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import translator
from bot.services.indicators import query_for
from bot.services.indicators.periods import Period
from bot.services.indicators.training import training
from bot.services.workshops import SURVEY_OPEN_FOR
from storage.db import Database
from storage.models import Workshop, WorkshopAttendance, WorkshopRating
from tests.test_registered_quarters import _person

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
Q1 = Period.quarter(2026, 1)
ENDS = datetime(2026, 3, 30, 12, tzinfo=LIMA)  # the quarter's last workshop ends


def _rating(person: int, score: int, completed: datetime) -> WorkshopRating:
    return WorkshopRating(
        workshop_id=1, person_id=person, overall=score, content=score, facilitation=score,
        usefulness=score, organization=score, completed_at=completed,
    )  # fmt: skip


async def _overall(db: Database, now: datetime) -> tuple[float | None, int]:
    """The national report's overall average and its responses, as read at `now`."""
    async with db.session() as session:
        indicator = await training(await query_for(session, Q1, None, T, (), now))
    _label, average, responses = indicator.tables[0].rows[0]
    return average, responses


@pytest.mark.xfail(strict=True, reason="a finished quarter's ratings still arrive for 7 days")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_finished_quarter_read_twice_gives_no_rating(db: Database) -> None:
    async with db.session() as session:
        session.add(
            Workshop(
                id=1, code="W1", title="Taller", region_code="puno",
                starts_at=ENDS - timedelta(hours=3), ends_at=ENDS,
                survey_closes_at=ENDS + SURVEY_OPEN_FOR,
            )
        )  # fmt: skip
        people = [_person("puno", "female", ENDS - timedelta(days=90)) for _ in range(7)]
        session.add_all(people)
        await session.flush()
        ids = [person.id for person in people]
        for number in ids:
            session.add(WorkshopAttendance(workshop_id=1, person_id=number, checked_in_at=ENDS))
        for number in ids[:6]:
            session.add(_rating(number, 4, ENDS + timedelta(hours=5)))
    first = await _overall(db, datetime(2026, 4, 1, 9, tzinfo=LIMA))  # the quarter is offered
    async with db.session() as session:
        session.add(_rating(ids[6], 1, datetime(2026, 4, 2, 9, tzinfo=LIMA)))  # the survey is open
    second = await _overall(db, datetime(2026, 4, 3, 9, tzinfo=LIMA))
    assert _newcomer(first, second) is None, (first, second)


def _newcomer(first: tuple[float | None, int], second: tuple[float | None, int]) -> int | None:
    """The rating given between two looks one response apart (None: not told)."""
    if first[0] is None or second[0] is None or second[1] != first[1] + 1:
        return None
    return round(second[0] * second[1] - first[0] * first[1])
