"""The Tool Kit's content as plain frozen records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Deadline:
    """A plazo the article describes as still open: `kb revisar` fails once its date has passed."""

    date: date
    what: str
    line: int  # line of the header where it is declared (for error messages)


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
    review_by: date | None = None  # a person must check it again before this day
    deadlines: tuple[Deadline, ...] = ()
    # The file name of a programme publication (`publicaciones agregar`) the answer offers with
    # a button, e.g. regionalizacion.pdf; no button while none by that name is available.
    publication: str | None = None

    @property
    def norm(self) -> str:
        """The norm the article rests on: its first source, without the date or the address."""
        if not self.sources:
            return ""
        return re.split(r" \(|, | — ", self.sources[0], maxsplit=1)[0].strip()


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    term: str
    expansion: str | None
    definition: str
    aliases: tuple[str, ...]
    articles: tuple[str, ...]
    line: int
    source: str | None = None  # entries that state a fact that changes name their norm…
    reviewed: date | None = None  # …and the day a person checked it
    review_by: date | None = None


NO_ANSWER = "sin-respuesta"  # examples.yaml's list of questions the kit cannot answer


@dataclass(frozen=True, slots=True)
class Example:
    """A question an official asked and the article that answers it (or `NO_ANSWER`)."""

    question: str
    article: str
    line: int  # in examples.yaml (for error messages)

    def __reduce__(self) -> tuple[type[Example], tuple[str, str, int]]:
        """Unpickled by its constructor: dataclasses' own `__setstate__` for slots looks up the
        fields for each of the 6,600 (half the Tool Kit cache's read, `knowledge.cache`)."""
        return Example, (self.question, self.article, self.line)


@dataclass(frozen=True, slots=True)
class ToolKit:
    topics: tuple[Topic, ...]
    articles: dict[str, Article]
    glossary: tuple[GlossaryEntry, ...]
    examples: tuple[Example, ...] = ()  # examples.yaml

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def in_topic(self, topic_id: str) -> list[Article]:
        chosen = [a for a in self.articles.values() if a.topic == topic_id]
        return sorted(chosen, key=lambda a: (a.order, a.title.casefold()))
