"""An article's indexed fields (title, keywords, glossary terms, summary, body, its closing
tips) and their stretches of content words between punctuation marks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from knowledge.model import Article
from knowledge.text import content_words, segments

SEGMENT = "zq0"  # a token no question has: two-word phrases do not match across it
PRACTICE_MARK = "**En la práctica:**"  # opens the tips that close an article


class Fields:
    def __init__(self, glossary_text: Mapping[str, Sequence[str]], acronyms: frozenset[str]):
        self._glossary_text = glossary_text
        self._acronyms = acronyms

    def of(self, article: Article) -> dict[str, str]:
        """The article's fields as text."""
        main, _mark, practice = article.body.partition(PRACTICE_MARK)
        return {
            "title": article.title,
            "keywords": " . ".join(article.keywords),
            "glossary": " . ".join(self._glossary_text.get(article.id, [])),
            "summary": article.summary,
            "body": main,
            "practice": practice,
        }

    def segments(self, text: str) -> list[list[str]]:
        """The content words of each stretch of `text` between punctuation marks."""
        return [found for part in segments(text) if (found := content_words(part, self._acronyms))]

    def as_terms(self, article: Article, term: Callable[[str], str]) -> dict[str, str]:
        """The article's fields as index terms (`term`); `SEGMENT` stands between two
        stretches of text that punctuation separates."""
        return {
            name: f" {SEGMENT} ".join(" ".join(map(term, part)) for part in self.segments(text))
            for name, text in self.of(article).items()
        }
