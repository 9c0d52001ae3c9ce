"""What an article marks as unknown against the kind of fact a question asks
(`knowledge.unknowns`, three features of the calibration model): a question that asks the
amount, the date or whether something happened where the best article says that fact is to
be confirmed is told apart from one about a fact the same article states (#14, session 18: the
spent sets' false answers were mostly such near misses). Measured on the shipped kit; each
question is asked of an index without it among the past questions."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from knowledge.form import question_form
from knowledge.text import words
from tests.test_search_calibration import without_question


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def marked(kb: KnowledgeBase, question: str, article: str) -> dict[str, float]:
    """The three features for the question's best article, which must be `article`."""
    found = without_question(kb, question).judged(question)
    assert found is not None and found.evidence is not None
    assert kb.index.articles[found.ranked[0][0]].id == article
    named = found.evidence.named()
    return {k: named[k] for k in ("marked_only", "marked_kind", "marked_lead")}


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("monto de la penalidad por no llegar a la produccion minima", "amount"),  # a fragment
        ("cuanto paga de vigencia un pma", "amount"),  # the form's own kind
        ("hubo prorroga para declarar la ubicacion?", "happened"),
        ("el censo ya empezo?", "happened"),
        ("requisitos de la licencia de uso de agua", "required"),
        ("que es el reinfo", None),
        ("como me formalizo si soy minero artesanal", None),
        ("q reviso de seguridad cuando visito una labor", None),  # «cuando» joins
        ("la angr rechazo la centralizacion, que pidio y cuando?", "date"),  # «y cuándo» asks
        ("minamata cuando lo ratifico el peru", "date"),
    ],
)
def test_the_kind_of_fact_asked_loosely(question: str, fact: str | None) -> None:
    assert question_form(words(question)).fact == fact


@pytest.mark.parametrize(
    ("question", "article", "feature"),
    [
        # «El monto de la penalidad, desde cuándo se exige… no están en esta ficha»: it names
        # the amount asked, and says more of the question than any sentence with an amount
        (
            "monto de la penalidad por no llegar a la produccion minima",
            "concesiones-produccion-minima",
            "marked_lead",
        ),
        # «Si hubo una prórroga… son datos que esta ficha no pudo verificar»: «prórroga» is
        # said nowhere else, though synonyms of it are («plazo»)
        (
            "hubo prorroga para declarar la ubicacion georreferenciada?",
            "formalizacion-ubicacion-georreferenciada",
            "marked_only",
        ),
        # «Los límites para la minería de placeres (aluvial): dato por confirmar…»
        (
            "limites de has y tmd pa mineria aluvial de oro",
            "estratos-no-metalicos-placeres",
            "marked_only",
        ),
    ],
)
def test_a_fact_the_article_marks_unknown_is_measured(
    kb: KnowledgeBase, question: str, article: str, feature: str
) -> None:
    assert marked(kb, question, article)[feature] > 0


@pytest.mark.parametrize(
    ("question", "article"),
    [
        # the same articles' stated facts: the amount a hectare, the 120 days
        ("cuanto se paga de derecho de vigencia", "concesiones-derecho-de-vigencia"),
        ("que plazo tenian para declarar la ubicacion", "formalizacion-ubicacion-georreferenciada"),
        ("que es el reinfo", "formalizacion-reinfo"),  # an article that marks nothing asked
    ],
)
def test_a_fact_the_article_states_is_not_marked(
    kb: KnowledgeBase, question: str, article: str
) -> None:
    found = marked(kb, question, article)
    assert found["marked_only"] == found["marked_lead"] == 0
