"""What the bot did, recorded for tests: bot actions per chat and every API call.

Tests wait on these logs instead of sleeping: :class:`Signal` wakes waiters whenever something is
recorded and each waiter re-checks its own condition.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


class Signal:
    """Broadcast "something changed" to coroutines waiting for a condition."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait_for(self, check: Callable[[], T | None], timeout: float) -> T:
        """Return the first non-None ``check()``; raises TimeoutError after ``timeout`` seconds."""
        async with asyncio.timeout(timeout):
            while (result := check()) is None:
                if self._event is None:
                    self._event = asyncio.Event()
                await self._event.wait()
            return result


@dataclass
class BotEvent:
    """One successful bot action in a chat (send, edit, delete, chat action).

    ``params`` are the call's coerced parameters; for sendDocument/sendPhoto they also carry the
    ``file_id`` of the stored file (the largest size for photos).
    """

    method: str
    chat_id: int
    message_id: int | None
    text: str | None
    html: str | None
    reply_markup: dict[str, Any] | None
    params: dict[str, Any] = field(repr=False)

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        """Inline keyboard rows ([] when the action left no inline keyboard)."""
        return list((self.reply_markup or {}).get("inline_keyboard", []))

    def button_texts(self) -> list[str]:
        return [button["text"] for row in self.buttons for button in row]

    def find_button(self, text_fragment: str) -> dict[str, Any]:
        """First inline button whose label contains ``text_fragment`` (case-insensitive)."""
        wanted = text_fragment.casefold()
        for row in self.buttons:
            for button in row:
                if wanted in button["text"].casefold():
                    return button
        raise AssertionError(
            f"no button containing {text_fragment!r} in {self.method} to chat {self.chat_id}; "
            f"buttons: {self.button_texts()}"
        )


class EventLog:
    """All bot actions in order, plus a consumable FIFO per chat."""

    def __init__(self) -> None:
        self.all: list[BotEvent] = []
        self._pending: defaultdict[int, deque[BotEvent]] = defaultdict(deque)
        self._signal = Signal()

    def record(self, event: BotEvent) -> None:
        self.all.append(event)
        self._pending[event.chat_id].append(event)
        self._signal.notify()

    async def next(self, chat_id: int, timeout: float) -> BotEvent:
        queue = self._pending[chat_id]
        try:
            return await self._signal.wait_for(lambda: queue.popleft() if queue else None, timeout)
        except TimeoutError:
            recent = [f"{e.method}→{e.chat_id}: {e.text!r}" for e in self.all[-5:]]
            raise TimeoutError(
                f"no bot action in chat {chat_id} within {timeout}s; recent events: "
                f"{recent or 'none'}"
            ) from None

    def drain(self, chat_id: int) -> list[BotEvent]:
        queue = self._pending[chat_id]
        drained = list(queue)
        queue.clear()
        return drained


@dataclass(frozen=True)
class Refusal:
    """A call the server refused for what it asked (not an injected fault or flood control).

    ``malformed`` marks a request that broke a Bot API rule (a limit, a type, the HTML) rather
    than meeting the state of the world (a deleted message, a late answer, an unknown chat).
    """

    method: str
    status: int
    description: str
    malformed: bool
    params: dict[str, Any] = field(repr=False)


@dataclass
class _Call:
    method: str
    params: dict[str, Any]
    consumed: bool = False


class CallLog:
    """Every request in order; :meth:`wait` hands out each matching call once."""

    def __init__(self) -> None:
        self._calls: list[_Call] = []
        self._signal = Signal()

    @property
    def entries(self) -> list[tuple[str, dict[str, Any]]]:
        return [(call.method, call.params) for call in self._calls]

    def record(self, method: str, params: dict[str, Any]) -> None:
        self._calls.append(_Call(method, params))
        self._signal.notify()

    async def wait(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] | None,
        timeout: float,
    ) -> dict[str, Any]:
        wanted = method.lower()

        def take() -> dict[str, Any] | None:
            for call in self._calls:
                matches = call.method.lower() == wanted and (
                    predicate is None or predicate(call.params)
                )
                if not call.consumed and matches:
                    call.consumed = True
                    return call.params
            return None

        try:
            return await self._signal.wait_for(take, timeout)
        except TimeoutError:
            seen = [call.method for call in self._calls[-10:]]
            raise TimeoutError(
                f"no matching {method} call within {timeout}s; recent calls: {seen or 'none'}"
            ) from None
