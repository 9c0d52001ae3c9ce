"""The Tool Kit's ranking, without Telegram: which article comes first for a question as
officials put it, however many ways the kit has of saying its words."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.base import KnowledgeBase
from knowledge.query import OTHER_WAYS
from knowledge.search import SEGMENT


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("que es el reinfo", "formalizacion-reinfo"),
        ("registro integral de formalizacion minera", "formalizacion-reinfo"),
        ("formalisacion plaso", "formalizacion-plazos"),
        ("conseción minera que es", "concesiones-que-es"),
        ("pequeño minero cuantas hectareas", "estratos-ppm-pma"),
        ("pallakeras", "igualdad-pallaqueras"),
        ("como se reparte el canon", "economia-canon-distribucion"),
        ("ciclo mineor etapas", "ciclo-minero-etapas"),
    ],
)
def test_ranking_understands_officials(kb: KnowledgeBase, question: str, article: str) -> None:
    answer = kb.index.search(question)
    assert answer.best is not None and answer.best.id == article


@pytest.mark.parametrize(
    ("question", "article"),
    [("regalias", "economia-regalias"), ("regalia minera", "economia-regalias")],
)
def test_a_bare_term_asks_what_it_is(kb: KnowledgeBase, question: str, article: str) -> None:
    """A term typed alone is «¿qué es…?»: «¿Pagan regalía los pequeños productores?» tied
    with «¿Qué es la regalía minera?» and Minka was not sure."""
    answer = kb.index.search(question)
    assert answer.best is not None and answer.best.id == article


def test_one_word_synonyms_count_once(kb: KnowledgeBase) -> None:
    """«ministerio» also found as MINEM and MEM is one word asked: an article scores its best
    match among them (and a small share of the others), not the sum, which favoured articles
    that merely mention the acronyms."""
    index = kb.index
    query = index._parse("ministerio")
    query.intents = frozenset()  # the parts' score alone, without the kind of question
    assert len(query.parts) == 1
    assert {"ministeri", "minem", "mem"} <= set(query.terms)
    scores = index.postings.scores(query)
    for position in range(len(index.articles)):
        found = []
        for term, weight in query.terms.items():
            indices, contributions = index.postings.postings[term]
            where = np.flatnonzero(indices == position)
            found.append(weight * float(contributions[where[0]]) if where.size else 0.0)
        best = max(found)
        expected = best + OTHER_WAYS * (sum(found) - best)
        assert scores[position] == pytest.approx(expected, rel=1e-5)
        assert scores[position] < sum(found) or sum(found) == best


def test_a_phrase_said_otherwise_counts_once(kb: KnowledgeBase) -> None:
    """«dirección general de formalización minera» also brings in DGFM and the phrase's
    other ways: added on top of each asked word they favoured the general formalization
    article, which names them all, over the one about the DGFM (ente rector)."""
    answer = kb.index.search("la direccion general de formalizacion minera que hace")
    assert answer.best is not None and answer.best.id == "regionalizacion-ente-rector"


@pytest.mark.parametrize(
    "question", ["como coordinar con el minem", "reunion de coordinacion con el minem"]
)
def test_a_common_acronym_written_out_does_not_decide(kb: KnowledgeBase, question: str) -> None:
    """MINEM is in nearly every article, so it weighs little; its expansion's rarer words
    («Ministerio de Energía y Minas», written out in «Acerca de Minka») outweighed the
    question's own words until the other ways of saying a part were capped."""
    answer = kb.index.search(question)
    assert answer.best is not None and answer.best.id == "regionalizacion-coordinacion-minem"


def test_two_words_are_a_phrase_only_within_a_stretch_of_text(kb: KnowledgeBase) -> None:
    """A keyword list «…, igac, terreno superficial, …» made the bigram igac_terren, as if
    the article said «IGAC terreno»; punctuation now ends a phrase, for the FTS5 baseline
    too."""
    assert "igac_terren" not in kb.index.postings
    assert "terren_superficial" in kb.index.postings
    keywords = kb.index.field_texts(kb.kit.articles["formalizacion-igafom"])["keywords"]
    assert f"formaliz {SEGMENT} igac {SEGMENT} estudi" in keywords


def test_a_glossary_term_asked_about_gets_the_article_that_explains_it(kb: KnowledgeBase) -> None:
    """The glossary lists first the article where a term is explained; «¿qué pagan los PPM?»
    also says PPM often and, a little shorter, won «¿qué es un PPM?»."""
    for question, article in [
        ("que es un ppm", "estratos-ppm-pma"),
        ("que es el EIA-d", "ambiente-eia-senace"),
    ]:
        answer = kb.index.search(question)
        assert answer.best is not None and answer.best.id == article


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("el gobierno regional puede dar concesiones mineras?", "concesiones-quien-otorga"),
        ("cuantas hectareas puede tener un pma", "estratos-ppm-pma"),
        ("el azogue es peligroso para la salud?", "ambiente-mercurio"),
    ],
)
def test_a_fact_repeated_in_another_articles_tips_is_not_its_home(
    kb: KnowledgeBase, question: str, article: str
) -> None:
    """The «En la práctica» tips that close an article repeat facts other articles state
    («la concesión la otorga el INGEMMET…», the strata's hectares): they weigh half the
    text, so the article that states the fact comes first (#14)."""
    answer = kb.index.search(question)
    assert answer.best is not None and answer.best.id == article
