"""Questions officials asked before, each with the article that answered it or with none
(`examples.yaml` in the Tool Kit's folder, kept by specialists): a new question close to past
ones speaks for their article, and one close to past questions the kit cannot answer speaks
against answering at all.

Closeness is the cosine of character n-grams (3 to 5 letters, inside each word) weighted by
TF-IDF, over the question's words as the search reads them (folded, typos repaired, stems):
«formalisarme» and «formalizarse» share most of their n-grams. The memory is a few arrays
(n-gram keys, and per n-gram the questions that have it), 0.5 MB for 900 questions; a key is
the n-gram's own bytes (`gram_key`), not Python's salted hash, so that the memory built by one
process serves another (the Tool Kit's cache, `knowledge.cache`).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from knowledge.intent import KINDS
from knowledge.model import NO_ANSWER, Example

SHORTEST, LONGEST = 3, 5  # n-gram lengths, counted with the spaces around each word
# Among a question's words (`SearchIndex.example_words`), the mark of a negated question. «no» is
# a stopword to the search, yet «¿qué funciones no le transfirió el MEM?» (the kit cannot say)
# is not «¿qué funciones le transfirió?» (it can): a past question is close to a new one only
# when both negate or neither does.
NEGATED = "¬"
# Among them too, the kinds of answer a question asks for (`knowledge.intent`), each as «¿kind».
# Its question words are stopwords, so «hasta cuando es la formalizacion» reads as the past
# question «q es la formalizacion? expliquele a mi papa…» once its wrapper is cut: an article's
# past question that asks another kind of answer (a definition, not a date) weighs `KIND_APART`
# of its closeness (0.5, the first value tried; 0.25 and 0 within 0.1 point of top-1, leaving
# one set out). Not one without answer: «cuantos pasivos ambientales mineros hay en el
# inventario» says the kit lacks the inventario however it is asked («quien hace el inventario
# nacional de pasivos ambientales» was answered).
KIND = "¿"
KIND_APART = 0.5
# The past questions that vote on a new one (`ExampleMemory.vote`), and how much more a closer
# one weighs: chosen leaving one blind set out (bench.search_calibrate, session 17; 5, 10, 20
# and 30 voters, powers 1, 2 and 4 within 0.5 % of top-1 of each other).
VOTERS = 10
VOTE_POWER = 4
CELL_SCALE = np.iinfo(np.uint16).max  # a stored cell's weight is its value / CELL_SCALE


@dataclass(frozen=True, slots=True)
class Blend:
    """Where past questions meet the search's own judgement. Chosen by cross-validation on
    the tuning set (`python -m bench.search_quality`: each fold answered with the examples of
    the others), here and with the FTS5 baseline, whose rules were never tuned on it."""

    weight: float = 1.0  # an article gains this share of the best score at similarity 1
    sure: float = 0.6  # the top article's closest past question this close: answered…
    unsure: float = 0.5  # …a past question without answer this close: not answered…
    margin: float = 0.2  # …when it is this much closer than the closest of the other kind

    def scores(self, scores: np.ndarray, near: np.ndarray) -> np.ndarray:
        """The search's scores raised for the articles of similar past questions."""
        return scores + self.weight * float(scores.max(initial=0.0)) * near

    def confident(self, confident: bool, near: float, unanswered: float) -> bool:
        """Whether to answer, from the search's verdict, the similarity of the top
        article's closest past question (`near`) and that of the closest past question
        without answer."""
        if unanswered >= self.unsure and unanswered >= near + self.margin:
            return False
        return confident or (near >= self.sure and near >= unanswered + self.margin)


BLEND = Blend()


def _mark(word: str) -> bool:
    """Whether `word` is a mark (`NEGATED`, a kind) and not a word of the question."""
    return word == NEGATED or word.startswith(KIND)


