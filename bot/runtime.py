"""Process-wide objects shared by handlers, the scheduler and the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Clock
from bot.config import Settings
from knowledge.base import KnowledgeBase
from storage.db import Database


@dataclass(slots=True)
class Held:
    """Replies held back by flood control (bot/held.py): the chats that have some waiting in
    the outbox (their new replies queue behind them) and when the outbox is next woken."""

    chats: set[int] = field(default_factory=set)
    wake_at: datetime | None = None


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
