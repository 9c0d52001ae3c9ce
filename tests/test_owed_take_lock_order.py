"""Taking a dead process's owed replies (bot/owed_replies.py `resend`) while another process
deletes the same update's rows never deadlocks, on PostgreSQL. Those that delete them,
an update's end (storage/repositories/inbox.py `keep`) and erasure (`of_sender`: here, the
person erases their data as the replies a killed process owed them are taken), delete the
update's row, then its replies; `take` deleted the replies, then the update's row: each held
one and waited for the other («deadlock detected»: one of them failed). Now `take` deletes
in the same order."""

from __future__ import annotations

import asyncio

import pytest

from storage.db import Database
from storage.models import InboxUpdate
from storage.repositories import inbox, owed_replies
from tests.helpers import CHECKED_AT
from tests.pg_waits import until_waiting_for_a_lock

ANA = 7001


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_take_while_the_sender_is_erased_never_deadlocks(db: Database) -> None:
    async with db.session() as session:  # handled by a process killed before its end
        session.add(InboxUpdate(update_id=70, telegram_id=ANA, body="{}", at=CHECKED_AT))
        await owed_replies.owe(
            session, update_id=70, telegram_id=ANA, chat_id=ANA, person_id=None, key="70:ab",
            replies="[]", replica="0f" * 16, at=CHECKED_AT,
        )  # fmt: skip
    update_row, replies = inbox.of_sender(ANA)
    async with db.session() as erasing, db.session() as taking:
        await erasing.execute(update_row)
        take = asyncio.create_task(owed_replies.take(taking, CHECKED_AT))
        await until_waiting_for_a_lock(db, take, "inbox_")
        await erasing.execute(replies)  # waited for the take's lock on main: a deadlock
        await erasing.commit()
        assert await take == []  # erased first: nothing left to send
