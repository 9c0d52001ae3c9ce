"""Finding the article an official means: stems, typo repair, acronyms and synonyms both ways,
and BM25F ranking over title, keywords, summary, glossary terms and text.

The pieces: `knowledge.text` (Spanish words), `knowledge.spelling` (typo repair),
`knowledge.query` (the question's parts and their ways of being said), `knowledge.scoring`
(BM25F), `knowledge.confidence` (when Minka may answer). Scores are kept honest: an answer is
only "confident" when the best article is both a strong match and covers most of what the
question asked; otherwise Minka says it is not sure.
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache

import numpy as np

from knowledge.answer import Answer, Judged
from knowledge.calibration import Model, evidence, load_model, reading, refuted
from knowledge.confidence import RULE, Judge, Rule
from knowledge.examples import NEGATED, ExampleMemory
from knowledge.form import question_form
from knowledge.frame import asked, asking_stretch, last_stretch
from knowledge.intent import DEFINITION, answered, intents
from knowledge.introduction import introduces
from knowledge.model import Article, Example, GlossaryEntry, ToolKit, Topic
from knowledge.query import Concepts, Query, Reader
from knowledge.scoring import FIELD_WEIGHTS, Postings
from knowledge.spelling import Speller
from knowledge.text import (
    ACRONYM_BEFORE,
    COMMON_WORD_BEFORE,
    MINING_CONTEXT,
    MINING_WORDS,
    STOPWORDS,
    addressed,
    content_words,
    counted_days,
    in_capitals,
    is_small_talk,
    misspelt_stopword,
    plural,
    segments,
    shouted,
    small_talk,
    stem,
    words,
)
from knowledge.unheld import holdings, unheld

__all__ = ["FIELD_WEIGHTS", "SEGMENT", "Answer", "Judged", "SearchIndex"]

SEGMENT = "zq0"  # a token no question has: two-word phrases do not match across it
RELATED_SHARE = 0.35  # "También puede interesarte": at least this share of the best score
# A question that is a glossary term («¿qué es un PPM?») goes to the article the glossary names
# first for it (where the term is explained) when that one scores at least this share of the
# best: the term's other articles only use it («¿Qué pagan los PPM?»).
DEFINED_SHARE = 0.8
ASKS_WHEN = frozenset({"cuando"})  # folded: «cuándo», «hasta cuándo», «desde cuándo»
# The stretch that asks (`knowledge.frame.asking_stretch`) weighs this many times the whole
# message in the ranking: a situation told in the kit's own words («tenemos un caso de un PMA
# que trabaja en una concesión ajena, ¿…?») drew the answer to its own article. Not alone:
# «el titular no pagó la vigencia, ¿se le cae la concesión?» asks about what it tells.
STRETCH_WEIGHT = 1.0
NEGATIONS = frozenset({"no", "nunca", "tampoco", "ni"})  # folded: a question that negates
PRACTICE_MARK = "**En la práctica:**"  # opens the tips that close an article


class SearchIndex:
    def __init__(self, kit: ToolKit, synonyms: Iterable[Iterable[str]] = ()) -> None:
        self.kit = kit
        self.articles: list[Article] = list(kit.articles.values())
        self._number = {article.id: i for i, article in enumerate(self.articles)}
        self._glossary_by_phrase: dict[tuple[str, ...], GlossaryEntry] = {}
        concepts: list[list[tuple[str, ...]]] = []
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
            concepts.append(phrases)
            for article_id in entry.articles:
                glossary_text[article_id] += variants
        for group in synonyms:
            concepts.append([tuple(content_words(p)) for p in group if content_words(p)])
        self._glossary_text = glossary_text
        found = [
            {name: self._segments(text) for name, text in fields.items()}
            for fields in map(self._fields, self.articles)
        ]
        self._vocabulary = {w for f in found for parts in f.values() for p in parts for w in p}
        self.term = lru_cache(maxsize=4096)(self._term)  # bounded: see knowledge.text
        self.postings = Postings(
            [
                {name: [[self.term(w) for w in p] for p in parts] for name, parts in f.items()}
                for f in found
            ],
            [answered(article) for article in self.articles],
        )
        self.correct = Speller(self._vocabulary).correct
        self._reader = Reader(
            self.term,
            self.postings.__contains__,
            self.postings.family,
            self._vocabulary - self.acronyms,  # «días» asked is not DIA
            Concepts(concepts),
        )
        self._judge = Judge(self.postings)
        self._holdings = [holdings(article, self.term) for article in self.articles]
        self._read, self._kit_surface = reading(
            [self._fields(article) for article in self.articles], self._holdings
        )
        self._rarest = max(self.postings.idf.values(), default=1.0)
        self.model: Model | None = load_model()  # the calibration (`knowledge.calibration`)
        self.examples = self._memory(kit.examples)

    def number(self, article_id: str) -> int:
        """The article's position in the index's arrays."""
        return self._number[article_id]

    def _memory(self, examples: Iterable[Example]) -> ExampleMemory:
        return ExampleMemory(list(examples), [a.id for a in self.articles], self.example_words)

    def remember(self, examples: Iterable[Example]) -> SearchIndex:
        """This index with `examples` as its past questions (a benchmark leaves some out)."""
        other = copy.copy(self)
        other.examples = self._memory(examples)
        return other

    def example_words(self, text: str) -> list[str]:
        """A question's words as compared with past questions: its index terms, typos
        repaired (not its expansions: a past question said them its own way)."""
        return self._polarity([self._asked_term(w) for w in self.query_words(text)], text)

    def _polarity(self, terms: list[str], text: str) -> list[str]:
        """`terms`, with `NEGATED` for a question that negates (see `knowledge.examples`)."""
        return [*terms, NEGATED] if NEGATIONS.intersection(self.typed(text)) else terms

    def _near(self, query: Query, text: str) -> tuple[np.ndarray, float, np.ndarray]:
        """`ExampleMemory.closeness` of a parsed question, and its similarity to each past one."""
        asked = self._polarity([self.term(w) for w in query.words], text)  # already repaired
        similar = self.examples.similarities(asked)
        return *self.examples.closeness_of(similar), similar

    def _fields(self, article: Article) -> dict[str, str]:
        main, _mark, practice = article.body.partition(PRACTICE_MARK)
        return {
            "title": article.title,
            "keywords": " . ".join(article.keywords),
            "glossary": " . ".join(self._glossary_text.get(article.id, [])),
            "summary": article.summary,
            "body": main,
            "practice": practice,
        }

    def _segments(self, text: str) -> list[list[str]]:
        """The content words of each stretch of `text` between punctuation marks."""
        return [found for part in segments(text) if (found := content_words(part, self.acronyms))]

    def _term(self, word: str) -> str:
        """The index term of a word: its stem, or its plural's when the kit uses the plural
        (Snowball cuts «taller» to tall- but «talleres» to taller-, «comando» to com-)."""
        many = plural(word)
        if many in self._vocabulary and word not in self.acronyms:  # DIA is not «días»
            return stem(many)
        return stem(word)

    def _asked_term(self, word: str) -> str:
        """The index term of a typed word, its typo repaired."""
        return self.term(self.correct(word) or word)

    def query_words(self, text: str) -> list[str]:
        """The question's content words, with an acronym that is also a common word kept
        when it was typed in capitals, after a determiner of its gender («para qué sirve la
        dia») or in a question about mining («una dia minera»)."""
        typed = self.typed(text)
        capitals = set() if shouted(text) else in_capitals(text, self.acronyms)
        mining = bool(self.acronyms.intersection(typed) and MINING_CONTEXT.intersection(typed))
        return [
            w
            for i, w in enumerate(typed)
            if (
                w not in STOPWORDS
                or w in capitals
                or counted_days(typed, i)
                or (w in self.acronyms and self._acronym_here(typed, i, mining))
            )
            and not addressed(typed, i)
        ]

    def _acronym_here(self, typed: list[str], i: int, mining: bool) -> bool:
        before = typed[i - 1] if i else ""
        return before in ACRONYM_BEFORE or (mining and before not in COMMON_WORD_BEFORE)

    def typed(self, text: str) -> list[str]:
        """The folded words, a misspelt question word or filler read as meant («ke es» →
        «que es»): left as typed it would count as an unknown word the kit lacks. Without the
        official's own situation around the question (`knowledge.frame`)."""
        found = words(asked(text))
        return [w if w in self._vocabulary else (misspelt_stopword(w) or w) for w in found]

    def small_talk(self, text: str) -> str | None:
        """The kind of greeting, thanks or chat when the message asks nothing (see
        `knowledge.text.small_talk`); a kit acronym typed in it makes it a question. A
        greeting that then says who writes (`knowledge.introduction`) is a greeting."""
        kind = small_talk(text)
        if kind is not None and all(is_small_talk(w) for w in self.query_words(text)):
            return kind
        return "greeting" if introduces(text) else None

    def _parse(self, text: str, asked: list[str] | None = None) -> Query:
        """`text` read as a query; `asked`: its `query_words`, when already found."""
        asked = self.query_words(text) if asked is None else asked
        corrected = [self.correct(w) or w for w in asked]
        typed = self.typed(text)
        kinds = intents(typed)
        if not kinds and len(typed) == len(corrected) <= 2:  # «regalías»: what it is
            kinds = frozenset({DEFINITION})
        return self._reader.read(corrected, kinds)

    def glossary_entry(self, text: str) -> GlossaryEntry | None:
        """The glossary entry when the question is just a term ("que es OEFA"); not when it
        asks when («hasta cuándo es la formalización»: its date, not what it is)."""
        asked = [self.correct(w) or w for w in self.query_words(text)]
        if not asked or ASKS_WHEN.intersection(self.typed(text)):
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
        """The article's indexed fields as stems, in the index's own preprocessing; `SEGMENT`
        stands between two stretches of text that punctuation separates."""
        return {
            name: f" {SEGMENT} ".join(
                " ".join(map(self.term, part)) for part in self._segments(text)
            )
            for name, text in self._fields(article).items()
        }

    def ranked(self, text: str, limit: int = 10) -> list[tuple[Article, float]]:
        """The best-scoring articles for `text`, best first (no confidence judgement)."""
        query = self._parse(text)
        near, _unanswered, _similar = self._near(query, text)
        found = self._ranked(query, limit, near, self._stretch(text))
        return [(self.articles[i], s) for i, s in found]

    def _ranked(
        self, query: Query, limit: int, near: np.ndarray, stretch: Query | None = None
    ) -> list[tuple[int, float]]:
        """The best `limit` (article number, score), raised for the articles of past
        questions `near` the asked one (`ExampleMemory.closeness`), the stretch that asks
        weighing more than the situation around it."""
        if not query.terms:
            return []
        scores = self.postings.scores(query)
        if stretch is not None and stretch.terms:
            scores = (scores + STRETCH_WEIGHT * self.postings.scores(stretch)) / (
                1 + STRETCH_WEIGHT
            )
        scores = self.examples.blend.scores(scores, near)
        if limit < len(scores):
            top = np.argpartition(-scores, limit)[:limit]
            order = top[np.argsort(-scores[top], kind="stable")]
        else:
            order = np.argsort(-scores, kind="stable")
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]

    def search(self, text: str, limit: int = 4, rule: Rule = RULE) -> Answer:
        """The answer to `text`: sure under `rule` (the shipped one unless a benchmark tries
        another) and the calibration model (`self.model`, `knowledge/calibration.json`; a
        benchmark sets another or none), or the closest articles."""
        found = self.judged(text, limit, rule)
        if found is None:
            return Answer(None, (), self.glossary_entry(text), ())
        # The model weighs the evidence and the hand checks' verdicts together (#14). It was
        # fit on evidence measured with past questions: without any (a benchmark's bare index)
        # its similarities say nothing, and the hand checks decide alone.
        if self.model is not None and found.evidence and self.examples.count:
            confident = self.model.sure(found.evidence)
        else:
            confident = found.confident and found.kinds[0] is None
        ranked, kinds = found.ranked, found.kinds
        top_index, top_score = ranked[0]
        if not confident:
            closest = tuple(self.articles[i] for i, _s in ranked[:3])
            kind = kinds[0] if all(kinds) else None  # said only when no closest one holds it
            return Answer(
                None, closest, found.glossary, found.topics, top_score, found.coverage, kind
            )
        others = tuple(self.articles[i] for i, s in ranked[1:] if s >= RELATED_SHARE * top_score)[
            : limit - 1
        ]
        return Answer(
            self.articles[top_index],
            others,
            found.glossary,
            found.topics,
            top_score,
            found.coverage,
        )

    def judged(self, text: str, limit: int = 4, rule: Rule = RULE) -> Judged | None:
        """What the search measured of `text` before its answer: the ranking, the rules'
        verdict, the kinds of fact the closest articles lack, and the evidence for the
        calibration model (`knowledge.calibration`); None when nothing matched."""
        asked = self.query_words(text)
        query = self._parse(text, asked)
        glossary = self.glossary_entry(text)
        near, unanswered, similar = self._near(query, text)
        stretch = self._stretch(text)
        ranked = self._ranked(query, limit, near, stretch)
        if not ranked:
            return None
        if glossary is not None and glossary.articles:
            ranked = self._defined_first(ranked, glossary.articles[0])
        top_index, top_score = ranked[0]
        topics = self._topics([self.articles[i] for i, _s in ranked])
        sure, coverage = self._judge.confident(query, ranked, rule)
        confident = self.examples.blend.confident(sure, near[top_index], unanswered)
        rules = confident
        if glossary is not None and glossary.articles:
            confident = True
        told = stretch is not None
        judged = stretch if told else self._stretch(text, last_stretch)
        elsewhere = self._judge.asked_elsewhere(judged, query, top_index, rule, told)
        confident = confident and not elsewhere
        # «¿dónde queda el SENACE?»: no address in the SENACE article
        typed = self.typed(text)
        repaired = [w if w in STOPWORDS else (self.correct(w) or w) for w in typed]
        kinds = [
            unheld(typed, self._asked_term, self._holdings[i], repaired) for i, _s in ranked[:3]
        ]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        measured = {
            "glossary": float(glossary is not None and bool(glossary.articles)),
            "log_score": math.log1p(top_score),
            "log_lead": math.log((top_score + 1e-6) / (runner_up + 1e-6)) if runner_up else 3.0,
            "coverage": coverage,
            "near": float(near[top_index]),
            "unanswered": unanswered,
            "rules": float(rules),
            "unheld": float(kinds[0] is not None),
            "asked_elsewhere": float(elsewhere),
            **self.examples.vote(similar, top_index),
        }
        found = evidence(
            query,
            asked,
            self.postings,
            self._rarest,
            self._read[top_index],
            self._kit_surface,
            question_form(repaired),
            measured,
        )
        if not measured["glossary"]:  # a term the glossary names is answered where it is
            confident = confident and not refuted(found)
        return Judged(ranked, glossary, topics, confident, coverage, kinds, found)

    def _stretch(
        self, text: str, find: Callable[[str], str | None] = asking_stretch
    ) -> Query | None:
        """The stretch of `text` that asks, read as a question of its own (see
        `knowledge.frame.asking_stretch`)."""
        stretch = find(text)
        return None if stretch is None else self._parse(stretch)

    def _defined_first(
        self, ranked: list[tuple[int, float]], article_id: str
    ) -> list[tuple[int, float]]:
        """`ranked` with the article that explains a glossary term first, when it is close."""
        number = self._number.get(article_id)
        found = [i for i, (index, _s) in enumerate(ranked) if index == number]
        if not found or ranked[found[0]][1] < DEFINED_SHARE * ranked[0][1]:
            return ranked
        return [ranked[found[0]], *ranked[: found[0]], *ranked[found[0] + 1 :]]

    def _topics(self, articles: list[Article]) -> tuple[Topic, ...]:
        seen: list[Topic] = []
        for article in articles:
            topic = self.kit.topic(article.topic)
            if topic is not None and topic not in seen:
                seen.append(topic)
        return tuple(seen)
