"""Incoming updates: cleaned where they enter (`UpdatesRequest`; the webhook does the same), then
served concurrently: different people at the same time, while one person's updates are handled
strictly in order (a double tap must not race with itself); and a person flooding Minka is
slowed down before their updates take any resources."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

from bot.inbox import Inbox
from bot.services.text import sanitize_update
from bot.transport import AiohttpRequest
from bot.update_trim import trimmed_batch

FLOOD_LIMIT = 20  # updates from one person...
FLOOD_WINDOW = 10.0  # ...within this many seconds; more are dropped
# A press not answered this long after it came in, waiting behind the person's previous
# update or for its own slow handler, is answered there and then (Telegram takes the answer
# for ~15 s only); its handler then answers it no more. PRESS_EARLY_SECONDS's default.
PRESS_EARLY = 8.0
answered_early: set[str] = set()  # the presses so answered, whose handler has not run yet
# Presses in hand: the early answer of each copy (Telegram may deliver an update twice).
_early_answers: dict[str, list[asyncio.TimerHandle]] = {}
_copies: dict[str, int] = {}  # copies of each press in hand


def answering(query_id: str) -> bool:
    """A handler is about to answer the press: False when it was answered early already (not
    again: Telegram refuses a second answer); else its early answers are called off."""
    if query_id in answered_early:
        return False
    for timer in _early_answers.pop(query_id, ()):
        timer.cancel()
    return True


class UpdatesRequest(AiohttpRequest):
    """The client for getUpdates: every string of every update is sanitized before
    python-telegram-bot builds its objects, so no handler ever sees a NUL byte or a bidi
    override (bot.services.text), and none can forget to remove them; what no handler reads
    is dropped first (bot.update_trim)."""

    __slots__ = ("inbox",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inbox: Inbox | None = None  # told of each batch read (bot/inbox.py)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """The updates read so far are in the database before this call (whose offset tells
        Telegram it may forget them) leaves (bot/inbox.py)."""
        if self.inbox is not None:
            await self.inbox.settled()
        return await super().do_request(*args, **kwargs)

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        data = sanitize_update(trimmed_batch(super().parse_json_payload(payload)))
        if self.inbox is not None and isinstance(data, dict):
            self.inbox.arrived(data.get("result"))
        return data


class Verdict(Enum):
    PASS = "pass"
    WARN = "warn"  # the first update over the limit: drop it and say "wait a moment" once
    DROP = "drop"


class FloodGuard:
    """A sliding window of arrival times per person (every arrival counts, so someone who keeps
    hammering stays held back until they pause)."""

    def __init__(
        self,
        limit: int = FLOOD_LIMIT,
        window: float = FLOOD_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._arrivals: dict[int, deque[float]] = {}
        self._warned: set[int] = set()
        self._checks = 0

    def check(self, user_id: int) -> Verdict:
        now = self._clock()
        arrivals = self._arrivals.setdefault(user_id, deque())
        while arrivals and arrivals[0] <= now - self.window:
            arrivals.popleft()
        arrivals.append(now)
        self._checks += 1
        if self._checks % 1000 == 0:
            self._forget_quiet(now)
        if len(arrivals) <= self.limit:
            self._warned.discard(user_id)
            return Verdict.PASS
        if user_id in self._warned:
            return Verdict.DROP
        self._warned.add(user_id)
        return Verdict.WARN

    def _forget_quiet(self, now: float) -> None:
        """Keep memory bounded: drop people with no arrival inside the window."""
        quiet = [
            uid
            for uid, times in self._arrivals.items()
            if not times or times[-1] <= now - self.window
        ]
        for user_id in quiet:
            del self._arrivals[user_id]
            self._warned.discard(user_id)


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = 64,
        guard: FloodGuard | None = None,
        press_early: float = PRESS_EARLY,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.press_early = press_early  # seconds a press waits before it is answered early
        self._pending = 0  # updates taken from the queue and not finished
        self._room = asyncio.Event()
        self._room.set()
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self.guard = guard or FloodGuard()
        # Set by the application: tells a flooding person, once, to wait a moment; and stops
        # the spinner of each press dropped after that.
        self.on_flood: Callable[[Update], Awaitable[None]] | None = None
        self.on_dropped: Callable[[Update], Awaitable[None]] | None = None
        # Answers, silently, a press still not answered `press_early` after it came in.
        self.on_waiting_press: Callable[[Update], Awaitable[None]] | None = None
        self._early: set[asyncio.Task[None]] = set()
        # Set by the application: updates kept in the database until handled (bot/inbox.py).
        self.inbox: Inbox | None = None

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        self._pending += 1
        if self._pending >= self.backlog:
            self._room.clear()
        try:
            await super().process_update(update, coroutine)
        finally:
            if self.inbox is not None:
                self.inbox.finished(update)
            self._pending -= 1
            if self._pending < self.backlog:
                self._room.set()

    @property
    def backlog(self) -> int:
        """Updates in hand (running or waiting for a slot) before Minka stops taking more."""
        return 2 * self.max_concurrent_updates

    async def wait_for_room(self) -> None:
        await self._room.wait()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await coroutine
            return
        verdict = self.guard.check(user.id)
        if verdict is not Verdict.PASS:
            # Dropped before waiting for the person's turn, so a flood never holds the slots
            # other people's updates need.
            if asyncio.iscoroutine(coroutine):
                coroutine.close()
            if verdict is Verdict.WARN and self.on_flood is not None:
                await self.on_flood(update)  # type: ignore[arg-type]
            elif verdict is Verdict.DROP and self.on_dropped is not None:
                await self.on_dropped(update)  # type: ignore[arg-type]
            return
        lock = self._locks.get(user.id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user.id] = lock
        query = update.callback_query if self.on_waiting_press is not None else None
        if query is None:
            async with lock:
                await coroutine
            return
        timer = asyncio.get_running_loop().call_later(self.press_early, self._answer, update)
        _early_answers.setdefault(query.id, []).append(timer)
        _copies[query.id] = _copies.get(query.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:  # kept only while a handler may look (handlers/delivery.py, errors.py)
            timer.cancel()
            timers = _early_answers.get(query.id, [])
            if timer in timers:
                timers.remove(timer)
            if not timers:
                _early_answers.pop(query.id, None)
            _copies[query.id] -= 1
            if not _copies[query.id]:
                del _copies[query.id]
                answered_early.discard(query.id)

    def _answer(self, update: Update) -> None:
        """The press has waited `press_early` (for the person's previous update, or for its own
        handler) and its handler has not answered it: answered now."""
        assert self.on_waiting_press is not None and update.callback_query is not None
        for timer in _early_answers.pop(update.callback_query.id, ()):
            timer.cancel()  # its other copy's: answered once
        answered_early.add(update.callback_query.id)
        task = asyncio.get_running_loop().create_task(self.on_waiting_press(update))
        self._early.add(task)
        task.add_done_callback(self._early.discard)

    async def initialize(self) -> None:
        """Nothing to set up: locks are created on demand."""

    async def shutdown(self) -> None:
        """Nothing to release: locks vanish with their last waiter."""


def inbox_in(application: Application) -> Inbox | None:
    """The application's updates in hand (bot/inbox.py), if it keeps them."""
    processor = application.update_processor
    return processor.inbox if isinstance(processor, PerUserUpdateProcessor) else None


class PacedQueue(asyncio.Queue[object]):
    """The application's update queue. Polling (and the webhook) waits here while the processor
    has a full backlog: the updates stay with Telegram meanwhile, and the next getUpdates
    brings them in one call instead of one call per update, which under load cost as much
    CPU as handling them."""

    def __init__(self, processor: PerUserUpdateProcessor) -> None:
        super().__init__()
        self._processor = processor

    async def put(self, item: object) -> None:
        if isinstance(item, Update):  # never hold back PTB's own stop signal
            if self._processor.inbox is not None:  # written before Telegram is told
                self._processor.inbox.keep(item)
            await self._processor.wait_for_room()
        self.put_nowait(item)
