"""A situation told in the kit's own words must not make up a sure answer: the answer has to
cover what the message asks, told apart by a question word, a «?», or by its place last."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from knowledge.frame import last_stretch


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_the_last_stretch() -> None:
    assert last_stretch("vino un productor con su constancia, receta de pachamanca") == (
        " receta de pachamanca"
    )
    assert last_stretch("receta de pachamanca") is None  # nothing before it


@pytest.mark.parametrize(
    "question",
    [
        # one word asked, but one the kit never uses
        "tenemos un caso de un pma que trabaja en una concesion ajena, que es la inflacion",
        "estamos revisando el igafom de un minero en formalizacion, que es la inflacion",
        # no question word: what comes last is asked
        "un productor minero artesanal vino con su constancia, receta de pachamanca",
        "la drem recibio una denuncia por uso de mercurio, clima en puno mañana",
    ],
)
def test_a_situation_in_the_kits_words_makes_up_no_answer(
    kb: KnowledgeBase, question: str
) -> None:
    """Without the example questions: the search's own judgement."""
    assert kb.index.remember(()).search(question).best is None


@pytest.mark.parametrize(
    ("question", "article"),
    [
        (
            "checklist de seguridad pa inspeccionar una labor artesanal: ventilacion, "
            "sostenimiento, epp",
            "seguridad-en-campo",
        ),
    ],
)
def test_what_is_asked_and_covered_keeps_its_answer(
    kb: KnowledgeBase, question: str, article: str
) -> None:
    answer = kb.index.remember(()).search(question)
    assert answer.best is not None and answer.best.id == article
