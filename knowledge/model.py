"""The Tool Kit's content as plain frozen records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    topic: str
    summary: str
    keywords: tuple[str, ...]
    related: tuple[str, ...]
    sources: tuple[str, ...]
    reviewed: date
    valid_as_of: date | None
    body: str  # the restricted Markdown of the file
    path: Path
    body_line: int  # line of the file where the body starts (for error messages)
    order: int = 100  # position in its topic's list; ties sorted by title


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    term: str
    expansion: str | None
    definition: str
    aliases: tuple[str, ...]
    articles: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class ToolKit:
    topics: tuple[Topic, ...]
    articles: dict[str, Article]
    glossary: tuple[GlossaryEntry, ...]

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def in_topic(self, topic_id: str) -> list[Article]:
        chosen = [a for a in self.articles.values() if a.topic == topic_id]
        return sorted(chosen, key=lambda a: (a.order, a.title.casefold()))
