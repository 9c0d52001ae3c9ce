"""An outbox round's bookkeeping, written in groups (issue #17).

Each owed message took two transactions of its own: «sending» just before the call and «sent»
after it. On SQLite every transaction waits for the process's write turn, and a broadcast's
twelve concurrent sends made up most of that queue: a person's reply (whose update writes
too) waited behind them, and the sends behind each other's commits. Here the marks the
round's sends ask for while a write is under way go together in the next one: one turn and
one commit for all of them.

What does not change: a message is sent only once its «sending» is committed (`start`
returns after the commit), so a crash never leaves a sent message «claimed»; a message's
«sent» is written with the next «sending» of any slot (so before its own slot's next call),
or LINGER later if none comes, and `flush` writes what is left before the round's next claim
and its progress report. A «sent» not yet written when the process dies leaves its row
«sending», which the next start takes for unknown and never sends again, as before."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from storage.db import Database
from storage.repositories import outbox_marks

LINGER = 0.1  # seconds a «sent» waits for company (the next «sending») before it is written


class Ledger:
    """Marks of one round: «sending» (awaited), «sent» (written soon, not awaited)."""

    def __init__(self, db: Database, now: Callable[[], datetime]) -> None:
        self._db, self._now = db, now
        self._starts: dict[int, tuple[int, asyncio.Future[bool]]] = {}
        self._sent: list[tuple[int, datetime, bool]] = []
        self._writing: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._failed: BaseException | None = None

    async def start(self, message_id: int, attempt: int) -> bool:
        """Record «sending» before the call; False if the claim is no longer ours (another
        process found it stale and took it over: that one sends it)."""
        ours = asyncio.get_running_loop().create_future()
        self._starts[message_id] = (attempt, ours)
        self._write_soon()
        return await ours

    def sent(self, message_id: int, at: datetime, forget: bool) -> None:
        """The call succeeded: «sent» goes in the next write, which the slot's next message
        usually asks for at once; LINGER seconds at most."""
        self._sent.append((message_id, at, forget))
        if self._writing is None and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(LINGER, self._write_soon)

    async def flush(self) -> None:
        """Wait until every mark asked for is written; raise if a write failed."""
        if self._sent:
            self._write_soon()
        while self._writing is not None:
            await asyncio.shield(self._writing)
        failed, self._failed = self._failed, None
        if failed is not None:
            raise failed

    def _write_soon(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._writing is None:
            self._writing = asyncio.create_task(self._write())

    async def _write(self) -> None:
        try:
            while self._starts or self._sent:
                starts, self._starts = self._starts, {}
                sent, self._sent = self._sent, []
                try:
                    async with self._db.session() as session:
                        await outbox_marks.finish_sent(session, sent)
                        ours = await outbox_marks.start_sending(
                            session,
                            [(id_, attempt) for id_, (attempt, _) in starts.items()],
                            self._now(),
                        )
                except Exception as error:  # the database away: those sends fail, as before
                    self._failed = error
                    for _attempt, waiting in starts.values():
                        if not waiting.done():
                            waiting.set_exception(error)
                    continue
                for id_, (_attempt, waiting) in starts.items():
                    if not waiting.done():
                        waiting.set_result(id_ in ours)
        finally:
            self._writing = None
