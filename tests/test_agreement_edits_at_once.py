"""Two edits of one agreement at once, on PostgreSQL: each keeps the terms the agreement had
just before it (`meeting_agreement_changes`, what an ended period reads it by and /mis_datos
lists as its changes).

`repo._remember` copied the terms with one statement and changed them with the next. Under
READ COMMITTED the second edit's copy read the agreement as last committed, before the first
edit's change, and only its UPDATE waited for the first: both kept the same «before» (20
March, Puno's man), and the first edit's terms (30 April) were kept nowhere. Here the first
edit holds its transaction open until the second waits for it. On main 29a7e7f this test
failed. Fixed: the agreement's row is locked (FOR UPDATE) before its terms are copied."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.services import agreements as rules
from storage.db import Database
from storage.models import MeetingAgreementChange
from storage.repositories import agreements as repo
from tests.pg_waits import until_waiting_for_a_lock
from tests.test_agreement_changed_after_end import DUE, _agreements
from tests.two_readings import CHANGED, LIMA

REDATED = date(2026, 4, 30)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_edits_at_once_keep_each_ones_terms_before(db: Database) -> None:
    people = await _agreements(db, "redated")
    his, cusco_man = people["puno"][1].id, people["cusco"][5].id
    async with db.session() as first, db.session() as second:
        mine, theirs = await repo.get(first, 1), await repo.get(second, 1)
        assert mine is not None and theirs is not None
        await rules.edit(first, mine, responsible_id=his, due_on=REDATED, now=CHANGED, zone=LIMA)
        later = asyncio.create_task(
            rules.edit(
                second, theirs, responsible_id=cusco_man, due_on=theirs.due_on,
                now=CHANGED + timedelta(minutes=1), zone=LIMA,
            )
        )  # fmt: skip
        await until_waiting_for_a_lock(db, later, "meeting_agreements")
        await first.commit()
        await later
        await second.commit()
    async with db.session() as session:
        kept = await session.execute(
            select(MeetingAgreementChange.responsible_id, MeetingAgreementChange.due_on)
            .where(MeetingAgreementChange.agreement_id == 1)
            .order_by(MeetingAgreementChange.changed_at)
        )
        assert kept.all() == [(his, DUE), (his, REDATED)]
