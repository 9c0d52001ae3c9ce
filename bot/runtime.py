"""Process-wide objects shared by handlers, the scheduler and the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.config import Settings
from knowledge.base import KnowledgeBase
from storage.db import Database


@dataclass(slots=True)
class Runtime:
    """Stored in `application.bot_data["runtime"]`. Only `knowledge` ever changes: a reload
    (`bot/kb_reload.py`) replaces it whole, so each read sees one consistent Tool Kit."""

    settings: Settings
    db: Database
    knowledge: KnowledgeBase
    clock: Clock = field(default_factory=Clock)
