"""BM25F over the articles' fields (title, keywords, glossary terms, summary, text, the tips
that close it), and a question's score for each article: the sum of its parts' best options
(see `knowledge.query`), raised a little for an article that answers the kind of question
asked."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from functools import lru_cache, partial

import numpy as np

from knowledge.query import Option, Part, Query, bigrams

FIELD_WEIGHTS = {
    "title": 3.0,
    "keywords": 3.0,
    "glossary": 1.5,
    "summary": 1.5,
    "body": 1.0,
    "practice": 0.5,  # «En la práctica»: tips that repeat facts other articles state
}
K1, B = 1.2, 0.5
INTENT_BONUS = 0.15  # an article that answers the kind of question asked («¿cuántos…?»)
# Another way of saying a part scores at most this many times the best the part scores as
# asked in any article: MINEM is in nearly every article (it weighs little), so the few that
# also write out «Ministerio de Energía y Minas», rarer words, must not win on that alone.
SYNONYM_CAP = 3.0


class _Packed(Mapping[str, tuple[np.ndarray, np.ndarray]]):
    """Each term's articles and weights as slices of two arrays for all terms: a tuple of two
    arrays for each of the ~5,000 terms was 1.6 MB of small objects (#17's memory)."""

    __slots__ = ("_indices", "_rows", "_starts", "_values")

    def __init__(self, found: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        self._rows = {term: row for row, term in enumerate(found)}
        sizes = np.fromiter((len(i) for i, _ in found.values()), dtype=np.int64, count=len(found))
        self._starts = np.concatenate([[0], np.cumsum(sizes)]).tolist()
        self._indices = np.concatenate([i for i, _ in found.values()] or [np.zeros(0, np.int32)])
        self._values = np.concatenate([v for _, v in found.values()] or [np.zeros(0, np.float32)])

    def __getitem__(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        row = self._rows[term]
        start, end = self._starts[row], self._starts[row + 1]
        return self._indices[start:end], self._values[start:end]

    def __contains__(self, term: object) -> bool:
        return term in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


class Postings:
    """For each term (a stem, or `a_b` for two stems together) the articles that have it and
    its BM25F weight in each."""

    def __init__(
        self, docs: list[dict[str, list[list[str]]]], answers: list[frozenset[str]]
    ) -> None:
        """`docs`: per article, its fields' terms in order, in stretches between punctuation
        marks (a bigram never spans two); `answers`: per article, the kinds of question it
        answers (`knowledge.intent`)."""
        count = self.count = len(docs)
        per_doc: list[dict[str, Counter[str]]] = []
        lengths: dict[str, list[int]] = {name: [] for name in FIELD_WEIGHTS}
        for fields in docs:
            per_doc.append(
                {
                    name: Counter(t for part in parts for t in [*part, *bigrams(part)])
                    for name, parts in fields.items()
                }
            )
            for name, parts in fields.items():
                lengths[name].append(sum(map(len, parts)))
        averages = {name: (sum(v) / len(v) if v else 0) or 1.0 for name, v in lengths.items()}
        weighted: dict[str, dict[int, float]] = defaultdict(dict)
        for index, fields in enumerate(per_doc):
            for name, counter in fields.items():
                norm = 1 - B + B * lengths[name][index] / averages[name]
                for term, tf in counter.items():
                    value = FIELD_WEIGHTS[name] * tf / norm
                    weighted[term][index] = weighted[term].get(index, 0.0) + value
        self._answers: dict[str, np.ndarray] = defaultdict(  # a partial pickles, a lambda not
            partial(np.zeros, count, dtype=np.float32)
        )
        for index, kinds in enumerate(answers):
            for kind in kinds:
                self._answers[kind][index] = 1.0
        postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.idf: dict[str, float] = {}
        for term, found in weighted.items():
            idf = math.log(1 + (count - len(found) + 0.5) / (len(found) + 0.5))
            indices = np.fromiter(found.keys(), dtype=np.int32, count=len(found))
            tfs = np.fromiter(found.values(), dtype=np.float32, count=len(found))
            postings[term] = (indices, (idf * tfs / (K1 + tfs)).astype(np.float32))
            self.idf[term] = idf
        self.postings = _Packed(postings)
        del postings
        self._families: dict[str, list[str]] = defaultdict(list)
        for term in self.postings:
            if "_" not in term and len(term) >= 4:
                self._families[term[:4]].append(term)
        self.family = lru_cache(maxsize=4096)(self._family)  # bounded: see knowledge.text

    def __contains__(self, term: str) -> bool:
        return term in self.postings

    def has(self, term: str, index: int) -> bool:
        """Whether article number `index` has `term`."""
        found = self.postings.get(term)
        if found is None:
            return False
        position = int(np.searchsorted(found[0], index))
        return position < len(found[0]) and int(found[0][position]) == index

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

    def scores(self, query: Query) -> np.ndarray:
        """Every article's score for `query`."""
        scores = self._option(Option(dict(query.loose), query.parts))
        if query.intents:
            answers = [self._answers[k] for k in query.intents if k in self._answers]
            if answers:
                scores *= 1 + INTENT_BONUS * np.maximum.reduce(answers)
        return scores

    def _option(self, option: Option) -> np.ndarray:
        scores = np.zeros(self.count, dtype=np.float32)
        for term, weight in option.terms.items():
            indices, contributions = self.postings[term]
            scores[indices] += weight * contributions
        for part in option.parts:
            if part.options:
                scores += self._part(part)
        return scores

    def _part(self, part: Part) -> np.ndarray:
        found = [self._option(option) for option in part.options]
        if 0 < part.asked < len(found):
            asked = float(np.maximum.reduce(found[: part.asked]).max())
            if asked > 0:  # a word the kit never writes keeps its synonyms whole
                cap = SYNONYM_CAP * asked
                found[part.asked :] = [np.minimum(f, cap) for f in found[part.asked :]]
        best = np.maximum.reduce(found)
        if part.others:
            best += part.others * (np.sum(found, axis=0) - best)
        return best
