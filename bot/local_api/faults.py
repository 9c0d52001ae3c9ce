"""Failure injection and flood control, so tests can exercise the bot's error handling."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from bot.local_api.errors import ApiError, forbidden, server_error, too_many_requests


@dataclass(frozen=True)
class Fault:
    """What to do instead of (or before) answering a call normally."""

    kind: Literal["error", "stall", "disconnect"]
    error: ApiError | None = None
    seconds: float = 0.0

    @staticmethod
    def too_many_requests(retry_after: int = 1) -> Fault:
        """429 with ``parameters.retry_after``."""
        return Fault("error", too_many_requests(retry_after))

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
    """Optional flood control like Telegram's: global and per-chat message rates."""

    def __init__(self) -> None:
        self.configure(None, None)

    def configure(self, per_second: float | None, per_chat_per_second: float | None) -> None:
        self.rejected = 0  # how many calls got 429, for benchmarks
        self._global = _Bucket(per_second) if per_second else None
        self._per_chat_rate = per_chat_per_second
        self._chats: dict[int | str, _Bucket] = {}

    def check(self, chat_id: int | str | None) -> None:
        """Consume one request or raise 429 with Telegram's whole-second ``retry_after``."""
        buckets = [self._global] if self._global else []
        if self._per_chat_rate and chat_id is not None:
            buckets.append(self._chats.setdefault(chat_id, _Bucket(self._per_chat_rate)))
        wait = max((bucket.wait_time() for bucket in buckets), default=0.0)
        if wait > 0:
            self.rejected += 1
            raise too_many_requests(max(1, math.ceil(wait)))
        for bucket in buckets:
            bucket.tokens -= 1
