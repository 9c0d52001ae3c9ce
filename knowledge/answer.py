"""What a search found: the answer an official reads (`Answer`) and what the search measured
on the way (`Judged`), kept apart from the index that computes them."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.calibration import Evidence
from knowledge.model import Article, GlossaryEntry, Topic


@dataclass(frozen=True, slots=True)
class Judged:
    """What `SearchIndex.judged` measured of one question."""

    ranked: list[tuple[int, float]]  # (article number, score), best first
    glossary: GlossaryEntry | None
    topics: tuple[Topic, ...]
    confident: bool  # the confidence rule, the examples and the stretch that asks
    coverage: float
    kinds: list[str | None]  # per closest article, the kind of fact asked it lacks
    evidence: Evidence | None


@dataclass(frozen=True, slots=True)
class Answer:
    best: Article | None  # set only when confident
    others: tuple[Article, ...]  # further good matches, or the closest ones when not confident
    glossary: GlossaryEntry | None
    topics: tuple[Topic, ...]  # closest topics, for an honest "I am not sure"
    score: float = 0.0
    coverage: float = 0.0
    # When not confident: the kind of fact asked that the closest article does not hold
    # (`knowledge.unheld`: «practical», «now», «status», «count», «errand»; «fact», a date
    # or a list of regions `knowledge.facts` finds in no sentence: no line of its own).
    unheld: str | None = None

    @property
    def confident(self) -> bool:
        return self.best is not None
