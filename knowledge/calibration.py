"""Whether a sure answer is likely right, from what the search already measured: a small
logistic model over the evidence of one question (`Evidence`), its weights fit on the tuning
set and the spent held-out sets by `python -m bench.search_calibrate` and kept in
`calibration.json` beside this file with how they were fit. With past questions it alone
decides whether Minka is sure; the hand checks' verdicts are among its evidence (#14, session
15: as gates they did not carry from the tuning set's authors to the blind sets').

Why: the hand rules that turn near misses down (`knowledge.facts`, `knowledge.unheld`) were
written from the tuning set's wording, and on blind sets about half of the near misses still
got a sure answer (#14). Two generic checks are added to the evidence: whether one passage of
the article (a sentence with the one before it, and the article's title and keywords) holds
what the question asks, not only the article as a whole; and whether that passage holds an
instance of the kind of fact asked (an amount, a date, someone who acts…). The model weighs
them with the rest instead of one more threshold chosen by hand.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import OSA

from knowledge.facts import Asked, instance
from knowledge.form import CONSEQUENCE, FREQUENCY, Form
from knowledge.query import Query, aside_weight
from knowledge.scoring import Postings
from knowledge.sentence import MARK_KEYS, PREFIX, Sentence
from knowledge.text import GENERIC_VERBS, STOPWORDS, plural, stem, undiphthonged, words
from knowledge.unheld import Holdings
from knowledge.unknowns import marked_evidence

MODEL_FILE = Path(__file__).with_name("calibration.json")
GENERIC_GAP = 0.5  # as in `knowledge.confidence`: a common verb weighs half
NEAR_BEST = 0.75
HEAD_LACKING = 0.5  # see `refuted`
LONG_WORD = 8  # a typed word longer than this may hold two typos
LONG_STEM = 4  # a stem this long names one word family
# What befalls someone: a right lost or cancelled, a penalty, a stop, an exclusion.
_CONSEQUENCES = tuple(
    """pierd perdi caduc cance exclu suspe sanci multa penal infra paral delit pena carce
    clausu decom incau revoc extin""".split()  # noqa: SIM905
)  # passages this close to the best one's coverage are its equals

FEATURES = (
    "glossary",  # the question is a glossary term
    "log_score",
    "log_lead",  # log of the best score over the runner-up's
    "coverage",  # share of the asked words' weight the article has (as stems)
    "surface",  # …as words written («minado» is not «minas», both min-)
    "missing",  # weight of the rarest asked word the article lacks (as words), over the rarest's
    "missing_known",  # …of those other articles have
    "passage",  # share of the asked words' weight the best passage has (as words)
    "typed_cover",  # …the best passage that holds an instance of the kind of fact asked
    "unknown",  # share of the asked words' weight the kit never uses
    "near",  # similarity of the article's closest past question
    "unanswered",  # similarity of the closest past question without answer
    "typed",  # a kind of fact is asked
    "typed_absent",  # …and no passage close to the best holds one
    "unsaid_consequence",  # «¿qué pasa si…?» and no passage close to the best says one
    "log_words",
    "head_missing",  # the noun asked about («¿en qué banco…?») is nowhere in the article
    # The hand checks' verdicts, weighed with the rest instead of each one deciding alone
    # (#14: on other authors' questions they turned down right answers they were not written
    # for): `knowledge.confidence`'s rule or a close past question (`knowledge.examples`), …
    "rules",
    "unheld",  # …a kind of fact the article does not hold (`knowledge.unheld`), …
    "asked_elsewhere",  # …the stretch that asks missed (`Judge.asked_elsewhere`), …
    "refuted",  # …and `refuted` below
    # Share of the asked words' weight the article says only where it marks its fact unknown
    # («…es un dato por confirmar», «…debe confirmarse con la DGFM»): not a sure answer at any
    # probability (`Model.sure_of`).
    "marked_unknown",
    # How the ten closest past questions vote (`ExampleMemory.vote`): the share without answer,
    # the share of the best article's (#14, session 17).
    "past_none",
    "past_same",
    # What the article marks as unknown against the fact asked, words as written
    # (`knowledge.unknowns`, #14, session 18): the share said only where a fact is marked
    # unknown, the share a marked sentence that names the kind asked says, and how much more
    # its passage says than the best that holds the kind.
    "marked_only",
    "marked_kind",
    "marked_lead",
)
MARKED = FEATURES.index("marked_unknown")


@dataclass(frozen=True, slots=True)
class Evidence:
    values: tuple[float, ...]  # in the order of FEATURES

    def named(self) -> dict[str, float]:
        return dict(zip(FEATURES, self.values, strict=True))


@dataclass(frozen=True, slots=True)
class Model:
    """A logistic model: the probability that a sure answer is right."""

    bias: float
    weights: tuple[float, ...]  # per feature, on features scaled by `means` and `scales`
    means: tuple[float, ...]
    scales: tuple[float, ...]
    threshold: float  # answer when the probability reaches it
    # the same on unscaled features: z = offset + Σ coefficient × value
    coefficients: tuple[float, ...] = field(init=False)
    offset: float = field(init=False)

    def __post_init__(self) -> None:
        scaled = [w / s for w, s in zip(self.weights, self.scales, strict=True)]
        object.__setattr__(self, "coefficients", tuple(scaled))
        offset = self.bias - sum(c * m for c, m in zip(scaled, self.means, strict=True))
        object.__setattr__(self, "offset", offset)

    def probability_of(self, values: Sequence[float]) -> float:
        z = self.offset + sum(c * float(v) for c, v in zip(self.coefficients, values, strict=True))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def sure(self, evidence: Evidence) -> bool:
        return self.sure_of(evidence.values)

    def sure_of(self, values: Sequence[float]) -> bool:
        """Whether the evidence `values` make a sure answer. A question that asks exactly what
        the article says it lacks is not, however close the rest (#14: most near misses of the
        blind sets v3-v13 that got a sure answer asked such a fact: a PMA's vigencia, the
        placer limits, whether the census started)."""
        return not vetoed(values) and self.probability_of(values) >= self.threshold


def vetoed(values: Sequence[float]) -> bool:
    """Whether the question asks what the article marks as unknown (`Model.sure_of`)."""
    return bool(values[MARKED])


def refuted(evidence: Evidence) -> bool:
    """Evidence of a near miss (a feature of the model; it settles one when the hand checks
    decide alone, without past questions): a
    «¿qué pasa si…?» that no passage close to the best answers with a consequence, or a
    question about a noun («¿en qué banco…?», «¿qué presupuesto…?») the article never
    says, when what it lacks weighs at least `HEAD_LACKING` of the kit's rarest word."""
    return refutes(evidence.named())


