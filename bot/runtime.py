"""Process-wide objects shared by handlers, the scheduler and the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiolimiter import AsyncLimiter

from bot.clock import Clock
from bot.config import Settings
from knowledge.base import KnowledgeBase
from storage.db import Database

OUTBOX_RATE = 28


@dataclass(frozen=True, slots=True)
class Runtime:
    """Stored in `application.bot_data["runtime"]`."""

    settings: Settings
    db: Database
    knowledge: KnowledgeBase
    clock: Clock = field(default_factory=Clock)
    # Owed messages (reminders, broadcasts) leave at most this many per second, under
    # Telegram's ~30/s for the whole bot, so interactive replies always find room.
    pace: AsyncLimiter = field(default_factory=lambda: AsyncLimiter(OUTBOX_RATE, 1))
