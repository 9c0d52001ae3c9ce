"""A question forwarded, copied or dictated for someone else («Reenviado: [8:02, 5/12]
Director: …», «copio lo que manda el director: '…'», «mi papá pregunta…») asks what its bare
question asks: the wrapper's words (reenviado, director, audio, papá) are the kit's unknowns,
and left in they turned right first answers down (#14: v22's forwarded and dictated messages)."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from knowledge.frame import asked
from knowledge.text import words

WRAPPERS = (
    "Reenviado: [8:02, 5/12] Director: {}",
    "[10:40, 4/12] Ing. ambiental: '{}'",
    "copio lo que manda el director: '{}'",
    "[Reenviado] '{}'",
    "Reenvío de planeamiento: «{}»",
    "director (audio): '{}'",
    "mi papá pregunta {}",
    "el alcalde quiere saber {}",
    "{}? me lo preguntan en la radio de Bambamarca",
)
QUESTIONS = (
    ("cuánto dura la constancia de pequeño productor", "estratos-constancia"),
    ("hasta cuando es el plazo de la formalizacion", "formalizacion-plazos"),
    ("cuanto paga al año por su concesion de 100 hectareas", "concesiones-derecho-de-vigencia"),
)
UNANSWERED = ("a que hora atiende la DGFM en Lima", "cuanto cuesta un balon de gas")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_the_wrapper_is_not_what_is_asked(kb: KnowledgeBase, wrapper: str) -> None:
    for question, _article in QUESTIONS:
        found = kb.index.query_words(wrapper.format(question))
        assert found == kb.index.query_words(question)


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_a_forwarded_question_is_answered_as_its_bare_question(
    kb: KnowledgeBase, wrapper: str
) -> None:
    for question, article in QUESTIONS:
        answer = kb.index.search(wrapper.format(question))
        assert answer.best is not None and answer.best.id == article, question
    for question in UNANSWERED:  # nor does the wrapper make up an answer
        assert kb.index.search(wrapper.format(question)).best is None, question


@pytest.mark.parametrize(
    "message",
    [
        # the quote is not all the message: the question comes after it
        "Titular que quiero evitar: 'la consulta ya se hizo en el taller'. ¿Un taller informativo "
        "y una consulta previa son lo mismo?",
        # a label that asks, not one that says where the quote comes from
        "que es la DIA: 'declaracion'",
        # a quote inside the question
        "Los mineros de Secocha dicen que están 'en el reinfo'. Eso significa que ya son formales?",
    ],
)
def test_a_quote_that_is_not_forwarded_keeps_the_message_whole(message: str) -> None:
    assert words(asked(message)) == words(message)