def refutes(found: dict[str, float]) -> bool:
    """`refuted`, on the evidence's values by name."""
    return bool(found["unsaid_consequence"]) or (
        bool(found["head_missing"]) and found["missing"] >= HEAD_LACKING
    )


def load_model(path: Path = MODEL_FILE) -> Model | None:
    """The shipped model, or None when there is none (or it was fit on other features)."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        return None
    return Model(
        data["bias"],
        tuple(data["weights"]),
        tuple(data["means"]),
        tuple(data["scales"]),
        data["threshold"],
    )


def passages(
    held: Sequence[Sentence], said: Sequence[tuple[frozenset[str], frozenset[str]]]
) -> list[frozenset[int]]:
    """For each passage of an article (a sentence with the one before it, that may name what
    it says «it» of, and the article's title, its first sentence), which of the asked words
    (`said`: each one's first letters and its other index terms) it has. Read from the
    sentences at each question, so that no union of sentences is kept per article."""
    found = [
        frozenset(
            j
            for j, (letters, others) in enumerate(said)
            if not letters.isdisjoint(s.surface) or not others.isdisjoint(s.stems)
        )
        for s in held
    ]
    heading = found[0] if found else frozenset()
    return [has | (found[i - 1] if i else frozenset()) | heading for i, has in enumerate(found)]


@lru_cache(maxsize=4096)  # bounded, as the index's own caches (see knowledge.text)
def keys(word: str) -> frozenset[str]:
    """The first letters a written form of `word` starts with (a stressed diphthong undone:
    «aprueba», «aprobación»; a short word's plural: «faja» asked, «fajas» written)."""
    many = plural(word) or word
    return frozenset(
        {word[:PREFIX], many[:PREFIX], *(u[:PREFIX] for u in undiphthonged(stem(word)))}
    )


def holds(asked: Asked, sentence: Sentence) -> bool:
    """Whether `sentence` holds an instance of the kind of fact asked."""
    if asked.kind == CONSEQUENCE:
        return any(key.startswith(_CONSEQUENCES) for key in sentence.surface)
    if asked.kind == FREQUENCY:  # «cada año», or «válida por dos años»
        return sentence.periodic or bool(sentence.lengths)
    # «dato por confirmar con la DREM» states no fact: a specialist gives it
    return not sentence.unsure and instance(asked, sentence)


def unknown_only(
    held: Sequence[Sentence], said: Sequence[tuple[float, frozenset[str], frozenset[str]]]
) -> float:
    """The weight of the asked words (`said`: each one's weight, first letters and other
    index terms) that the article's sentences say only where they mark a fact as unknown
    (`Sentence.marked`): «¿cuánto paga de vigencia un PMA?» asks what «los montos exactos
    para PPM y PMA son un dato por confirmar» lacks, and no other sentence says «PMA»."""

    def has(word: tuple[float, frozenset[str], frozenset[str]], sentence: Sentence) -> bool:
        _weight, letters, others = word
        return not letters.isdisjoint(sentence.surface) or not others.isdisjoint(sentence.stems)

    return sum(
        word[0]
        for word in said
        if word[1].isdisjoint(MARK_KEYS)
        and any(has(word, s) for s in held if s.marked)
        and not any(has(word, s) for s in held if not s.marked)
    )


@dataclass(frozen=True, slots=True)
class Article:
    """What the evidence reads of one article."""

    index: int  # its number in the index
    surface: frozenset[str]  # the first letters of all its words, every field
    sentences: tuple[Sentence, ...]


def reading(
    fields: list[dict[str, str]], held: list[Holdings]
) -> tuple[list[Article], frozenset[str]]:
    """What the evidence reads of each article (its indexed `fields` and what it holds,
    in the index's order), and the first letters of the whole kit's words."""
    found = []
    for i, (texts, holdings) in enumerate(zip(fields, held, strict=True)):
        surface = frozenset(
            sys.intern(w[:PREFIX])
            for text in texts.values()
            for w in words(text)
            if w not in STOPWORDS
        )
        found.append(Article(i, surface, holdings.sentences))
    return found, frozenset().union(*(a.surface for a in found))


def evidence(
    query: Query,
    typed: list[str],
    postings: Postings,
    rarest: float,
    article: Article,
    kit: frozenset[str],
    form: Form,
    rest: dict[str, float],
) -> Evidence:
    """The evidence for `article` as the answer to `query`: `typed` the asked words as
    typed (`query.words` are repaired: «minado», not a typo, is read as «mina»), `rarest` the
    weight of the kit's rarest word, `kit` the first letters of the kit's words, `form` how
    the question asks (`knowledge.form`); `rest`: the values measured before (glossary,
    score, lead, coverage, near, unanswered, and the hand checks' verdicts: rules, unheld,
    asked_elsewhere)."""
    asked = form.kind
    asked_words = []  # (weight, its first letters, the other ways the kit says it)
    strange = 0.0
    head = last = -1  # the asked words that are the noun asked about and the last one
    for j, (word, slot, written) in enumerate(zip(query.words, query.slots, typed, strict=True)):
        weight = max(postings.idf.get(t, rarest) for t in slot) * aside_weight(query, j)
        own = stem(word)
        weight *= GENERIC_GAP if own in GENERIC_VERBS else 1.0
        # its stem counts when long enough to tell words apart (min- is mina and minado)
        others = frozenset(t for t in slot if not t.startswith(own[:3]) or len(t) >= LONG_STEM)
        # a repair by a typo's few edits stands for the word; another word it is not
        typo = 1 if len(written) <= LONG_WORD else 2  # as `knowledge.spelling` allows
        meant = keys(word) if OSA.distance(word, written) <= typo else frozenset()
        asked_words.append((weight, keys(written) | meant, others))
        if not any(t in postings for t in slot):
            strange += weight
        if head < 0 and form.head is not None and form.head in (word, written):
            head = j
        if form.last is not None and form.last in (word, written):
            last = j
    total = sum(w for w, _k, _o in asked_words) or 1.0
    present, lacking, known = [], 0.0, 0.0
    elsewhere = set()  # the asked words the kit says in other articles only
    for j, (weight, letters, others) in enumerate(asked_words):
        if not letters.isdisjoint(article.surface) or any(
            postings.has(t, article.index) for t in others
        ):
            present.append(j)
        else:
            lacking = max(lacking, weight)
            if not letters.isdisjoint(kit) or any(t in postings for t in others):
                known = max(known, weight)  # the kit says it, elsewhere
                elsewhere.add(j)
    by_passage = [
        sum(asked_words[present[k]][0] for k in has) / total
        for has in passages(article.sentences, [asked_words[j][1:] for j in present])
    ]
    best = max(by_passage, default=0.0)
    marked = unknown_only(article.sentences, [asked_words[j] for j in present]) / total
    typed_cover, absent, unsaid = best, 0.0, 0.0
    if asked is not None:
        holding = [c for c, s in zip(by_passage, article.sentences, strict=True) if holds(asked, s)]
        found = max(holding, default=0.0)
        missed = float(found < NEAR_BEST * best or not holding)
        if asked.kind == CONSEQUENCE:
            unsaid = missed
        else:
            typed_cover, absent = found, missed
    values = {
        **rest,
        "surface": sum(asked_words[j][0] for j in present) / total,
        "missing": lacking / rarest,
        "missing_known": known / rarest,
        "passage": best,
        "typed_cover": typed_cover,
        "unknown": strange / total,
        "marked_unknown": marked,
        "typed": float(asked is not None and asked.kind not in (CONSEQUENCE, FREQUENCY)),
        "unsaid_consequence": unsaid,
        "typed_absent": absent,
        "log_words": math.log(1 + len(query.slots)),
        "head_missing": float(
            (head >= 0 and head not in present and (not form.elsewhere or head in elsewhere))
            or (last >= 0 and last not in present)
        ),
    }
    values.update(
        marked_evidence(form.fact, [w[:2] for w in asked_words], total, article.sentences)
    )
    values["refuted"] = float(refutes(values))
    return Evidence(tuple(float(values[name]) for name in FEATURES))
