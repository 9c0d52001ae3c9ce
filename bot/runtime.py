"""Process-wide objects shared by handlers, the scheduler and the outbox."""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from knowledge.base import KnowledgeBase
from storage.db import Database


@dataclass(slots=True)
class Held:
    """Replies held back by flood control (bot/held.py): the chats that may have some waiting
    in the outbox (their new replies queue behind them while they do), each chat's turn to
    send or hold its replies, and when the outbox is next woken."""

    chats: set[int] = field(default_factory=set)
    holds: int = 0  # replies held so far: a chat leaves `chats` only if none came meanwhile
    wake_at: datetime | None = None
    # Another replica is alive (bot/replicas.py's heartbeats): it may hold a chat's replies
    # without this process knowing, so every chat is looked up in the outbox (`held.waiting`).
    others: bool = False
    # Per chat, the later calls waiting in memory, in order (bot/chat_order.py `Later`).
    later: dict[int, list[Any]] = field(default_factory=dict)
    _turns: weakref.WeakValueDictionary[int, asyncio.Lock] = field(
        default_factory=weakref.WeakValueDictionary
    )

    def turn(self, chat_id: int) -> asyncio.Lock:
        """The chat's turn: one update's replies to a chat are sent (or held) before the next
        update's, whoever sent them (in a group, several people)."""
        lock = self._turns.get(chat_id)
        if lock is None:
            lock = self._turns[chat_id] = asyncio.Lock()
        return lock


@dataclass(slots=True)
class Runtime:
    """Stored in `application.bot_data["runtime"]`. Only `knowledge` (and `held`'s contents)
    ever change: a reload (`bot/kb_reload.py`) replaces the Tool Kit whole, so each read sees
    one consistent Tool Kit."""

    settings: Settings
    db: Database
    knowledge: KnowledgeBase
    clock: Clock = field(default_factory=Clock)
    held: Held = field(default_factory=Held)
    # Set when the process begins to stop (SIGTERM): background work (the outbox's rounds, a
    # broadcast's copies being written) ends at its next step instead of running to the end,
    # and what it leaves is owed to the next start.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
