"""Evidence that settles a near miss whatever the calibration model says
(`knowledge.calibration.refuted`): the noun a question asks about is nowhere in the article,
or «¿qué pasa si…?» finds no consequence; and its answerable twins are still answered."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from tests.test_search_calibration import MODEL_DISAGREES, without_question


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.mark.parametrize(
    ("question", "article", "twin", "twin_article"),
    [
        # the vigencia article says when and how much, never at which bank; the date asked
        # («¿hasta qué fecha…?») it states, though it never writes «fecha»
        (
            "en q banco se paga el derecho de vigencia",
            "concesiones-derecho-de-vigencia",
            "hasta q fecha se paga el derecho de vigencia",
            "concesiones-derecho-de-vigencia",
        ),
        # «hace» says nothing of the act: the inventario is asked, which the pasivos article
        # never says; «¿quién ve a los pequeños productores?» asks of the productores
        (
            "quien hace el inventario nacional de pasivos ambientales",
            "ambiente-pasivos",
            "en lima metropolitana quien ve a los pequeños productores",
            "regionalizacion-gobiernos-regionales",
        ),
        # a fragment asks about the noun it opens with: the explosivos article never says
        # «multa»; «reglamento de seguridad…» is that article's reglamento. The refit of
        # session 16 (v12 and v13 spent, false answers at most 10 %) answers the «multa»
        pytest.param(
            "multa por tener explosivos sin polvorin autorizado",
            "seguridad-explosivos-sucamec",
            "reglamento de seguridad i salud okupasional",
            "seguridad-reglamento",
            marks=MODEL_DISAGREES,
        ),
        # who may is asked about: the REINFO article never names the pallaqueras (the kit
        # does, elsewhere); the DREM's article names the DREM (the twin, declined after the
        # model's refit with negation-aware past questions, is answered again since session 16)
        (
            "las pallaqueras pueden inscribirse en el reinfo?",
            "formalizacion-reinfo",
            "la drem puede sancionar en temas de pama?",
            "ambiente-gore-efa",
        ),
        # who may is there, what they may do comes last: the vigencia article never says a
        # concesión caducada is recovered; the strata article gives a PMA's hectáreas
        pytest.param(
            "una concesion caducada se puede recuperar",
            "concesiones-derecho-de-vigencia",
            "un pma puede tener 1500 hectareas?",
            "estratos-ppm-pma",
            marks=MODEL_DISAGREES,
        ),
        # what is new comes last: the vigencia article never speaks of cuotas; the informal
        # and illegal mining article says what is ilegal
        (
            "se puede pagar la vigencia en cuotas",
            "concesiones-derecho-de-vigencia",
            "sacar oro en un rio es mineria ilegal?",
            "formalizacion-informal-ilegal",
        ),
    ],
)
def test_a_noun_the_article_never_says_is_not_answered(
    kb: KnowledgeBase, question: str, article: str, twin: str, twin_article: str
) -> None:
    """The noun a question asks about (`knowledge.form`) missing from the closest article
    makes it unsure; its twin, whose noun the article says, is answered."""
    index = without_question(kb, question)
    found = index.judged(question)
    assert found is not None and found.evidence is not None
    assert index.articles[found.ranked[0][0]].id == article
    assert found.evidence.named()["head_missing"] == 1.0
    assert not found.confident and index.search(question).best is None
    answer = without_question(kb, twin).search(twin)
    assert answer.best is not None and answer.best.id == twin_article


def test_what_happens_if_needs_a_consequence(kb: KnowledgeBase) -> None:
    """The regalía article says PPM and PMA pay 0 %, not what befalls one who does not pay;
    the twin below is asked of what the kit says."""
    question = "que pasa si un titular no paga la regalia minera"
    index = without_question(kb, question)
    found = index.judged(question)
    assert found is not None and found.evidence is not None
    assert found.evidence.named()["unsaid_consequence"] == 1.0
    assert index.search(question).best is None


def test_a_consequence_the_kit_says_is_answered(kb: KnowledgeBase) -> None:
    """The vigencia's two unpaid years end in caducidad, which the kit says."""
    twin = "que pasa si el titular no paga la vigencia dos años seguidos"
    assert without_question(kb, twin).search(twin).best is not None


def test_how_often_is_answered_by_a_period(kb: KnowledgeBase) -> None:
    """«¿cada cuánto se renueva la constancia?»: «válida por dos años» says how often."""
    question = "cada cuanto se renueva la constancia de ppm"
    found = without_question(kb, question).judged(question)
    assert found is not None and found.evidence is not None
    assert found.evidence.named()["typed_absent"] == 0.0
