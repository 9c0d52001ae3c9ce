"""Updates in hand (bot/inbox.py) as the database keeps them, on SQLite and PostgreSQL: a
batch written with the deletes of the updates handled since, a repeat not written twice, an
update left by a stopped process tried at three starts and then dropped, the rows deleted by
erasure (by sender) and by retention; likewise the replies an update owes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select
from telegram import Update

from bot.inbox import GIVE_UP_AFTER, Inbox
from bot.services import privacy
from storage.db import Database
from storage.models import InboxReply, InboxUpdate
from storage.repositories import inbox as rows
from storage.repositories import owed_replies as owed_rows
from storage.repositories import people
from tests.helpers import registered_official

NOW = datetime(2026, 12, 6, 18, tzinfo=UTC)


def _message(update_id: int, sender: int, text: str) -> dict[str, object]:
    user = {"id": sender, "is_bot": False, "first_name": "Ana"}
    chat = {"id": sender, "type": "private", "first_name": "Ana"}
    message = {"message_id": update_id, "date": 1, "chat": chat, "from": user, "text": text}
    return {"update_id": update_id, "message": message}


async def _kept(db: Database) -> dict[int, int | None]:
    async with db.session() as session:
        result = await session.execute(select(InboxUpdate.update_id, InboxUpdate.telegram_id))
        return dict(result.all())


async def test_a_batch_is_kept_and_forgotten_once_handled(db: Database) -> None:
    inbox = Inbox(db, lambda: NOW)
    inbox.arrived([_message(1, 7961, "¿Qué es el REINFO?"), _message(2, 7962, "hola")])
    inbox.arrived({"update_id": 3, "poll": {"id": "x"}})  # a webhook's body; no sender
    updates = {n: Update.de_json(_message(n, 7960 + n, "¿Qué es el REINFO?"), None) for n in (1, 2)}
    inbox.keep(updates[1])
    await inbox.settled()  # writes the whole batch read so far
    assert await _kept(db) == {1: 7961, 2: 7962, 3: None}
    inbox.arrived([_message(2, 7962, "hola")])  # Telegram sends it again: no second row
    inbox.keep(updates[2])
    await inbox.settled()
    inbox.finished(updates[1])
    await inbox.flush()
    assert await _kept(db) == {2: 7962, 3: None}


async def test_once_probed_a_batch_is_written_at_the_driver_on_postgresql(db: Database) -> None:
    """After an update's first statement at the driver (storage.direct's probe), PostgreSQL's
    write of a batch goes to asyncpg, not through SQLAlchemy's execution, and still commits
    (autocommit) and deletes what was handled."""
    async with db.session() as session:
        await people.get_with_form(session, 7961)  # what every update reads first
    executed: list[str] = []
    listen = event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    listen(lambda _conn, _cursor, statement, *_args: executed.append(statement))
    inbox = Inbox(db, lambda: NOW)
    inbox.arrived([_message(4, 7961, "hola"), _message(5, 7962, "hola")])
    first = Update.de_json(_message(4, 7961, "hola"), None)
    inbox.keep(first)
    await inbox.settled()
    assert await _kept(db) == {4: 7961, 5: 7962}
    inbox.finished(first)
    await inbox.flush()
    assert await _kept(db) == {5: 7962}
    through_sqlalchemy = [  # the writes (the reads above are the test's own)
        s for s in executed if "inbox_updates" in s and not s.startswith("SELECT")
    ]
    if db.engine.dialect.name == "postgresql":
        assert through_sqlalchemy == []
    else:  # SQLite writes in a session (its write turn): through SQLAlchemy
        assert through_sqlalchemy != []


async def test_an_update_left_is_tried_at_three_starts_then_dropped(db: Database) -> None:
    async with db.session() as session:
        body = '{"update_id": 5}'
        await rows.keep(session, [{"update_id": 5, "telegram_id": 1, "body": body, "at": NOW}], [])
    for _start in range(GIVE_UP_AFTER):
        async with db.session() as session:
            assert await rows.left(session, GIVE_UP_AFTER) == [(5, body)]
    async with db.session() as session:
        assert await rows.gave_up(session, GIVE_UP_AFTER) == 1
        assert await rows.left(session, GIVE_UP_AFTER) == []
    assert await _kept(db) == {}


async def test_erasure_and_retention_delete_the_updates_in_hand(db: Database) -> None:
    async with db.session() as session:
        await registered_official(session, 7963, "Ana Quispe", region_code="puno")
        at = [NOW, NOW, NOW - timedelta(days=8)]
        await rows.keep(
            session,
            [
                {"update_id": n, "telegram_id": sender, "body": "{}", "at": at[n]}
                for n, sender in enumerate([7963, 7964, 7964])
            ],
            [],
        )
    async with db.session() as session:
        assert await privacy.erase(session, 7963, key=b"k" * 32, now=NOW)
    assert await _kept(db) == {1: 7964, 2: 7964}
    async with db.session() as session:
        assert await rows.prune(session, NOW - timedelta(days=7)) == 1
    assert await _kept(db) == {1: 7964}


async def test_an_update_handled_before_its_row_is_written_leaves_none(db: Database) -> None:
    """The row is written while the handler may already run: one that ends first leaves no
    row behind (its delete does not come before its insert)."""
    inbox = Inbox(db, lambda: NOW)
    data = _message(9, 7969, "/ayuda")
    inbox.arrived([data])
    update = Update.de_json(data, None)
    inbox.keep(update)
    inbox.finished(update)  # before the writer ran
    await inbox.settled()
    await inbox.flush()
    assert await _kept(db) == {}


async def test_an_update_handled_while_its_row_is_written_is_not_remembered(db: Database) -> None:
    """Handled while its batch was being written: its row goes with the next write, and the
    inbox does not keep its id in memory (10,000 updates would leave 10,000 ids)."""
    inbox = Inbox(db, lambda: NOW)
    data = _message(11, 7970, "/ayuda")
    inbox.arrived([data])
    update = Update.de_json(data, None)
    inbox.keep(update)
    await asyncio.sleep(0)  # the writer has taken the batch
    inbox.finished(update)
    await inbox.settled()
    await inbox.flush()
    assert await _kept(db) == {}
    assert inbox._kept == set()


async def test_a_batch_queued_while_it_is_written_is_written_once(db: Database) -> None:
    """Polling queues a batch's updates one by one, waiting for room (a full backlog) after
    the first, while the write of the whole batch has begun: the later ones are in that
    write, not turned back into JSON (`Update.to_dict`) and written again (#17: under load
    most updates were, a second INSERT each). This test's writes go through SQLAlchemy
    (no statement ran at the driver before them), so the listener sees each of them."""
    executed: list[str] = []
    listen = event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    listen(lambda _conn, _cursor, statement, *_args: executed.append(statement))
    inbox = Inbox(db, lambda: NOW)
    batch = [_message(n, 7950 + n, "¿Qué es el REINFO?") for n in (30, 31, 32)]
    inbox.arrived(batch)
    updates = [Update.de_json(data, None) for data in batch]
    inbox.keep(updates[0])
    await asyncio.sleep(0)  # the writer has taken the batch; polling waited for room
    inbox.keep(updates[1])
    inbox.keep(updates[2])
    await inbox.settled()
    assert await _kept(db) == {30: 7980, 31: 7981, 32: 7982}
    assert len([s for s in executed if "INSERT INTO inbox_updates" in s]) == 1


async def _owed(db: Database) -> list[int]:
    async with db.session() as session:
        return list(await session.scalars(select(InboxReply.update_id).order_by("update_id")))


async def test_owed_replies_go_with_their_update_by_erasure_and_by_retention(
    db: Database,
) -> None:
    """The replies an update owes (bot/owed_replies.py) are deleted with its row in hand
    once handled, by erasure (her updates, and others' in her chat) and by retention."""
    async with db.session() as session:
        await registered_official(session, 7971, "Ana Quispe", region_code="puno")
        await rows.keep(
            session,
            [
                {"update_id": n, "telegram_id": 7972, "body": "{}", "at": NOW}
                for n in (20, 21, 22, 23, 24)
            ],
            [],
        )
        owed = {20: (7971, 7971), 21: (7972, 7971), 22: (7972, 7972), 23: (7972, 7972)}
        for update_id, (sender, chat) in owed.items():
            await owed_rows.owe(
                session,
                update_id=update_id,
                telegram_id=sender,
                chat_id=chat,
                person_id=None,
                key=f"{update_id}:k",
                replies='[{"text": "Hola, Ana Quispe"}]',
                replica="r",
                at=NOW if update_id != 23 else NOW - timedelta(days=8),
            )
    assert await _owed(db) == [20, 21, 22, 23]
    async with db.session() as session:
        await rows.keep(session, [], [22])  # handled: its row and its replies go
    assert await _owed(db) == [20, 21, 23]
    async with db.session() as session:
        assert await privacy.erase(session, 7971, key=b"k" * 32, now=NOW)
    assert await _owed(db) == [23]
    async with db.session() as session:
        await rows.prune(session, NOW - timedelta(days=7))
    assert await _owed(db) == []
