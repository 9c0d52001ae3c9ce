"""Finding the article an official means: stems, typo repair, acronyms and synonyms both ways,
and BM25F ranking over title, keywords, summary, glossary terms and text.

Scores are kept honest: an answer is only "confident" when the best article is both a strong
match and covers most of what the question asked; otherwise Minka says it is not sure.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import OSA

from knowledge.intent import answered, intents
from knowledge.model import Article, GlossaryEntry, ToolKit, Topic
from knowledge.text import (
    COMMON_WORD_BEFORE,
    MINING_CONTEXT,
    MINING_WORDS,
    STOPWORDS,
    content_words,
    in_capitals,
    is_small_talk,
    misspelt_stopword,
    plural,
    singulars,
    small_talk,
    sound_key,
    spanish_words,
    stem,
    undiphthonged,
    words,
)

FIELD_WEIGHTS = {"title": 3.0, "keywords": 3.0, "glossary": 1.5, "summary": 1.5, "body": 1.0}
K1, B = 1.2, 0.5
BIGRAM_WEIGHT = 0.8
EXPANSION_WEIGHT = 0.3  # words of an acronym's expansion, or of a synonym
FAMILY_WEIGHT = 0.5  # stems of the same word family: produc → produccion, productor
CLEAR_LEAD = 1.6  # a best match this far ahead of the next one needs less coverage
LEAD_COVERAGE = 0.55  # more than half of what was asked (at 0.5 «vacunas… Madre de Dios» passed)
LONG_QUESTION = 5  # asked words
LONG_COVERAGE = 0.4
UNKNOWN_WEIGHT = 1.0  # a word Minka never saw, as a share of the rarest word's weight
MIN_SCORE = 2.5  # one-word synonyms count once (the best), not once each: scores are lower
MIN_COVERAGE = 0.6
INTENT_BONUS = 0.15  # an article that answers the kind of question asked («¿cuántos…?»)
RELATED_SHARE = 0.35  # "También puede interesarte": at least this share of the best score


@dataclass(frozen=True, slots=True)
class Answer:
    best: Article | None  # set only when confident
    others: tuple[Article, ...]  # further good matches, or the closest ones when not confident
    glossary: GlossaryEntry | None
    topics: tuple[Topic, ...]  # closest topics, for an honest "I am not sure"
    score: float = 0.0
    coverage: float = 0.0

    @property
    def confident(self) -> bool:
        return self.best is not None


@dataclass
class _Query:
    terms: dict[str, float] = field(default_factory=dict)
    slots: list[set[str]] = field(default_factory=list)  # per asked word: terms that satisfy it
    # per asked word: its stem, word family and one-word synonyms, counted once (the best),
    # not once each: «ministerio» found as MINEM and MEM too is still one word asked.
    alternatives: list[set[str]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # the corrected words
    intents: frozenset[str] = frozenset()  # the kinds of answer asked for


def _bigrams(stems: list[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in itertools.pairwise(stems)]


class SearchIndex:
    def __init__(self, kit: ToolKit, synonyms: Iterable[Iterable[str]] = ()) -> None:
        self.kit = kit
        self.articles: list[Article] = list(kit.articles.values())
        self._glossary_by_phrase: dict[tuple[str, ...], GlossaryEntry] = {}
        self._concepts: list[list[tuple[str, ...]]] = []
        self.acronyms = frozenset(
            word
            for entry in kit.glossary
            for name in (entry.term, *entry.aliases)
            if len(found := words(name)) == 1 and (word := found[0]) in STOPWORDS
        )
        glossary_text: dict[str, list[str]] = defaultdict(list)
        for entry in kit.glossary:
            variants = [entry.term, *entry.aliases] + ([entry.expansion] if entry.expansion else [])
            phrases = [tuple(w) for v in variants if (w := content_words(v, self.acronyms))]
            for phrase in phrases:
                self._glossary_by_phrase.setdefault(phrase, entry)
            self._concepts.append(phrases)
            for article_id in entry.articles:
                glossary_text[article_id] += variants
        for group in synonyms:
            phrases = [tuple(content_words(p)) for p in group if content_words(p)]
            self._concepts.append(phrases)
        # (concept, phrase) positions by the phrase's first word: a question is only checked
        # against the phrases that could start at one of its words.
        self._phrase_starts: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for concept, phrases in enumerate(self._concepts):
            for position, phrase in enumerate(phrases):
                self._phrase_starts[phrase[0]].append((concept, position))
        self._glossary_text = glossary_text
        self._build(glossary_text)

    def _fields(self, article: Article, glossary_text: dict[str, list[str]]) -> dict[str, str]:
        return {
            "title": article.title,
            "keywords": " . ".join(article.keywords),
            "glossary": " . ".join(glossary_text.get(article.id, [])),
            "summary": article.summary,
            "body": article.body,
        }

    def _build(self, glossary_text: dict[str, list[str]]) -> None:
        count = len(self.articles)
        found_words = [
            {
                name: content_words(text, self.acronyms)
                for name, text in self._fields(article, glossary_text).items()
            }
            for article in self.articles
        ]
        vocabulary = {w for fields in found_words for found in fields.values() for w in found}
        self._vocabulary = vocabulary
        self.term = lru_cache(maxsize=16384)(self._term)
        per_doc: list[dict[str, Counter[str]]] = []
        lengths: dict[str, list[int]] = {name: [] for name in FIELD_WEIGHTS}
        for fields_found in found_words:
            fields = {}
            for name, found in fields_found.items():
                stems = [self.term(w) for w in found]
                fields[name] = Counter(stems + _bigrams(stems))
                lengths[name].append(len(stems))
            per_doc.append(fields)
        averages = {name: (sum(v) / len(v) if v else 0) or 1.0 for name, v in lengths.items()}
        weighted: dict[str, dict[int, float]] = defaultdict(dict)
        for index, fields in enumerate(per_doc):
            for name, counter in fields.items():
                norm = 1 - B + B * lengths[name][index] / averages[name]
                for term, tf in counter.items():
                    value = FIELD_WEIGHTS[name] * tf / norm
                    weighted[term][index] = weighted[term].get(index, 0.0) + value
        self._answers: dict[str, np.ndarray] = defaultdict(
            lambda: np.zeros(count, dtype=np.float32)
        )
        for index, article in enumerate(self.articles):
            for kind in answered(article):
                self._answers[kind][index] = 1.0
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._idf: dict[str, float] = {}
        for term, docs in weighted.items():
            idf = math.log(1 + (count - len(docs) + 0.5) / (len(docs) + 0.5))
            indices = np.fromiter(docs.keys(), dtype=np.int32, count=len(docs))
            tfs = np.fromiter(docs.values(), dtype=np.float32, count=len(docs))
            self._postings[term] = (indices, (idf * tfs / (K1 + tfs)).astype(np.float32))
            self._idf[term] = idf
        # A word Minka has never seen weighs like a typical word, not like the rarest one:
        # "¿sigue vigente?" should not sink an otherwise clear match.
        self._unknown_idf = UNKNOWN_WEIGHT * max(self._idf.values(), default=1.0)
        self._spanish = spanish_words()  # checked after the vocabulary: no copy needed
        self._by_sound: dict[str, str] = {}
        self._by_shape: dict[tuple[str, int], list[str]] = defaultdict(list)
        self._by_stem_sound: dict[str, str] = {}
        for word in sorted(vocabulary):
            self._by_sound.setdefault(sound_key(word), word)
            self._by_stem_sound.setdefault(sound_key(stem(word)), word)
            self._by_shape[(word[0], len(word))].append(word)
        self._families: dict[str, list[str]] = defaultdict(list)
        for term in self._postings:
            if "_" not in term and len(term) >= 4:
                self._families[term[:4]].append(term)
        self.correct = lru_cache(maxsize=16384)(self._correct)
        self.family = lru_cache(maxsize=16384)(self._family)

    def _term(self, word: str) -> str:
        """The index term of a word: its stem, or its plural's when the kit uses the plural
        (Snowball cuts «taller» to tall- but «talleres» to taller-, «comando» to com-)."""
        many = plural(word)
        return stem(many) if many in self._vocabulary else stem(word)

    def _family(self, stemmed: str) -> tuple[str, ...]:
        """Indexed stems that extend this one (Spanish word families: produc → productor).
        Not the shorter ones: formaliz (the process) → formal (the status) changes the topic."""
        if len(stemmed) < 4:
            return ()
        return tuple(
            term
            for term in self._families.get(stemmed[:4], ())
            if term != stemmed
            and term.startswith(stemmed)
            and min(len(term), len(stemmed)) >= 5
            and abs(len(term) - len(stemmed)) <= 4
        )

    def _correct(self, word: str) -> str | None:
        """The vocabulary word meant by a typed word, or None when nothing is close.

        Same sound first (s/c/z, b/v, g/j, silent h...), also for another form of the same
        word (fiscalisando → fiscalizar), then up to one edit for short words
        and two for longer ones, a swap of neighbours counting as one (OSA distance)."""
        if word in self._vocabulary:
            return word
        if word in self._spanish:
            return None
        by_sound = self._by_sound.get(sound_key(word)) or self._by_stem_sound.get(
            sound_key(stem(word))
        )
        if by_sound is not None:
            return by_sound
        if len(word) < 4 or word.isdigit():
            return None
        allowed = 1 if len(word) <= 8 else 2
        best: tuple[int, str] | None = None
        for size in range(len(word) - allowed, len(word) + allowed + 1):
            for candidate in self._by_shape.get((word[0], size), ()):
                distance = OSA.distance(word, candidate, score_cutoff=allowed)
                if distance <= allowed and (best is None or distance < best[0]):
                    best = (distance, candidate)
        return best[1] if best else None

    def query_words(self, text: str) -> list[str]:
        """The question's content words, with an acronym that is also a common word kept
        when it was typed in capitals or the question is about mining («una dia minera»)."""
        typed = self.typed(text)
        capitals = in_capitals(text, self.acronyms)
        mining = bool(self.acronyms.intersection(typed) and MINING_CONTEXT.intersection(typed))
        return [
            w
            for i, w in enumerate(typed)
            if w not in STOPWORDS
            or w in capitals
            or (
                mining and w in self.acronyms and (i == 0 or typed[i - 1] not in COMMON_WORD_BEFORE)
            )
        ]

    def typed(self, text: str) -> list[str]:
        """The folded words, a misspelt question word or filler read as meant («ke es» →
        «que es»): left as typed it would count as an unknown word the kit lacks."""
        return [w if w in self._vocabulary else (misspelt_stopword(w) or w) for w in words(text)]

    def small_talk(self, text: str) -> str | None:
        """The kind of greeting, thanks or chat when the message asks nothing (see
        `knowledge.text.small_talk`); a kit acronym typed in it makes it a question."""
        kind = small_talk(text)
        if kind is None or not all(is_small_talk(w) for w in self.query_words(text)):
            return None
        return kind

    def _parse(self, text: str) -> _Query:
        query = _Query()
        corrected: list[str] = []
        for word in self.query_words(text):
            fixed = self.correct(word)
            corrected.append(fixed or word)
            asked = fixed or word
            stemmed = self.term(asked)
            query.slots.append({stemmed})
            query.alternatives.append({stemmed})
            # The singular the kit has («ríos» asked, «río» written), verb forms with a
            # diphthong, and a plural's stem for singulars the stemmer misreads.
            forms = [
                stemmed,
                *(self.term(one) for one in singulars(asked) if one in self._vocabulary),
                *undiphthonged(stemmed),
            ]
            if stemmed not in self._postings and (many := plural(asked)):
                forms.append(stem(many))
            for form in dict.fromkeys(forms):
                if form in self._postings:  # also a correct word the kit has another form of
                    query.terms[form] = max(query.terms.get(form, 0.0), 1.0)
                    query.slots[-1].add(form)
                    query.alternatives[-1].add(form)
                for relative in self.family(form):
                    query.terms[relative] = max(query.terms.get(relative, 0.0), FAMILY_WEIGHT)
                    query.alternatives[-1].add(relative)
        query.words = corrected
        query.intents = intents(self.typed(text))
        stems = [self.term(w) for w in corrected]
        for bigram in _bigrams(stems):
            if bigram in self._postings:
                query.terms[bigram] = max(query.terms.get(bigram, 0.0), BIGRAM_WEIGHT)
        self._expand(query, corrected)
        return query

    def _expand(self, query: _Query, words: list[str]) -> None:
        """Acronyms ↔ expansions and synonyms: a phrase found in the question brings in the
        other ways of saying it, and each asked word counts as satisfied by any of them."""
        found: dict[int, tuple[int, int]] = {}  # concept -> (first phrase found, its start)
        for candidates in {w: self._phrase_starts.get(w, []) for w in words}.values():
            for concept, position in candidates:
                if position < found.get(concept, (len(self._concepts[concept]), 0))[0]:
                    start = _find(words, self._concepts[concept][position])
                    if start >= 0:
                        found[concept] = (position, start)
        for concept in sorted(found):
            position, start = found[concept]
            phrases = self._concepts[concept]
            for other in phrases:
                if other == phrases[position]:
                    continue
                other_stems = [self.term(w) for w in other]
                weight = 1.0 if len(other) == 1 else EXPANSION_WEIGHT
                for term in [*other_stems, *_bigrams(other_stems)]:
                    if term in self._postings:
                        query.terms[term] = max(query.terms.get(term, 0.0), weight)
                        for slot in query.slots[start : start + len(phrases[position])]:
                            slot.add(term)
                        if len(other) == 1:
                            query.alternatives[start].add(term)

    def _scores(self, query: _Query) -> np.ndarray:
        scores = np.zeros(len(self.articles), dtype=np.float32)
        counted: set[str] = set()
        for group in query.alternatives:
            members = [t for t in group if t in query.terms and t not in counted]
            if len(members) < 2:
                continue
            best = np.zeros_like(scores)
            for term in members:
                indices, contributions = self._postings[term]
                best[indices] = np.maximum(best[indices], query.terms[term] * contributions)
            scores += best
            counted.update(members)
        for term, weight in query.terms.items():
            if term not in counted:
                indices, contributions = self._postings[term]
                scores[indices] += weight * contributions
        if query.intents:
            answers = [self._answers[k] for k in query.intents if k in self._answers]
            if answers:
                scores *= 1 + INTENT_BONUS * np.maximum.reduce(answers)
        return scores

    def _coverage(self, query: _Query, index: int) -> float:
        total = satisfied = 0.0
        for slot in query.slots:
            weight = max(self._idf.get(t, self._unknown_idf) for t in slot)
            total += weight
            if any(t in self._postings and _has(self._postings[t][0], index) for t in slot):
                satisfied += weight
        return satisfied / total if total else 0.0

    def glossary_entry(self, text: str) -> GlossaryEntry | None:
        """The glossary entry when the question is just a term ("que es OEFA")."""
        asked = [self.correct(w) or w for w in self.query_words(text)]
        if not asked:
            return None
        found = self._glossary_by_phrase.get(tuple(asked))
        if found is None:  # «que es una DIA en minería»: the term, said in context
            term = tuple(w for w in asked if w not in MINING_WORDS)
            found = self._glossary_by_phrase.get(term) if term and term != tuple(asked) else None
        return found

    def terms(self, text: str) -> dict[str, float]:
        """The question's weighted index terms after typo repair, families and expansions
        (stems; `a_b` is a bigram): what the ranking sees, for a baseline given the same."""
        return dict(self._parse(text).terms)

    def field_texts(self, article: Article) -> dict[str, str]:
        """The article's indexed fields as stems, in the index's own preprocessing."""
        return {
            name: " ".join(self.term(w) for w in content_words(text, self.acronyms))
            for name, text in self._fields(article, self._glossary_text).items()
        }

    def ranked(self, text: str, limit: int = 10) -> list[tuple[Article, float]]:
        """The best-scoring articles for `text`, best first (no confidence judgement)."""
        query = self._parse(text)
        return [(self.articles[i], s) for i, s in self._ranked(query, limit)]

    def _ranked(self, query: _Query, limit: int) -> list[tuple[int, float]]:
        if not query.terms:
            return []
        scores = self._scores(query)
        if limit < len(scores):
            top = np.argpartition(-scores, limit)[:limit]
            order = top[np.argsort(-scores[top], kind="stable")]
        else:
            order = np.argsort(-scores, kind="stable")
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]

    def search(self, text: str, limit: int = 4) -> Answer:
        query = self._parse(text)
        glossary = self.glossary_entry(text)
        ranked = self._ranked(query, limit)
        if not ranked:
            return Answer(None, (), glossary, ())
        top_index, top_score = ranked[0]
        coverage = self._coverage(query, top_index)
        topics = self._topics([self.articles[i] for i, _s in ranked])
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        clear_lead = top_score >= CLEAR_LEAD * runner_up and coverage >= LEAD_COVERAGE
        # Long questions carry context ("me llegó una denuncia...") that no article repeats.
        needed = MIN_COVERAGE if len(query.slots) <= LONG_QUESTION else LONG_COVERAGE
        confident = top_score >= MIN_SCORE and (coverage >= needed or clear_lead)
        if glossary is not None and glossary.articles:
            confident = True
        if not confident:
            closest = tuple(self.articles[i] for i, _s in ranked[:3])
            return Answer(None, closest, glossary, topics, top_score, coverage)
        others = tuple(self.articles[i] for i, s in ranked[1:] if s >= RELATED_SHARE * top_score)[
            : limit - 1
        ]
        return Answer(self.articles[top_index], others, glossary, topics, top_score, coverage)

    def _topics(self, articles: list[Article]) -> tuple[Topic, ...]:
        seen: list[Topic] = []
        for article in articles:
            topic = self.kit.topic(article.topic)
            if topic is not None and topic not in seen:
                seen.append(topic)
        return tuple(seen)


def _find(words: list[str], phrase: tuple[str, ...]) -> int:
    size = len(phrase)
    for start in range(len(words) - size + 1):
        if tuple(words[start : start + size]) == phrase:
            return start
    return -1


def _has(sorted_indices: np.ndarray, index: int) -> bool:
    position = int(np.searchsorted(sorted_indices, index))
    return position < len(sorted_indices) and int(sorted_indices[position]) == index
