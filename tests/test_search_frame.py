"""Officials wrap a question in courtesy and in their own situation («disculpe ingeniero»,
«en la dirección regional nos preguntan…», «…? es que tenemos un caso en la provincia»):
neither says which article is wanted, so neither may cost the answer or make one up."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from knowledge.frame import asked


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("disculpe ingeniero, que es el reinfo", "formalizacion-reinfo"),
        ("que es el reinfo, gracias de antemano", "formalizacion-reinfo"),
        ("que es OEFA, muchas gracias", "ambiente-fiscalizacion"),
        ("le saluda el especialista, que es OEFA", "ambiente-fiscalizacion"),  # not «salud»
        ("necesito saber urgente que es el reinfo", "formalizacion-reinfo"),
        ("colega una pregunta rapida: que es el reinfo", "formalizacion-reinfo"),
        ("saludos cordiales, me podria orientar: que es el reinfo", "formalizacion-reinfo"),
        ("que es el reinfo. agradeceria su pronta respuesta", "formalizacion-reinfo"),
        ("hola, en la direccion regional nos preguntan que es el reinfo", "formalizacion-reinfo"),
        ("que es el reinfo? es que tenemos un caso en la provincia", "formalizacion-reinfo"),
        ("que es el reinfo porque el alcalde nos esta consultando", "formalizacion-reinfo"),
        (
            "estimado, le escribo desde la oficina de puno porque no se que es el reinfo",
            "formalizacion-reinfo",
        ),
    ],
)
def test_courtesy_and_the_askers_situation_do_not_cost_the_answer(
    kb: KnowledgeBase, question: str, article: str
) -> None:
    answer = kb.index.search(question)
    assert answer.best is not None and answer.best.id == article


@pytest.mark.parametrize(
    "question",
    [
        "hola, en la direccion regional nos preguntan como postular a un trabajo en el minem",
        "hola, en la direccion regional nos preguntan cuanto oro produce el peru al año",
        "cuanto oro produce el peru al año? es que tenemos un caso en la provincia",
    ],
)
def test_the_askers_situation_does_not_make_up_an_answer(kb: KnowledgeBase, question: str) -> None:
    assert kb.index.search(question).best is None


def test_the_situation_is_cut_only_around_a_question() -> None:
    assert asked("En la Dirección Regional nos preguntan si el IGAFOM vence") == (
        " si el igafom vence"
    )
    assert asked("¿qué es el REINFO? es que tenemos un caso") == "¿que es el reinfo"
    # nothing would be left: the words stay, the question is about them
    assert asked("¿qué hago si me preguntan?") == "¿que hago si me preguntan?"
    # «preguntan» that reports no question is a word of the question
    assert asked("los mineros preguntan mucho") == "los mineros preguntan mucho"
