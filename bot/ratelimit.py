"""One rate limiter for the whole bot, with priorities.

Telegram allows about 30 messages per second per bot. With a single first-come limiter, a
broadcast that queues thousands of calls makes a person who asks a question wait behind all
of them (the known trap). Here replies to people take the next free slot at once; owed
messages (reminders, broadcasts), marked `rate_limit_args={"background": True}`, only use
slots nobody is waiting for, and leave a reply's worth free; so does a report's bulky tail
(`AFTER_REPLIES`). A 429 is honoured: wait `retry_after`, retry a bounded number of times
and for a bounded time (`LONGEST_WAIT`; a press's answer `PRESS_WAIT`), then the caller
decides: a later call waits in memory (bot/follow_ups.py). A chat's reply (and its file) and
every owed message go back to the outbox at the first 429 instead (`holding`): waiting in
memory, a reply was lost with the process and unseen by another replica, which answered the
chat's next update first, and an owed message's row stayed «sending», which a kill turned
into «unknown», never sent. An owed message's 429 holds back its chat's other owed messages
until Telegram allows (`refused`, `chat_until`), and cools the whole outbox (`cool`: it
claims nothing more until then) only when 429s for two chats say the bot's own limit was
reached, not one chat's (bot/flood_scope.py says why, and what a wrong guess costs).
Transient failures of replies (5xx, dropped connections) are retried here, with backoff."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from bot.flood_scope import FloodScope
from bot.transport import NotSent

# Calls that put something in a chat; answerCallbackQuery, getUpdates and the like are free.
LIMITED = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "sendDocument",
        "sendPhoto",
        "copyMessage",
        "forwardMessage",
    }
)


# Calls whose repetition changes nothing (the same edit, the same answer to a button).
IDEMPOTENT = frozenset(
    {"editMessageText", "editMessageReplyMarkup", "answerCallbackQuery", "setMyCommands"}
)
# Slots in the bucket: Telegram's ~30 a second allow a burst of a few (python-telegram-bot's
# own AIORateLimiter allows a second's worth, 30; so does our local server). At «Enviar» of a
# broadcast (bench.broadcast, #17's phase (a)) the coordinator's steps and progress, a second
# coordinator's /indicadores and the people's replies asked for 23 slots in half a second (9
# of them within 35 ms): with 4 or 8 in the bucket they went one every 34 ms once it was
# empty, and 4-11 of the ~20 replies of the next 1.5 s waited here, up to 249 ms one. With
# 16 none waited; the rate is the same, and owed messages leave 14 of them to replies.
BURST = 16.0
KEPT_FOR_REPLIES = 14  # of them, left by owed messages for replies (`_background_needs`)
# A reply's bulky tail, after seconds of work (a report's summary, charts and workbook): it
# takes only the slots no reply is waiting for and leaves the bucket's reserve, as owed
# messages do, but goes before them and is retried as replies are.
AFTER_REPLIES = {"after_replies": True}
# Seconds of retry_after the limiter waits out for one call, in all: a longer flood control
# goes to the caller at once, which keeps the call for when Telegram allows, instead of an
# update's turn (and the chat's next replies) sitting here for minutes.
LONGEST_WAIT = 30.0
# A press's answer only stops the button's spinner, and Telegram takes it only for a short
# while: waiting 3 × retry_after for it held the reply to the press back as long.
PRESS_WAIT = 5.0
BACKOFF = 0.5  # seconds before the first retry of a transient failure; doubles each time
# Set while a caller makes calls it keeps in the outbox when Telegram refuses them (`holding`).
_HOLDING: ContextVar[bool] = ContextVar("holding", default=False)
log = logging.getLogger(__name__)


@contextmanager
def holding() -> Iterator[None]:
    """The calls made within (in this task) go back to the caller at their first 429, which
    keeps them in the outbox (bot/held.py: a chat's replies; bot/outbox.py: any owed message,
    a held reply or a broadcast's copy, put back pending). Waited out here, in memory, a
    reply was one process's secret for up to `LONGEST_WAIT`: another replica answered the
    chat's next update before it, and a crash lost it (the update was recorded as handled).
    In the outbox it is durable, and every replica's `held.waiting` sees it
    (tests/test_flood_retry_replicas.py). No database work unless a 429 comes."""
    token = _HOLDING.set(True)
    try:
        yield
    finally:
        _HOLDING.reset(token)


class PriorityRateLimiter(BaseRateLimiter[dict[str, Any]]):
    def __init__(
        self, per_second: float = 29.5, burst: float = BURST, max_retries: int = 3
    ) -> None:
        self._total_rate, self._total_burst = per_second, burst
        self._rate = per_second
        self._burst = burst
        self._tokens = burst
        self._updated = time.monotonic()
        self._urgent_waiting = 0
        self._tails_waiting = 0  # calls of AFTER_REPLIES waiting: owed messages go after them
        self._max_retries = max_retries
        self._cool_until: datetime | None = None  # owed messages start no earlier (`cool`)
        self._scope = FloodScope()  # chats in flood control; whether the bot is (`refused`)

    @property
    def rate(self) -> float:
        return self._rate

    def refused(self, chat: int | None, now: datetime, until: datetime) -> None:
        """Telegram refused an owed message to `chat` (429) at `now` until `until` (on the
        outbox's clock): the chat's other owed messages wait until then (`chat_until`); the
        whole outbox too (`cool`) when the evidence says the bot's limit was reached
        (bot/flood_scope.py). One busy group no longer holds a broadcast back for everyone
        (tests/test_flood_one_chat.py)."""
        whole = self._scope.refused(chat, now, until)
        if whole is not None:
            self.cool(whole)

    def chat_until(self, chat: int | None, now: datetime) -> datetime | None:
        """When Telegram allows `chat` again, if an owed message's 429 said it is not yet."""
        return self._scope.until(chat, now)

    def cool(self, until: datetime) -> None:
        """Telegram's limit for the bot was reached until `until` (on the outbox's clock): the
        outbox starts no owed message before then (`cooling`). Those it claimed go back as
        they were, for whoever is up when Telegram allows; started meanwhile, a broadcast's
        copies would meet one 429 each. Replies are not held back: a reply's 429 holds it."""
        if self._cool_until is None or until > self._cool_until:
            self._cool_until = until

    def cooling(self, now: datetime) -> bool:
        """Whether an owed message's 429 asked to wait past `now` (`cool`)."""
        return self._cool_until is not None and now < self._cool_until

    def share(self, replicas: int) -> bool:
        """Take an equal part of the bot's rate among `replicas` processes (bot.replicas);
        True when that changed this process's rate."""
        rate = self._total_rate / max(replicas, 1)
        if rate == self._rate:
            return False
        self._refill()
        self._rate = rate
        self._burst = max(1.0, self._total_burst / max(replicas, 1))
        self._tokens = min(self._tokens, self._burst)
        return True

    async def initialize(self) -> None:
        """Nothing to open: the limiter is plain arithmetic."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
        self._updated = now

    async def reserve(self) -> None:
        """Take a background slot now; the next call passing `{"reserved": True}` uses it.

        The outbox reserves before it records "sending", so a crash while waiting for a slot
        leaves the message safely unsent rather than of unknown fate."""
        await self._take(urgent=False)

    async def _take(self, urgent: bool, before_owed: bool = False) -> None:
        """A slot: at once for a reply (`urgent`); otherwise one replies leave, and owed
        messages wait for a reply's bulky tail (`before_owed`, AFTER_REPLIES) too."""
        if urgent:
            self._urgent_waiting += 1
        elif before_owed:
            self._tails_waiting += 1
        try:
            while True:
                self._refill()
                needed = 1 if urgent else self._background_needs()
                ahead = 0 if urgent else self._urgent_waiting
                if not urgent and not before_owed:
                    ahead += self._tails_waiting
                if self._tokens >= needed and ahead == 0:
                    self._tokens -= 1
                    return
                missing = max(0.0, needed - self._tokens)
                await asyncio.sleep(max(missing / self._rate, 0.002))
        finally:
            if urgent:
                self._urgent_waiting -= 1
            elif before_owed:
                self._tails_waiting -= 1

    def _background_needs(self) -> float:
        """Owed messages leave up to `KEPT_FOR_REPLIES` slots in the bucket: a reply arriving
        the moment after a broadcast's copy, or its second message, still goes at once.
        With one slot kept, a reply's second message (or the next person's reply) waited
        up to 1/30 s, often twice (bench.broadcast: 30-70 ms of a slow reply's time). The
        bucket (`BURST`) holds one slot more than the broadcast then needs, so a broadcast
        whose wake-up comes late loses no slot to the bucket's cap: its rate is the same."""
        return 1 + max(0, min(KEPT_FOR_REPLIES, int(self._burst) - 1))

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[Any] | None]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[Any] | None:
        options = rate_limit_args or {}
        background = options.get("background", False)
        tail = not background and options.get("after_replies", False)
        urgent = not background and not tail
        budget = PRESS_WAIT if endpoint == "answerCallbackQuery" else LONGEST_WAIT
        waited = 0.0
        for attempt in range(self._max_retries + 1):
            if endpoint in LIMITED and not (attempt == 0 and options.get("reserved")):
                await self._take(urgent, before_owed=tail)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = retry_after(error).total_seconds()
                waited += wait
                if attempt == self._max_retries or waited > budget or _HOLDING.get():
                    raise
                await asyncio.sleep(wait + 0.1)
            except NetworkError as error:
                if background or attempt == self._max_retries or not transient(error, endpoint):
                    raise
                log.warning("%s failed (%s); retrying", endpoint, error.message)
                await asyncio.sleep(BACKOFF * 2**attempt)
        raise AssertionError("unreachable")


def retry_after(error: RetryAfter) -> timedelta:
    """How long Telegram asks to wait (a timedelta: PTB_TIMEDELTA is set in bot/__init__.py)."""
    value = error.retry_after
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


def transient(error: NetworkError, endpoint: str) -> bool:
    """Worth repeating: a 5xx or a connection that failed (Telegram did nothing), or a timeout
    of a call that is harmless to repeat. A timed-out send may already have arrived, so it is
    not repeated: better one apology than a message twice. (Owed messages are not retried
    here: the outbox has its own bookkeeping of what may have been sent.)"""
    if isinstance(error, NotSent):
        return True
    if isinstance(error, TimedOut):
        return endpoint in IDEMPOTENT
    return type(error) is NetworkError  # not BadRequest, Forbidden, Conflict...