def _kinds(said: Iterable[str]) -> int:
    """The kinds of answer marked among a question's words, one bit each."""
    return sum(1 << KINDS.index(w[1:]) for w in set(said) if w.startswith(KIND))


def _word_grams(word: str) -> list[str]:
    """The word's character n-grams, with a space at either end (« taller »)."""
    padded = f" {word} "
    return [
        padded[i : i + size]
        for size in range(SHORTEST, LONGEST + 1)
        for i in range(len(padded) - size + 1)
    ]


def gram_key(gram: str) -> int:
    """The n-gram as a number, the same in every process: its Latin-1 bytes after a 1 (six
    bytes at most: one n-gram, one key), or for any other letter a 63-bit digest, negative."""
    try:
        return int.from_bytes(b"\x01" + gram.encode("latin-1"), "big")
    except UnicodeEncodeError:
        digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
        return -1 - (int.from_bytes(digest, "big") >> 1)


@lru_cache(maxsize=1024)  # bounded (see knowledge.text): at most ~0.8 MB
def _word_hashes(word: str) -> tuple[int, ...]:
    return tuple(map(gram_key, _word_grams(word)))


def hashed(words: Iterable[str]) -> Counter[int]:
    """The n-grams of the words (never across two), as hashes, and how often each occurs."""
    return Counter(h for word in words for h in _word_hashes(word))


