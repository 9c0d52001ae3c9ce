"""Ranking the articles for a parsed question: BM25F scores (`knowledge.scoring`), the stretch
that asks weighing more than the situation around it, past questions' articles raised
(`knowledge.examples`), and the article that explains a glossary term put first."""

from __future__ import annotations

import numpy as np

from knowledge.examples import ExampleMemory
from knowledge.query import Query
from knowledge.scoring import Postings

# The stretch that asks (`knowledge.frame.asking_stretch`) weighs this many times the whole
# message in the ranking: a situation told in the kit's own words («tenemos un caso de un PMA
# que trabaja en una concesión ajena, ¿…?») drew the answer to its own article. Not alone:
# «el titular no pagó la vigencia, ¿se le cae la concesión?» asks about what it tells.
STRETCH_WEIGHT = 1.0
# A question that is a glossary term («¿qué es un PPM?») goes to the article the glossary names
# first for it (where the term is explained) when that one scores at least this share of the
# best: the term's other articles only use it («¿Qué pagan los PPM?»).
DEFINED_SHARE = 0.8


def ranked(
    postings: Postings,
    examples: ExampleMemory,
    query: Query,
    limit: int,
    near: np.ndarray,
    stretch: Query | None = None,
) -> list[tuple[int, float]]:
    """The best `limit` (article number, score), raised for the articles of past questions
    `near` the asked one (`ExampleMemory.closeness`), the stretch that asks weighing more than
    the situation around it."""
    if not query.terms:
        return []
    scores = postings.scores(query)
    if stretch is not None and stretch.terms:
        scores = (scores + STRETCH_WEIGHT * postings.scores(stretch)) / (1 + STRETCH_WEIGHT)
    scores = examples.blend.scores(scores, near)
    if limit < len(scores):
        top = np.argpartition(-scores, limit)[:limit]
        order = top[np.argsort(-scores[top], kind="stable")]
    else:
        order = np.argsort(-scores, kind="stable")
    return [(int(i), float(scores[i])) for i in order if scores[i] > 0]


def defined_first(ranked: list[tuple[int, float]], number: int | None) -> list[tuple[int, float]]:
    """`ranked` with the article (its `number`) that explains a glossary term first, when
    it is close."""
    found = [i for i, (index, _s) in enumerate(ranked) if index == number]
    if not found or ranked[found[0]][1] < DEFINED_SHARE * ranked[0][1]:
        return ranked
    return [ranked[found[0]], *ranked[: found[0]], *ranked[found[0] + 1 :]]
