"""A quarter that moves after it ends: a meeting held in the quarter may be cancelled later
(neither /reunion's «Cancelar» nor `meetings.cancel` checks its date), and indicator 1
counts the meetings not cancelled now, so its invitees leave the quarter then.

Puno has one woman and five men; Cusco and Tacna four of each. A meeting on 5 March invites
three of Puno's men and two women and two men of Cusco and of Tacna; one on 20 March invites
Puno's woman and two people of Cusco invited before. Q1's national report read on 1 April;
the second meeting is cancelled on 10 April; read again on 11 April (each reading alone pins
no one: Puno 4 then 3 invited of its 6, women 5 then 4 of 9): Puno's invited fell by 1,
every other region's by 0, women's by 1. So the one person who left was a woman of Puno, its
only woman: she was invited in Q1, a cell of one person that Puno's own report hid on 1
April (on 11 April it shows her 0: she is no longer counted). Not
fixed: a strict xfail (a period's figures frozen at its end, or meetings counted as they
stood at its end, would fix it)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update

from bot.services.indicators.common import Indicator
from storage.db import Database
from storage.models import Meeting
from tests.two_readings import (
    FIRST,
    LIMA,
    Q1,
    SECOND,
    column,
    first_meeting,
    meeting,
    participation_at,
    told,
)


def _invited(indicator: Indicator, first: str) -> dict[str, object]:
    return column(indicator, first, "Invitados")


@pytest.mark.xfail(strict=True, reason="a meeting cancelled after its quarter (period task)")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_meeting_cancelled_after_its_quarter_gives_no_one_away(db: Database) -> None:
    people = await first_meeting(db, datetime(2026, 3, 5, 10, tzinfo=LIMA))
    second = [people["puno"][0], *people["cusco"][:2]]
    later = await meeting(db, "M2", datetime(2026, 3, 20, 10, tzinfo=LIMA), second)
    before = await participation_at(db, Q1, None, FIRST)
    mine = await participation_at(db, Q1, "puno", FIRST)
    async with db.session() as session:  # cancelled on 10 April
        await session.execute(update(Meeting).where(Meeting.id == later).values(status="cancelled"))
        await session.commit()
    after = await participation_at(db, Q1, None, SECOND)
    assert _invited(mine, "Sexo")["Mujer"] is None  # Puno's own report hid her on 1 April
    assert [_invited(r, "Región")["Puno"] for r in (before, after)] == [4, 3]
    assert not told(after, before, _invited, "Puno")  # fell: the later reading first