def _weights(counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """Sublinear term frequency times rarity."""
    return (1.0 + np.log(counts.astype(np.float64))) * idf


def _arrays(found: Counter[int]) -> tuple[np.ndarray, np.ndarray]:
    """A question's n-gram hashes and their counts, in the Counter's order."""
    return (
        np.fromiter(found, dtype=np.int64, count=len(found)),
        np.fromiter(found.values(), dtype=np.int32, count=len(found)),
    )


class ExampleMemory:
    """Past questions by the n-grams they hold, for the cosine of a new one with each."""

    def __init__(
        self,
        examples: Sequence[Example],
        article_ids: Sequence[str],
        words: Callable[[str], list[str]],
    ) -> None:
        """`article_ids`: the index's articles in order (an example of another article, say
        one renamed since, is left out); `words`: a question's words as the search reads
        them (`closeness` is given a new question's words read the same way)."""
        self.blend = BLEND
        self.articles = len(article_ids)
        number = {article_id: i for i, article_id in enumerate(article_ids)}
        # Each question's n-grams kept as two small arrays, not as its Counter of Python ints:
        # 6,600 Counters raised the start's peak by 14 MB (#17, session 29: tracemalloc's peak
        # while the Tool Kit loads, 52.7 → 38.5 MB; the arrays built are the same, bit for bit).
        kept: list[tuple[int, tuple[np.ndarray, np.ndarray], bool, int]] = []
        for example in examples:
            label = -1 if example.article == NO_ANSWER else number.get(example.article)
            said = words(example.question)
            found = hashed(w for w in said if not _mark(w))
            if label is not None and found:
                kept.append((label, _arrays(found), NEGATED in said, _kinds(said)))
        kept.sort(key=lambda item: item[0])  # the unanswerable first, then by article
        self.count = len(kept)
        labels = np.fromiter((k[0] for k in kept), dtype=np.int32, count=self.count)
        self._labels = labels  # -1: without answer (`vote`)
        self._negated = np.fromiter((k[2] for k in kept), dtype=bool, count=self.count)
        self._kinds = np.fromiter((k[3] for k in kept), dtype=np.uint8, count=self.count)
        self._unanswerable = int(np.searchsorted(labels, 0))
        # Each article's questions are a run: its best similarity is one reduceat.
        answered = labels[self._unanswerable :]
        self._present, starts = np.unique(answered, return_index=True)
        self._runs = (starts + self._unanswerable).astype(np.intp)
        lengths = np.fromiter((len(k[1][0]) for k in kept), dtype=np.intp, count=self.count)
        hashes = np.concatenate([*(k[1][0] for k in kept), np.zeros(0, np.int64)])
        counts = np.concatenate([*(k[1][1] for k in kept), np.zeros(0, np.int32)])
        kept.clear()  # what follows needs only the arrays: the questions' own go now
        # the n-grams sorted, each cell's n-gram, and how many questions have each (not by
        # np.unique's return_inverse, whose temporaries doubled this step's peak)
        self._keys = np.unique(hashes)
        every = np.searchsorted(self._keys, hashes).astype(np.int32)
        del hashes
        frequencies = np.bincount(every, minlength=len(self._keys))
        self._idf = np.log((1 + self.count) / (1 + frequencies.astype(np.float64))) + 1
        self.unseen_idf = math.log(1 + self.count) + 1  # an n-gram no past question has
        # one cell per (question, n-gram), its weight (in (0, 1]: each question's vector has
        # length 1) in two bytes, as a fraction of `CELL_SCALE` (session 29: 3.09 MB in four
        # bytes with v25's questions, over the 3.0 MB budget; a similarity moves by 4·10⁻⁵ at
        # most), rounded question by question: no array of every cell in eight bytes, which
        # left the bot 2.7 MB more resident after the memory was built
        values = np.empty(len(every), dtype=np.uint16)
        for end, length in zip(np.cumsum(lengths).tolist(), lengths.tolist(), strict=True):
            weights = _weights(counts[end - length : end], self._idf[every[end - length : end]])
            normed = weights / np.linalg.norm(weights)
            values[end - length : end] = np.rint(normed * CELL_SCALE).astype(np.uint16)
        # a question's number in two bytes while there are few enough (3626 in session 16):
        # the cells are most of the memory
        row_type = np.uint16 if self.count <= np.iinfo(np.uint16).max else np.int32
        by_column = np.argsort(every, kind="stable")
        # where each n-gram's cells start: four bytes each (fewer than 2**31 cells), not eight
        starts = np.searchsorted(every[by_column], np.arange(len(self._keys) + 1))
        self._starts = starts.astype(np.int32)
        self._rows = np.repeat(np.arange(self.count, dtype=row_type), lengths)[by_column]
        self._values = values[by_column]
        # kept in four bytes once the cells are weighed (68 KB for 17,076 n-grams, session 28:
        # the memory back under its 3.0 MB with v26's questions); a new question's weights
        # differ by a float32's rounding
        self._idf = self._idf.astype(np.float32)

    @property
    def nbytes(self) -> int:
        """The memory's arrays, in bytes."""
        arrays = (self._keys, self._idf, self._starts, self._rows, self._values, self._runs)
        arrays += (self._negated, self._kinds, self._labels)
        return sum(a.nbytes for a in arrays)

    def similarities(self, asked: list[str]) -> np.ndarray:
        """`weighed`'s similarities alone."""
        return self.weighed(asked)[0]

    def weighed(self, asked: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The cosine of a question, its words read as `words` reads them, with each kept
        question (unanswerable first, then by article). N-grams no past question has count in
        the question's length: a question mostly about something new is close to none. A past
        question that negates when this one does not (or the other way round) is at 0; an
        article's one that asks only other kinds of answer than this one, at `KIND_APART`.
        And per past question without answer, the share of it the new one says (`_said`)."""
        found = hashed(w for w in asked if not _mark(w))
        if not found or not self.count:
            return np.zeros(self.count), np.zeros(self._unanswerable)
        other = self._negated != (NEGATED in asked)
        hashes, counts = _arrays(found)
        where = np.minimum(np.searchsorted(self._keys, hashes), len(self._keys) - 1)
        known = self._keys[where] == hashes
        idf = np.where(known, self._idf[where], self.unseen_idf)
        weights = _weights(counts, idf)
        weights /= np.linalg.norm(weights)
        columns, weights = where[known], weights[known]
        if not len(columns):  # only n-grams no past question has: close to none
            return np.zeros(self.count), np.zeros(self._unanswerable)
        starts, ends = self._starts[columns], self._starts[columns + 1]
        # each n-gram's cells, its slices of the arrays joined (#17: no index of every cell
        # built and gathered twice; the same cells in the same order, the same floats)
        spans = [slice(*span) for span in zip(starts.tolist(), ends.tolist(), strict=True)]
        rows = np.concatenate([self._rows[span] for span in spans])
        values = np.concatenate([self._values[span] for span in spans])
        similar = np.bincount(
            rows,
            weights=values * np.repeat(weights / CELL_SCALE, ends - starts),
            minlength=self.count,
        ).astype(np.float64, copy=False)  # no cell: bincount gives integers
        kinds = _kinds(asked)
        if kinds:
            apart = (self._kinds != 0) & (self._kinds & kinds == 0)
            apart[: self._unanswerable] = False
            similar[apart] *= KIND_APART
        similar[other] = 0.0
        return similar, self._said(rows, values)

    def _said(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Per past question without answer, the share of its own weight (its vector's
        squared length) in the n-grams the new question says too (its cells' `rows` and
        `values`)."""
        mine = rows < self._unanswerable
        shares = values[mine].astype(np.float64) / CELL_SCALE
        return np.bincount(rows[mine], weights=shares * shares, minlength=self._unanswerable)

    def vote(
        self, similar: np.ndarray, article: int, said: np.ndarray | None = None
    ) -> dict[str, float]:
        """How the `VOTERS` past questions closest to a new one (`similar`, from
        `similarities`) are labelled, each weighing its similarity to the `VOTE_POWER`: the
        share without answer and the share of `article`. The closest alone says little when
        the kit's examples hold a near miss asked many ways by many authors («hubo prórroga
        para declarar la ubicación…»): several close ones without answer outvote one close
        question of the article (#14, session 17). By their names among the evidence
        (`knowledge.calibration.FEATURES`).

        With `said` (`weighed`'s shares; the search gives them when the top article says every
        word of the question), a past question without answer votes with its similarity times
        the share of it the new question says: «cuanto es exactamente el derecho de vigencia de
        un pma por hectarea» (the kit marks the PMA's amount unknown) is 0.94 close to «cuanto
        es el derecho de vigencia por hectarea», which the article states, but what makes it
        unanswerable, the PMA, is the part the new one does not say (#14, session 29). Honest
        LOSO at 7 %, 22 sets: 89.18 / 6.97 % without, 89.17 / 6.86 % with (mean top-1 /
        false answers); for every question, not only when the article says it all, and in the
        `unanswered` closeness too: 87.81 / 7.02 %."""
        if not self.count:
            return {"past_none": 0.0, "past_same": 0.0}
        if said is not None:
            similar = similar.copy()
            similar[: self._unanswerable] *= said
        voters = min(VOTERS, self.count)
        closest = np.argpartition(-similar, voters - 1)[:voters]
        weights = np.maximum(similar[closest], 0.0) ** VOTE_POWER
        total = float(weights.sum())
        labels = self._labels[closest]
        return {
            "past_none": float(weights[labels == -1].sum()) / total if total else 0.0,
            "past_same": float(weights[labels == article].sum()) / total if total else 0.0,
        }

    def closeness(self, asked: list[str]) -> tuple[np.ndarray, float]:
        """Per article, the similarity of its closest past question (0 without any); and that
        of the closest past question the kit could not answer."""
        return self.closeness_of(self.similarities(asked))

    def closeness_of(self, similar: np.ndarray) -> tuple[np.ndarray, float]:
        """`closeness` from the similarities already measured."""
        per_article = np.zeros(self.articles)
        if len(self._runs):
            per_article[self._present] = np.maximum.reduceat(similar, self._runs)
        unanswered = float(similar[: self._unanswerable].max(initial=0.0))
        return per_article, unanswered
