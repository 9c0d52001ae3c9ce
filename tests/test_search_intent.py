"""The kind of question asked (what, how, how much, what for, the difference…), read from
its words, and the kinds an article answers, without Telegram."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from knowledge.intent import (
    AMOUNT,
    DEFINITION,
    DIFFERENCE,
    HOW,
    PURPOSE,
    WHEN,
    WHO,
    answered,
    intents,
)
from knowledge.text import words


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_question_kind_is_read_from_question_words() -> None:
    assert intents(words("¿Cuántos inscritos hay?")) == {AMOUNT}
    assert intents(words("que es el reinfo")) == {DEFINITION}
    assert intents(words("para que es la ventanilla")) == {PURPOSE}  # not what it is
    assert intents(words("cada cuanto se reúnen")) == frozenset()  # how often
    assert intents(words("hasta que fecha")) == {WHEN}
    assert intents(words("es lo mismo consulta y participacion")) == {DIFFERENCE}
    assert intents(words("un taller cuenta como consulta previa?")) == {DIFFERENCE}
    assert intents(words("el igac sirve igual q el igafom?")) == {DIFFERENCE}
    assert intents(words("hola, como me formalizo")) == {HOW}
    assert intents(words("quiero formalizarme como minero")) == frozenset()  # «as»


def test_words_that_ask_for_a_figure_or_for_advice() -> None:
    assert intents(words("que porcentaje de mineros se formalizo")) == {AMOUNT}
    assert intents(words("hay cifras de la formalizacion")) == {AMOUNT}
    assert intents(words("ideas para que participen las mujeres")) == {HOW}
    assert intents(words("recomendaciones para una visita de campo")) == {HOW}


def test_a_purpose_is_asked_apart(kb: KnowledgeBase) -> None:
    """«¿para qué sirve Minka?» is answered by «Acerca de Minka» (keyworded «para qué
    sirve»), not by how to use it."""
    assert intents(words("para que sirve el bot")) == {PURPOSE}
    assert PURPOSE in answered(kb.kit.articles["acerca-de-minka"])
    answer = kb.index.search("para que sirve minka")
    assert answer.best is not None and answer.best.id == "acerca-de-minka"


def test_articles_answer_the_kinds_their_titles_ask(kb: KnowledgeBase) -> None:
    assert AMOUNT in answered(kb.kit.articles["formalizacion-resultados"])
    assert DEFINITION in answered(kb.kit.articles["formalizacion-reinfo"])
    assert WHO in answered(kb.kit.articles["concesiones-quien-otorga"])


def test_what_an_acronym_stands_for_is_a_definition(kb: KnowledgeBase) -> None:
    """«significan» and «siglas» were words the REINFO article lacks, so Minka was not sure."""
    assert intents(words("q significan las siglas reinfo")) == {DEFINITION}
    answer = kb.index.search("hola disculpe, q significan las siglas reinfo")
    assert answer.best is not None and answer.best.id == "formalizacion-reinfo"


def test_whether_one_thing_counts_as_another_asks_the_difference(kb: KnowledgeBase) -> None:
    """«¿Un taller informativo cuenta como consulta previa?» is answered by the article that
    tells the two apart, not by the one on participation (#14)."""
    answer = kb.index.search("un taller informativo cuenta como consulta previa?")
    assert answer.best is not None and answer.best.id == "social-participacion-vs-consulta"
