"""Finding the article an official means: stems, typo repair, acronyms and synonyms both ways,
and BM25F ranking over title, keywords, summary, glossary terms and text.

The pieces: `knowledge.text` (Spanish words), `knowledge.wording` (a question's words and
index terms, typos repaired by `knowledge.spelling`), `knowledge.glossary_terms` and
`knowledge.fields` (what is indexed), `knowledge.query` (the question's parts and their ways of
being said), `knowledge.scoring` (BM25F), `knowledge.ranking`, `knowledge.confidence` and
`knowledge.calibration` (when Minka may answer). Scores are kept honest: an answer is only
"confident" when the best article is both a strong match and covers most of what the question
asked; otherwise Minka says it is not sure.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable

import numpy as np

from knowledge.answer import Answer, Judged
from knowledge.calibration import Model, evidence, load_model, reading, refuted
from knowledge.confidence import RULE, Judge, Rule
from knowledge.examples import ExampleMemory
from knowledge.fields import SEGMENT, Fields
from knowledge.form import question_form
from knowledge.frame import asking_stretch, last_stretch
from knowledge.glossary_terms import GlossaryTerms
from knowledge.intent import DEFINITION, answered, intents
from knowledge.introduction import introduces
from knowledge.model import Article, Example, GlossaryEntry, ToolKit, Topic
from knowledge.query import Concepts, Query, Reader
from knowledge.ranking import defined_first
from knowledge.ranking import ranked as ranked_scores
from knowledge.scoring import FIELD_WEIGHTS, Postings
from knowledge.text import STOPWORDS, is_small_talk, small_talk, without_courtesy
from knowledge.unheld import asks, holdings, lacks
from knowledge.wording import Wording

__all__ = ["FIELD_WEIGHTS", "SEGMENT", "Answer", "Judged", "SearchIndex"]

RELATED_SHARE = 0.35  # "También puede interesarte": at least this share of the best score


class SearchIndex:
    def __init__(self, kit: ToolKit, synonyms: Iterable[Iterable[str]] = ()) -> None:
        self.kit = kit
        self.articles: list[Article] = list(kit.articles.values())
        self._number = {article.id: i for i, article in enumerate(self.articles)}
        self._glossary = GlossaryTerms(kit.glossary, synonyms)
        self.acronyms = self._glossary.acronyms
        self._fields = Fields(self._glossary.text, self.acronyms)
        found = [
            {name: self._fields.segments(text) for name, text in fields.items()}
            for fields in map(self._fields.of, self.articles)
        ]
        vocabulary = {w for f in found for parts in f.values() for p in parts for w in p}
        said = {w for phrases in self._glossary.concepts for p in phrases for w in p}
        self._wording = Wording(vocabulary, self.acronyms, said)
        self.term = self._wording.term
        self.correct = self._wording.correct
        self.typed = self._wording.typed
        self.query_words = self._wording.query_words
        self.example_words = self._wording.example_words
        self.postings = Postings(
            [
                {name: [[self.term(w) for w in p] for p in parts] for name, parts in f.items()}
                for f in found
            ],
            [answered(article) for article in self.articles],
        )
        self._reader = Reader(
            self.term,
            self.postings.__contains__,
            self.postings.family,
            vocabulary - self.acronyms,  # «días» asked is not DIA
            Concepts(self._glossary.concepts),
        )
        self._judge = Judge(self.postings)
        self._holdings = [holdings(article, self.term) for article in self.articles]
        self._read, self._kit_surface = reading(
            [self._fields.of(article) for article in self.articles], self._holdings
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

    def _near(self, query: Query, text: str) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
        """`ExampleMemory.closeness` of a parsed question, its similarity to each past one,
        and the share of each past one without answer it says (`ExampleMemory.weighed`)."""
        terms = [self.term(w) for w in query.words]  # its words are repaired already
        asked = self._wording.polarity(terms, text)
        similar, said = self.examples.weighed(asked)
        return *self.examples.closeness_of(similar), similar, said

    def small_talk(self, text: str) -> str | None:
        """The kind of greeting, thanks or chat when the message asks nothing (see
        `knowledge.text.small_talk`); a kit acronym typed in it makes it a question. A
        greeting that then says who writes (`knowledge.introduction`) is a greeting."""
        kind = small_talk(text)
        asked = self.query_words(without_courtesy(text))
        if kind is not None and all(is_small_talk(w) for w in asked):
            return kind
        return "greeting" if introduces(text) else None

    def asides_of(self, text: str) -> set[str]:
        """The words of `text` that say where it comes from or how it is said, not what it
        asks (`knowledge.asides`)."""
        return self._wording.asides(text)

    def _parse(self, text: str, asked: list[str] | None = None) -> Query:
        """`text` read as a query; `asked`: its `query_words`, when already found."""
        asked = self.query_words(text) if asked is None else asked
        corrected = [self.correct(w) or w for w in asked]
        typed = self.typed(text)
        kinds = intents(typed)
        if not kinds and len(typed) == len(corrected) <= 2:  # «regalías»: what it is
            kinds = frozenset({DEFINITION})
        query = self._reader.read(corrected, kinds)
        asides = self.asides_of(text)
        query.asides = frozenset(i for i, w in enumerate(asked) if w in asides)
        return query

    def glossary_entry(self, text: str) -> GlossaryEntry | None:
        """The glossary entry when the question is just a term (`GlossaryTerms.entry`)."""
        asked = [self.correct(w) or w for w in self.query_words(text)]
        return self._glossary.entry(asked, self.typed(text))

    def terms(self, text: str) -> dict[str, float]:
        """The question's weighted index terms after typo repair, families and expansions
        (stems; `a_b` is a bigram): what the ranking sees, for a baseline given the same."""
        return dict(self._parse(text).terms)

    def field_texts(self, article: Article) -> dict[str, str]:
        """The article's indexed fields as stems, in the index's own preprocessing (a baseline
        given the same); `SEGMENT` stands between two stretches that punctuation separates."""
        return self._fields.as_terms(article, self.term)

    def ranked(self, text: str, limit: int = 10) -> list[tuple[Article, float]]:
        """The best-scoring articles for `text`, best first (no confidence judgement)."""
        query = self._parse(text)
        near, _unanswered, _similar, _said = self._near(query, text)
        found = self._ranked(query, limit, near, self._stretch(text))
        return [(self.articles[i], s) for i, s in found]

    def _ranked(
        self, query: Query, limit: int, near: np.ndarray, stretch: Query | None = None
    ) -> list[tuple[int, float]]:
        """`knowledge.ranking.ranked` with this index's postings and past questions."""
        return ranked_scores(self.postings, self.examples, query, limit, near, stretch)

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
        near, unanswered, similar, said = self._near(query, text)
        stretch = self._stretch(text)
        ranked = self._ranked(query, limit, near, stretch)
        if not ranked:
            return None
        if glossary is not None and glossary.articles:
            ranked = defined_first(ranked, self._number.get(glossary.articles[0]))
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
        term = self._wording.asked_term
        question = asks(typed, repaired)  # read once for the three closest articles
        kinds = [lacks(question, term, self._holdings[i]) for i, _s in ranked[:3]]
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
            **self.examples.vote(similar, top_index, said if coverage >= 1.0 else None),
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

    def _topics(self, articles: list[Article]) -> tuple[Topic, ...]:
        seen: list[Topic] = []
        for article in articles:
            topic = self.kit.topic(article.topic)
            if topic is not None and topic not in seen:
                seen.append(topic)
        return tuple(seen)
