"""A question as the ranking reads it: each word or phrase asked is a part, with the ways
the kit may say it (the word itself and its other forms, its word family, a synonym, an
acronym or its expansion). An article scores each part by its best way, and only a small
share of the others: one that writes both «REINFO» and «Registro Integral de Formalización
Minera» has not answered two things, and «minero artesanal» found as PMA is one thing asked,
not one more.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from knowledge.text import plural, singulars, undiphthonged

BIGRAM_WEIGHT = 0.8  # two asked words found together
FAMILY_WEIGHT = 0.5  # stems of the same word family: produc → produccion, productor
# Another way of saying a phrase (a synonym, an acronym, an expansion), per asked word it
# stands for: «REINFO» written out as «registro integral de formalización minera» counts as
# one word asked, not as five (each of its terms weighs a fifth).
SYNONYM_WEIGHT = 1.0
# A phrase said in several ways in one article: its best way counts, and this share of the
# others (an article that is about the concept writes it out; one that only names it, less).
OTHER_WAYS = 0.15


@dataclass
class Option:
    """One way of saying a part: its terms and sub-parts, summed."""

    terms: dict[str, float] = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)


@dataclass
class Part:
    """A word or phrase asked: an article scores its best option."""

    options: list[Option] = field(default_factory=list)
    others: float = 0.0  # the share of its other options' scores added to the best one
    asked: int = 0  # how many of the first options say it as asked (the rest: synonyms...)


@dataclass
class Query:
    words: list[str]  # the asked words, corrected
    intents: frozenset[str]  # the kinds of answer asked for
    parts: list[Part] = field(default_factory=list)
    loose: dict[str, float] = field(default_factory=dict)  # bigrams across parts, summed
    terms: dict[str, float] = field(default_factory=dict)  # every term, its largest weight
    slots: list[set[str]] = field(default_factory=list)  # per asked word: terms that satisfy it
    # The asked words (their positions) that are asides: a place, a name, English around
    # Spanish, a greeting (`knowledge.asides`); they weigh less as evidence (`aside_weight`).
    asides: frozenset[int] = frozenset()

    def add(self, option: Option, term: str, weight: float) -> None:
        option.terms[term] = max(option.terms.get(term, 0.0), weight)
        self.terms[term] = max(self.terms.get(term, 0.0), weight)


# An aside the kit never writes weighs this share of what it would (as its rarest word: see
# `knowledge.confidence`): a place may still be what is asked («¿cuántos PAMA aprobó el GORE
# Tacna?», which the kit cannot answer), but mostly it tells where the asker is (#14).
ASIDE_WEIGHT = 0.25


def aside_weight(query: Query, position: int) -> float:
    """What the asked word at `position` weighs as evidence, as a share of its rarity."""
    return ASIDE_WEIGHT if position in query.asides else 1.0


def bigrams(stems: list[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in itertools.pairwise(stems)]


class Concepts:
    """Phrases that mean the same: a glossary term, its aliases and its expansion; a line of
    synonyms.yaml. Phrases are tuples of folded content words."""

    def __init__(self, groups: Iterable[list[tuple[str, ...]]]) -> None:
        self.groups = [group for group in groups if group]
        # (concept, phrase) positions by the phrase's first word: a question is only checked
        # against the phrases that could start at one of its words.
        self._starts: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for concept, phrases in enumerate(self.groups):
            for position, phrase in enumerate(phrases):
                self._starts[phrase[0]].append((concept, position))

    def found(self, words: list[str]) -> list[tuple[int, int, int]]:
        """(concept, phrase, start) for each concept said in `words`: the first of its
        phrases (in the group's order) found, and where."""
        found: dict[int, tuple[int, int]] = {}
        for candidates in {w: self._starts.get(w, []) for w in words}.values():
            for concept, position in candidates:
                if position < found.get(concept, (len(self.groups[concept]), 0))[0]:
                    start = _find(words, self.groups[concept][position])
                    if start >= 0:
                        found[concept] = (position, start)
        return [(concept, *found[concept]) for concept in sorted(found)]


class Reader:
    """Builds a `Query` from corrected words, with the index's terms and concepts."""

    def __init__(
        self,
        term: Callable[[str], str],
        indexed: Callable[[str], bool],
        family: Callable[[str], tuple[str, ...]],
        vocabulary: set[str],
        concepts: Concepts,
    ) -> None:
        self.term, self.indexed, self.family = term, indexed, family
        self.vocabulary, self.concepts = vocabulary, concepts

    def read(self, words: list[str], intents: frozenset[str]) -> Query:
        query = Query(words, intents)
        stems = [self.term(w) for w in words]
        word_parts = [self._word(query, w, s) for w, s in zip(words, stems, strict=True)]
        seen: set[str] = set()
        for i, stemmed in enumerate(stems):  # a word asked twice is one thing asked
            if stemmed in seen:
                word_parts[i] = Part()
            seen.add(stemmed)
        spans = self._spans(query, words, set(query.terms) | set(bigrams(stems)))
        paired: set[int] = set()  # first words of the bigrams inside a phrase
        starts: dict[int, Part] = {}
        for start, end, alternatives in spans:
            own = Option(parts=word_parts[start:end])
            for i in range(start, end - 1):
                paired.add(i)
                self._bigram(query, own, stems[i], stems[i + 1])
            options = word_parts[start].options if end - start == 1 else [own]
            said = [set(option.terms) for option in options if not option.parts]
            others = []
            for option in alternatives:  # «mujeres» asked, «mujer» its synonym: one way
                if set(option.terms) not in said:
                    others.append(option)
                    said.append(set(option.terms))
            starts[start] = Part([*options, *others], OTHER_WAYS, len(options))
        loose = Option()
        for i, part in enumerate(word_parts):
            if i in starts:
                query.parts.append(starts[i])
            elif not any(start < i < end for start, end, _ in spans):
                query.parts.append(part)
            if i + 1 < len(stems) and i not in paired:
                self._bigram(query, loose, stems[i], stems[i + 1])
        query.loose = loose.terms
        return query

    def _word(self, query: Query, word: str, stemmed: str) -> Part:
        """A word asked: its term, the singular the kit writes («ríos» asked, «río» written),
        verb forms with a stressed diphthong, a plural's stem for singulars the stemmer
        misreads, and the word family (weaker)."""
        query.slots.append({stemmed})
        forms = [
            stemmed,
            *(self.term(one) for one in singulars(word) if one in self.vocabulary),
            *undiphthonged(stemmed),
        ]
        if not self.indexed(stemmed) and (many := plural(word)):
            forms.append(self.term(many))
        part = Part()
        for form in dict.fromkeys(forms):
            if self.indexed(form):
                part.options.append(option := Option())
                query.add(option, form, 1.0)
                query.slots[-1].add(form)
            for relative in self.family(form):
                part.options.append(option := Option())
                query.add(option, relative, FAMILY_WEIGHT)
        return part

    def _bigram(self, query: Query, option: Option, first: str, second: str) -> None:
        if self.indexed(bigram := f"{first}_{second}"):
            query.add(option, bigram, BIGRAM_WEIGHT)

    def _spans(
        self, query: Query, words: list[str], taken: set[str]
    ) -> list[tuple[int, int, list[Option]]]:
        """The phrases of `words` that a concept says otherwise, overlapping ones merged:
        (start, end, the other ways of saying them). Each asked word of a phrase counts as
        satisfied by any of them (coverage). A word of a longer phrase already asked or
        already brought in (`taken`) is not counted again: «concesión minera» for
        «concesión» adds minera, not concesión twice."""
        spans: list[tuple[int, int, list[Option]]] = []
        for concept, position, start in self.concepts.found(words):
            phrases = self.concepts.groups[concept]
            size = len(phrases[position])
            options = []
            for other in phrases:
                if other == phrases[position]:
                    continue
                other_stems = [self.term(w) for w in other]
                # a short one for a long phrase is not raised: PMA is one word, wherever
                weight = SYNONYM_WEIGHT * min(1.0, size / len(other))
                option = Option()
                for term in [*other_stems, *bigrams(other_stems)]:
                    if not self.indexed(term):
                        continue
                    for slot in query.slots[start : start + size]:
                        slot.add(term)
                    if len(other) == 1:
                        query.add(option, term, weight)
                    elif term not in taken:
                        query.add(option, term, weight)
                        taken.add(term)
                if option.terms:
                    options.append(option)
            spans.append((start, start + size, options))
        merged: list[tuple[int, int, list[Option]]] = []
        for start, end, options in sorted(spans, key=lambda span: span[:2]):
            if merged and start < merged[-1][1]:
                first, last, before = merged[-1]
                merged[-1] = (first, max(last, end), before + options)
            else:
                merged.append((start, end, options))
        return merged


def _find(words: list[str], phrase: tuple[str, ...]) -> int:
    size = len(phrase)
    for start in range(len(words) - size + 1):
        if tuple(words[start : start + size]) == phrase:
            return start
    return -1
