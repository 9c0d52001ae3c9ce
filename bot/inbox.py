"""Updates in hand, kept in the database: no reply is lost to a kill after Telegram was told.

Polling tells Telegram it may forget a batch of updates (getUpdates asks for the next offset)
as soon as the batch is queued, before its handlers run; a webhook answers 200 before
handling. A process killed in between lost those updates: the official's question or press
was never answered. So each update is written (`inbox_updates`: its sanitized JSON), in one
statement for the whole getUpdates batch, before Telegram is told: the batch's handlers start
at once, the next getUpdates (`UpdatesRequest`) or the webhook's 200 waits for the write. It
is deleted once handled (batched: with the next batch's write, or within `FLUSH_AFTER`). At
start-up, before polling or listening, whatever a stopped process left is queued first, in
order; an update handled already (its effects and processed-update record committed) is
recognised as a repeat (handlers/dispatch.py) and does nothing twice.

A kill between an update's commit and its replies' send: the replies were written with the
commit (bot/owed_replies.py) and are deleted with the update's row; the next start sends what
is left. An update that keeps killing the process is tried `GIVE_UP_AFTER` times, then
dropped."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.ext import Application

from storage.db import Database
from storage.repositories import inbox as rows

log = logging.getLogger(__name__)

FLUSH_AFTER = 1.0  # seconds a handled update's row may outlive it when no batch comes
GIVE_UP_AFTER = 3  # starts that tried an update before it is dropped


class Inbox:
    """One per application. `arrived` is told of each batch as it is read (getUpdates' reply,
    a webhook's body); `keep` as each update is queued (its batch written meanwhile);
    `settled` before Telegram is told; `finished` once an update's handling is over."""

    def __init__(self, db: Database, now: Callable[[], datetime]) -> None:
        self._db, self._now = db, now
        self._arrived: dict[int, dict[str, Any]] = {}  # read, not yet written
        # The last batch taken from `_arrived` by a write: polling queues a batch's updates
        # one by one, waiting for room, while the write of the whole batch goes on; those
        # queued after it began are written by it, not turned back into JSON and again.
        self._taken: frozenset[int] = frozenset()
        self._kept: set[int] = set()  # queued (written or being written), not yet handled
        self._done: list[int] = []  # handled, rows not yet deleted
        self._lock = asyncio.Lock()
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task[None]] = set()
        self._writer: asyncio.Task[None] | None = None
        postgresql = db.engine.dialect.name == "postgresql"
        self._at_once = (
            db.engine.execution_options(isolation_level="AUTOCOMMIT") if postgresql else None
        )

    def arrived(self, updates: object) -> None:
        """The updates of one getUpdates reply or webhook request, as sanitized JSON."""
        for data in updates if isinstance(updates, list) else [updates]:
            if isinstance(data, dict) and isinstance(data.get("update_id"), int):
                self._arrived[data["update_id"]] = data

    def keep(self, update: Update) -> None:
        """As `update` is queued: its row is written, with every update read beside it, in one
        statement, while its handler may already run; Telegram is told only once it is
        written (`settled`: the next getUpdates, the webhook's 200)."""
        if update.update_id in self._kept:
            return
        if update.update_id not in self._arrived and update.update_id not in self._taken:
            # queued by other means (tests, the demo)
            self._arrived[update.update_id] = update.to_dict()
        self._kept.add(update.update_id)
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write_all())

    async def settled(self) -> None:
        """Every update kept so far is written (or could not be: the database away)."""
        while (writer := self._writer) is not None:
            await asyncio.shield(writer)  # a getUpdates cancelled at a stop: the write goes on

    async def _write_all(self) -> None:
        try:
            while self._arrived:
                async with self._lock:
                    await self._write()
        finally:
            self._writer = None

    def holds(self, update_id: int) -> bool:
        """Whether the update is kept, not yet handled: its row goes once it is."""
        return update_id in self._kept

    def finished(self, update: object) -> None:
        """The update's handling is over (replied, held for the outbox, failed or dropped)."""
        if not isinstance(update, Update) or update.update_id not in self._kept:
            return
        self._kept.discard(update.update_id)
        self._done.append(update.update_id)
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_AFTER, self._flush_soon)

    def _flush_soon(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self.flush())
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def flush(self) -> None:
        """Delete the rows of the updates handled (at a graceful stop: all of them)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        async with self._lock:
            if self._done:  # not what was read and never queued: Telegram sends it again
                await self._write({})

    async def _write(self, batch: dict[int, dict[str, Any]] | None = None) -> None:
        if batch is None:
            batch, self._arrived = self._arrived, {}
            self._taken = frozenset(batch)
        done, self._done = self._done, []
        handled = set(done)  # handled before its row was written: none to write
        batch = {update_id: data for update_id, data in batch.items() if update_id not in handled}
        now = self._now()
        values = [
            {"update_id": update_id, "telegram_id": _sender(data), "body": body, "at": now}
            for update_id, data in batch.items()
            if (body := _json(data)) is not None
        ]
        try:
            if self._at_once is not None:  # PostgreSQL: one round trip
                async with self._at_once.connect() as connection:
                    await rows.keep_at_once(connection, values, done, now)
            else:
                async with self._db.session() as session:
                    await rows.keep(session, values, done)
        except (SQLAlchemyError, OSError) as error:
            # The database away: the updates are handled without this guard (their handlers
            # meet the same outage); the handled ones' rows are deleted next time.
            log.warning("could not keep %d updates in the database: %r", len(values), error)
            self._done[:0] = done

    async def forget(self, telegram_id: int) -> None:
        """After an erasure has committed, before its sender is told: the rows of their updates
        written since its delete go too. An update's row is written while its handler runs, so
        the erasing update's own row could come after the erasure (at load, once in three runs
        of tests/erasure/test_unconsented.py), and stay until the flush, or the next start."""
        await self.settled()
        try:
            async with self._db.session() as session:
                await rows.forget(session, telegram_id)
        except (SQLAlchemyError, OSError) as error:  # the database away: the flush deletes it
            log.warning("could not forget an erased person's updates: %r", error)

    async def replay(self, application: Application) -> int:
        """At start-up, before polling or listening: queue the updates a stopped process left
        unhandled, in order; returns how many."""
        async with self._db.session() as session:
            dropped = await rows.gave_up(session, GIVE_UP_AFTER)
            left = await rows.left(session, GIVE_UP_AFTER)
        if dropped:
            log.error(
                "%d updates dropped: tried at %d starts, never handled", dropped, GIVE_UP_AFTER
            )
        for update_id, body in left:
            try:
                update = Update.de_json(json.loads(body), application.bot)
            except (ValueError, TypeError, KeyError, AttributeError) as error:
                log.error("update %s left by a stopped process is unreadable: %r", update_id, error)
                self._done.append(update_id)
                continue
            self._kept.add(update_id)
            application.update_queue.put_nowait(update)
        if left:
            log.warning("%d updates left unhandled by a stopped process: handled now", len(left))
        return len(left)


def _sender(data: dict[str, Any]) -> int | None:
    """The Telegram id of the person the update comes from (erasure deletes by it)."""
    for value in data.values():
        if isinstance(value, dict) and isinstance(sender := value.get("from"), dict):
            user_id = sender.get("id")
            return user_id if isinstance(user_id, int) else None
    return None


def _json(data: dict[str, Any]) -> str | None:
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:  # not JSON: handled without the guard
        log.warning("update %s not kept: %r", data.get("update_id"), error)
        return None
