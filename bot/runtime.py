"""Process-wide objects shared by handlers, the scheduler and the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.config import Settings
from knowledge.base import KnowledgeBase
from storage.db import Database


@dataclass(frozen=True, slots=True)
class Runtime:
    """Stored in `application.bot_data["runtime"]`."""

    settings: Settings
    db: Database
    knowledge: KnowledgeBase
    clock: Clock = field(default_factory=Clock)
