"""The glossary as the index reads it: which terms are acronyms that are also common words
(DIA, PAMA), each entry's phrases (a concept with its ways of being said, like a synonym
group), the entry a question that is just a term names, and each article's glossary text."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from knowledge.model import GlossaryEntry
from knowledge.text import MINING_WORDS, STOPWORDS, content_words, words

ASKS_WHEN = frozenset({"cuando"})  # folded: «cuándo», «hasta cuándo», «desde cuándo»


class GlossaryTerms:
    def __init__(
        self, glossary: Iterable[GlossaryEntry], synonyms: Iterable[Iterable[str]] = ()
    ) -> None:
        glossary = list(glossary)
        self.acronyms = frozenset(
            word
            for entry in glossary
            for name in (entry.term, *entry.aliases)
            if len(found := words(name)) == 1 and (word := found[0]) in STOPWORDS
        )
        self._by_phrase: dict[tuple[str, ...], GlossaryEntry] = {}
        self.concepts: list[list[tuple[str, ...]]] = []
        self.text: dict[str, list[str]] = defaultdict(list)  # by article id
        for entry in glossary:
            variants = [entry.term, *entry.aliases] + ([entry.expansion] if entry.expansion else [])
            phrases = [tuple(w) for v in variants if (w := content_words(v, self.acronyms))]
            for phrase in phrases:
                self._by_phrase.setdefault(phrase, entry)
            self.concepts.append(phrases)
            for article_id in entry.articles:
                self.text[article_id] += variants
        for group in synonyms:
            self.concepts.append([tuple(content_words(p)) for p in group if content_words(p)])

    def entry(self, asked: list[str], typed: list[str]) -> GlossaryEntry | None:
        """The entry when the question (its words `asked`, typos repaired; `typed`, all its
        words) is just a term ("que es OEFA"); not when it asks when («hasta cuándo es la
        formalización»: its date, not what it is)."""
        if not asked or ASKS_WHEN.intersection(typed):
            return None
        found = self._by_phrase.get(tuple(asked))
        if found is None:  # «que es una DIA en minería»: the term, said in context
            term = tuple(w for w in asked if w not in MINING_WORDS)
            found = self._by_phrase.get(term) if term and term != tuple(asked) else None
        return found
