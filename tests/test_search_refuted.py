"""Evidence that settles a near miss whatever the calibration model says
(`knowledge.calibration.refuted`): the noun a question asks about is nowhere in the article,
or «¿qué pasa si…?» finds no consequence; and its answerable twins are still answered."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from tests.test_search_calibration import without_question


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_a_noun_the_article_never_says_is_not_answered(kb: KnowledgeBase) -> None:
    """The vigencia article says when and how much, never at which bank: not sure; the
    date asked («¿hasta qué fecha…?») it states, though it never writes «fecha»."""
    question = "en q banco se paga el derecho de vigencia"
    index = without_question(kb, question)
    found = index.judged(question)
    assert found is not None and found.evidence is not None
    assert index.articles[found.ranked[0][0]].id == "concesiones-derecho-de-vigencia"
    assert found.evidence.named()["head_missing"] == 1.0
    assert not found.confident and index.search(question).best is None
    twin = "hasta q fecha se paga el derecho de vigencia"
    answer = without_question(kb, twin).search(twin)
    assert answer.best is not None and answer.best.id == "concesiones-derecho-de-vigencia"


def test_what_happens_if_needs_a_consequence(kb: KnowledgeBase) -> None:
    """The regalía article says PPM and PMA pay 0 %, not what befalls one who does not pay;
    the vigencia's two unpaid years end in caducidad, which the kit says."""
    question = "que pasa si un titular no paga la regalia minera"
    index = without_question(kb, question)
    found = index.judged(question)
    assert found is not None and found.evidence is not None
    assert found.evidence.named()["unsaid_consequence"] == 1.0
    assert index.search(question).best is None
    twin = "que pasa si el titular no paga la vigencia dos años seguidos"
    assert without_question(kb, twin).search(twin).best is not None


def test_how_often_is_answered_by_a_period(kb: KnowledgeBase) -> None:
    """«¿cada cuánto se renueva la constancia?»: «válida por dos años» says how often."""
    question = "cada cuanto se renueva la constancia de ppm"
    found = without_question(kb, question).judged(question)
    assert found is not None and found.evidence is not None
    assert found.evidence.named()["typed_absent"] == 0.0


def test_who_does_a_common_verb_asks_about_its_noun(kb: KnowledgeBase) -> None:
    """«¿quién hace el inventario…?»: «hace» says nothing of the act, the inventario is what
    is asked; the pasivos article never says it. «¿quién ve a los pequeños productores?»
    asks of the productores, which the article names: still answered."""
    question = "quien hace el inventario nacional de pasivos ambientales"
    index = without_question(kb, question)
    found = index.judged(question)
    assert found is not None and found.evidence is not None
    assert index.articles[found.ranked[0][0]].id == "ambiente-pasivos"
    assert found.evidence.named()["head_missing"] == 1.0
    assert index.search(question).best is None
    twin = "en lima metropolitana quien ve a los pequeños productores"
    answer = without_question(kb, twin).search(twin)
    assert answer.best is not None and answer.best.id == "regionalizacion-gobiernos-regionales"


def test_a_fragment_asks_about_the_noun_it_opens_with(kb: KnowledgeBase) -> None:
    """«multa por tener explosivos sin polvorín»: the explosivos article never says «multa»;
    «reglamento de seguridad…», whose reglamento the article is, is answered."""
    question = "multa por tener explosivos sin polvorin autorizado"
    index = without_question(kb, question)
    found = index.judged(question)
    assert found is not None and found.evidence is not None
    assert index.articles[found.ranked[0][0]].id == "seguridad-explosivos-sucamec"
    assert found.evidence.named()["head_missing"] == 1.0
    assert index.search(question).best is None
    twin = "reglamento de seguridad i salud okupasional"
    answer = without_question(kb, twin).search(twin)
    assert answer.best is not None and answer.best.id == "seguridad-reglamento"


def test_who_may_is_asked_about(kb: KnowledgeBase) -> None:
    """«¿las pallaqueras pueden inscribirse en el REINFO?»: the REINFO article never names
    them (the kit does, elsewhere): not sure. «¿la DREM puede sancionar…?» names the DREM
    its article speaks of."""
    question = "las pallaqueras pueden inscribirse en el reinfo?"
    index = without_question(kb, question)
    found = index.judged(question)
    assert found is not None and found.evidence is not None
    assert index.articles[found.ranked[0][0]].id == "formalizacion-reinfo"
    assert found.evidence.named()["head_missing"] == 1.0
    assert index.search(question).best is None
    twin = "la drem puede sancionar en temas de pama?"
    answer = without_question(kb, twin).search(twin)
    assert answer.best is not None and answer.best.id == "ambiente-gore-efa"


def test_a_yes_or_no_question_asks_about_its_last_word(kb: KnowledgeBase) -> None:
    """«¿se puede pagar la vigencia en cuotas?»: what is new comes last, and the vigencia
    article never speaks of cuotas: not sure. «¿sacar oro en un río es minería ilegal?»: the
    article says what is ilegal."""
    question = "se puede pagar la vigencia en cuotas"
    index = without_question(kb, question)
    found = index.judged(question)
    assert found is not None and found.evidence is not None
    assert index.articles[found.ranked[0][0]].id == "concesiones-derecho-de-vigencia"
    assert found.evidence.named()["head_missing"] == 1.0
    assert index.search(question).best is None
    twin = "sacar oro en un rio es mineria ilegal?"
    answer = without_question(kb, twin).search(twin)
    assert answer.best is not None and answer.best.id == "formalizacion-informal-ilegal"
