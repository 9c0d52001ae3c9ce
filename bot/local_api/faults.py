"""Failure injection and flood control, so tests can exercise the bot's error handling; and
`FaultControls`, the test's handle on them (with blocking a user and moving time on)."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.local_api.errors import ApiError, forbidden, server_error, too_many_requests
from bot.local_api.schema import CANONICAL_NAMES

if TYPE_CHECKING:
    from bot.local_api.state import BotState


@dataclass(frozen=True)
class Fault:
    """What to do instead of (or before) answering a call normally."""

    kind: Literal["error", "stall", "disconnect"]
    error: ApiError | None = None
    seconds: float = 0.0

    @staticmethod
    def too_many_requests(retry_after: float = 1, *, after: float = 0.0) -> Fault:
        """429 with ``parameters.retry_after``, answered ``after`` seconds (a slow refusal:
        a test makes something else fail meanwhile, such as the database)."""
        return Fault("error", too_many_requests(retry_after), seconds=after)

    @staticmethod
    def server_error(status: int = 500) -> Fault:
        """5xx with a Telegram-like JSON body."""
        return Fault("error", server_error(status))

    @staticmethod
    def forbidden(description: str = "Forbidden: bot was blocked by the user") -> Fault:
        """403 with the given full description."""
        return Fault("error", forbidden(description.removeprefix("Forbidden: ")))

    @staticmethod
    def stall(seconds: float) -> Fault:
        """Wait, then answer normally: the call still takes effect, like a slow Telegram."""
        return Fault("stall", seconds=seconds)

    @staticmethod
    def disconnect() -> Fault:
        """Drop the connection without any response."""
        return Fault("disconnect")


class FaultInjector:
    """Queued faults per canonical method name, or ``"*"`` for any method; and outages: a
    fault for every call of a method (or ``"*"``) until a moment passes."""

    def __init__(self) -> None:
        self._queued: defaultdict[str, list[Fault]] = defaultdict(list)
        self._outages: list[tuple[str, Fault, float]] = []
        self._every: dict[str, tuple[Fault, int]] = {}
        self._counts: defaultdict[str, int] = defaultdict(int)

    def inject(self, method: str, fault: Fault, times: int) -> None:
        self._queued[method].extend([fault] * times)

    def inject_for(self, method: str, fault: Fault, seconds: float) -> None:
        self._outages.append((method, fault, time.monotonic() + seconds))

    def lift(self, method: str) -> None:
        """The outages of `method` (or "*") end now."""
        self._outages = [outage for outage in self._outages if outage[0] != method]

    def inject_every(self, method: str, fault: Fault | None, nth: int) -> None:
        """`fault` for every `nth` call of `method` from now on (None: no more)."""
        self._counts[method] = 0
        if fault is None:
            self._every.pop(method, None)
        else:
            self._every[method] = (fault, nth)

    def take(self, method: str) -> Fault | None:
        """The next fault for this call, consuming it; method-specific faults win over "*",
        queued ones over outages, outages over every-nth faults."""
        for key in (method, "*"):
            if self._queued[key]:
                return self._queued[key].pop(0)
        now = time.monotonic()
        self._outages = [outage for outage in self._outages if outage[2] > now]
        for key, fault, _until in self._outages:
            if key in (method, "*"):
                return fault
        if method in self._every:
            self._counts[method] += 1
            fault, nth = self._every[method]
            if self._counts[method] % nth == 0:
                return fault
        return None


class _Bucket:
    """Token bucket allowing short bursts of up to one second's worth of requests."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.updated = time.monotonic()

    def wait_time(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class RateLimiter:
    """Optional flood control like Telegram's: global and per-chat message rates; and one
    chat in flood control for a while (`flood_chat`), as Telegram keeps a busy group or a
    chat sent too much: every message to it refused, with the seconds left as retry_after,
    while other chats are served."""

    def __init__(self) -> None:
        self._flooded: dict[str, float] = {}  # chat → until (time.monotonic)
        self.configure(None, None)

    def flood_chat(self, chat_id: int | str, seconds: float) -> None:
        self._flooded[str(chat_id)] = time.monotonic() + seconds

    def chat_flooded(self, chat_id: int | str) -> bool:
        return self._flooded.get(str(chat_id), 0.0) > time.monotonic()

    def configure(self, per_second: float | None, per_chat_per_second: float | None) -> None:
        self.rejected = 0  # how many calls got 429, for benchmarks
        self._global = _Bucket(per_second) if per_second else None
        self._per_chat_rate = per_chat_per_second
        self._chats: dict[int | str, _Bucket] = {}

    def check(self, chat_id: int | str | None) -> None:
        """Consume one request or raise 429 with Telegram's whole-second ``retry_after``."""
        left = self._flooded.get(str(chat_id), 0.0) - time.monotonic()
        if chat_id is not None and left > 0:
            self.rejected += 1
            raise too_many_requests(max(1, math.ceil(left)))
        buckets = [self._global] if self._global else []
        if self._per_chat_rate and chat_id is not None:
            buckets.append(self._chats.setdefault(chat_id, _Bucket(self._per_chat_rate)))
        wait = max((bucket.wait_time() for bucket in buckets), default=0.0)
        if wait > 0:
            self.rejected += 1
            raise too_many_requests(max(1, math.ceil(wait)))
        for bucket in buckets:
            bucket.tokens -= 1


def _canonical(method: str) -> str:
    """The Bot API's spelling of a method name given in any case; ValueError if unknown."""
    if method.lower() not in CANONICAL_NAMES:
        raise ValueError(f"unsupported method {method!r}")
    return CANONICAL_NAMES[method.lower()]


class FaultControls:
    """A test's handle on faults, blocked users and flood control (a mixin of `LocalBotApi`)."""

    _state: BotState
    _faults: FaultInjector
    _limiter: RateLimiter

    def inject(self, method: str, fault: Fault, *, times: int = 1) -> None:
        """Apply ``fault`` to the next ``times`` calls of ``method`` ("*" for any method)."""
        self._faults.inject(method if method == "*" else _canonical(method), fault, times)

    def inject_for(self, method: str, fault: Fault, *, seconds: float) -> None:
        """Apply ``fault`` to every call of ``method`` ("*" for any method, getUpdates
        included) for the next ``seconds``: an outage such as a lasting flood control."""
        self._faults.inject_for(method if method == "*" else _canonical(method), fault, seconds)

    def lift(self, method: str) -> None:
        """Telegram allows ``method`` again: its outages (`inject_for`) end now, not when their
        seconds run out (a test whose Minka is stopped need not wait for the rest)."""
        self._faults.lift(method if method == "*" else _canonical(method))

    def inject_every(self, method: str, fault: Fault | None, nth: int = 3) -> None:
        """Apply ``fault`` to every ``nth`` call of ``method`` from now on (None stops it)."""
        self._faults.inject_every(_canonical(method), fault, nth)

    def advance_time(self, seconds: float) -> None:
        """Move the server's clock forward: messages grow old (deleteMessage refuses those
        sent 48 hours ago or more, as Telegram does)."""
        self._state.time_offset += seconds

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends and edits in their chat get 403."""
        self._state.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._state.blocked.discard(user_id)

    @property
    def throttled(self) -> int:
        """How many calls flood control answered with 429 since it was configured."""
        return self._limiter.rejected

    def flood_chat(self, chat_id: int | str, *, seconds: float) -> None:
        """Telegram keeps this chat in flood control for the next ``seconds``: every message
        to it (or edit in it) gets 429 with the seconds left; other chats are not limited."""
        self._limiter.flood_chat(chat_id, seconds)

    def chat_flooded(self, chat_id: int | str) -> bool:
        """Whether the chat is still in flood control (`flood_chat`)."""
        return self._limiter.chat_flooded(chat_id)

    def rate_limit(
        self, per_second: float | None, per_chat_per_second: float | None = None
    ) -> None:
        """Enable flood control (None disables a limit); excess calls get 429 + retry_after."""
        self._limiter.configure(per_second, per_chat_per_second)
