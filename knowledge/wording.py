"""A question's words as the index reads them: folded, typos repaired, stopwords out but an
acronym that is also a common word kept where it is meant (DIA, PAMA), and the index term
(stem) of each word. Split out of `knowledge.search`, which ties the pieces together."""

from __future__ import annotations

from functools import lru_cache

from knowledge.asides import Asides, unordered
from knowledge.examples import KIND, NEGATED
from knowledge.frame import RECENT, asked
from knowledge.intent import intents
from knowledge.spelling import Speller
from knowledge.text import (
    ACRONYM_BEFORE,
    COMMON_WORD_BEFORE,
    MINING_CONTEXT,
    STOPWORDS,
    addressed,
    counted_days,
    in_capitals,
    misspelt_stopword,
    plural,
    shouted,
    stem,
    words,
)

NEGATIONS = frozenset({"no", "nunca", "tampoco", "ni"})  # folded: a question that negates


class Wording:
    """The words of `vocabulary` (the articles') and its `acronyms` (glossary terms that are
    also stopwords), and how a typed question maps onto them; `said`: the words of the
    glossary's and synonyms' phrases, which are not asides either (`knowledge.asides`)."""

    def __init__(
        self, vocabulary: set[str], acronyms: frozenset[str], said: set[str] = frozenset()
    ) -> None:
        self.vocabulary = vocabulary
        self.acronyms = acronyms
        self.term = lru_cache(maxsize=4096)(self._term)  # bounded: see knowledge.text
        self._typed = lru_cache(maxsize=RECENT)(self._typed_words)  # read 6-7 times a search
        # read 2-3 times a search and once more by `small_talk` (#17, session 31)
        self._query_words = lru_cache(maxsize=RECENT)(self._content_words)
        self._speller = Speller(vocabulary).correct
        self._said = said
        self._asides = Asides(vocabulary | said, self.correct)

    def correct(self, word: str) -> str | None:
        """The kit's word a typed word stands for (`knowledge.spelling`), or None; a word of
        a glossary or synonyms phrase is kept as typed: its phrase says which of the kit's
        words it means («permit» is «permiso», not «permite» repaired)."""
        return word if word in self._said else self._speller(word)

    def _term(self, word: str) -> str:
        """The index term of a word: its stem, or its plural's when the kit uses the plural
        (Snowball cuts «taller» to tall- but «talleres» to taller-, «comando» to com-)."""
        many = plural(word)
        if many in self.vocabulary and word not in self.acronyms:  # DIA is not «días»
            return stem(many)
        return stem(word)

    def asked_term(self, word: str) -> str:
        """The index term of a typed word, its typo repaired."""
        return self.term(self.correct(word) or word)

    def example_words(self, text: str) -> list[str]:
        """A question's words as compared with past questions: its index terms, typos
        repaired (not its expansions: a past question said them its own way)."""
        return self.polarity([self.asked_term(w) for w in self.query_words(text)], text)

    def polarity(self, terms: list[str], text: str) -> list[str]:
        """`terms`, with `NEGATED` for a question that negates and a mark for each kind of
        answer it asks for (see `knowledge.examples`)."""
        typed = self.typed(text)
        kinds = [KIND + kind for kind in sorted(intents(typed))]
        negates = NEGATIONS.intersection(typed) and NEGATIONS.intersection(unordered(text))
        return [*terms, *kinds, NEGATED] if negates else [*terms, *kinds]

    def query_words(self, text: str) -> list[str]:
        """The question's content words, with an acronym that is also a common word kept
        when it was typed in capitals, after a determiner of its gender («para qué sirve la
        dia») or in a question about mining («una dia minera»); not a greeting, in any
        language (`Asides.greeting`)."""
        return list(self._query_words(text))  # a list of its own: the kept one is shared

    def _content_words(self, text: str) -> tuple[str, ...]:
        typed = self.typed(text)
        capitals = set() if shouted(text) else in_capitals(text, self.acronyms)
        mining = bool(self.acronyms.intersection(typed) and MINING_CONTEXT.intersection(typed))
        return tuple(
            w
            for i, w in enumerate(typed)
            if (
                w not in STOPWORDS
                or w in capitals
                or counted_days(typed, i)
                or (w in self.acronyms and self._acronym_here(typed, i, mining))
            )
            and not addressed(typed, i)
            and not self._asides.greeting(w)
        )

    def asides(self, text: str) -> set[str]:
        """The question's words that say where it comes from or how it is said, not what it
        asks (a place, a name, English around Spanish, a greeting: `knowledge.asides`)."""
        return self._asides.of(text, self.typed(text))

    def _acronym_here(self, typed: list[str], i: int, mining: bool) -> bool:
        before = typed[i - 1] if i else ""
        return before in ACRONYM_BEFORE or (mining and before not in COMMON_WORD_BEFORE)

    def typed(self, text: str) -> list[str]:
        """The folded words, a misspelt question word or filler read as meant («ke es» →
        «que es»): left as typed it would count as an unknown word the kit lacks. Without the
        official's own situation around the question (`knowledge.frame`)."""
        return list(self._typed(text))  # a list of its own: the kept one is shared

    def _typed_words(self, text: str) -> tuple[str, ...]:
        found = words(asked(text))
        return tuple(w if w in self.vocabulary else (misspelt_stopword(w) or w) for w in found)
