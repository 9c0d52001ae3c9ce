"""A question's asides (`knowledge.asides`): where the asker or the case comes from, English
or French around Spanish, a greeting in Quechua or Aymara. They say little of which article is
wanted, so the right one must not look as if it lacked them; a place the fact is asked about, a word
the kit writes, an acronym or an English word borrowed into Spanish stays asked."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.mark.parametrize(
    ("question", "found"),
    [
        ("¿los mineros de Chalhuanca pueden entrar al REINFO?", {"chalhuanca"}),
        ("pobladores de Santa Rosa de Sacco preguntan por el IGAFOM", {"santa", "rosa", "sacco"}),
        ("un campamento de Qqueshuarpata sin permisos", {"qqueshuarpata"}),  # a name, after «de»
        (
            "quick question: what is the deadline for the REINFO?",
            {"quick", "question", "what", "is", "for"},  # «the» is read as «te», a stopword
        ),
        # French around Spanish (session 28; on main before: none, each word weighed as the
        # kit's rarest and the right article looked as if it lacked them)
        ("bonjour, je suis nouvelle: ¿qué es el REINFO?", {"bonjour", "je", "suis", "nouvelle"}),
        # a regional director's curt orders about the reply's form, the kit's words too
        # (session 29, v25; on main before: no aside, each word asked)
        ("Resumen del proceso de formalización. Máximo 5 líneas.", {"maximo", "5", "lineas"}),
        ("Lista de obligaciones de pago de un titular minero. Sin rodeos.", {"sin", "rodeos"}),
        ("diferencia entre PPM y PMA, en dos líneas", {"dos", "lineas"}),
        ("¿Hasta cuándo va la formalización? Respuesta corta.", {"respuesta", "corta"}),
        ("Explícame en breve qué es el REINFO", {"en", "breve"}),  # «en breve»: briefly
    ],
)
def test_places_names_foreign_words_and_orders_are_asides(
    kb: KnowledgeBase, question: str, found: set[str]
) -> None:
    assert kb.index.asides_of(question) == found


@pytest.mark.parametrize(
    "question",
    [
        "¿cuántos mineros formalizados hay en Chalhuanca?",  # the place asked about
        "los trámites del laberinto del REINFO",  # a district's name, but a Spanish word here
        "¿qué dice la Contraloría del canon?",  # a name, but a Spanish word
        "¿cómo paso el reporte a Excel?",  # English borrowed into Spanish
        "¿el canon minero es un impôt o una regalía, svp?",  # two French words: no run
        "¿QUÉ ES EL RUC DE UN MINERO DE QQUESHUARPATA?",  # capitals say no name
        "¿qué es el canon minero?",  # the kit's own words
        "¿el plazo máximo para declarar la ubicación?",  # no order about the reply
        # «máximo» and a count of something else than the reply's lines or points: asked
        # (on main before, c014c02: «máximo» an aside before any count)
        "¿puedo tener máximo dos concesiones?",
        "¿el IGAFOM se presenta en máximo 30 días?",
        "si no pago la vigencia, ¿qué pasa?",
    ],
)
def test_what_is_asked_stays_asked(kb: KnowledgeBase, question: str) -> None:
    assert not kb.index.asides_of(question)


@pytest.mark.parametrize(
    "question", ["allillanchu, ¿qué es el IGAFOM?", "hello, ¿qué es el IGAFOM?"]
)
def test_a_greeting_in_any_language_is_no_asked_word(kb: KnowledgeBase, question: str) -> None:
    assert kb.index.query_words(question) == ["igafom"]
    answer = kb.index.search(question)
    assert answer.best is not None and answer.best.id == "formalizacion-igafom"


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("quick question: what is the deadline for formalization?", "formalizacion-plazos"),
        ("mercury and the Minamata convention: what does Peru have to do?", "ambiente-mercurio"),
    ],
)
def test_english_around_the_kits_concepts_finds_them(
    kb: KnowledgeBase, question: str, article: str
) -> None:
    """English mining words the kit says in Spanish (synonyms.yaml) are its words, and the
    English around them is no word the article lacks: a sure answer (on main, before: none)."""
    answer = kb.index.search(question)
    assert answer.best is not None and answer.best.id == article


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("Explícame en breve qué es el REINFO", "formalizacion-reinfo"),
        ("¿vence en breve el plazo del REINFO?", "formalizacion-plazos"),
        ("¿me llega en breve la constancia del REINFO?", "estratos-constancia"),
    ],
)
def test_en_breve_is_an_aside_whether_it_means_briefly_or_soon(
    kb: KnowledgeBase, question: str, article: str
) -> None:
    """«en breve» is matched as an order about the reply's form (`knowledge.asides._FORM`),
    also where it means «soon». Right in both readings: «soon» is not what is asked either
    (its twin «pronto» is a stopword, `knowledge.text`), so «breve» weighs as an aside and
    the question finds what it finds without it. (Not so «próximamente», neither a stopword
    nor an aside: «¿me llega próximamente la constancia del REINFO?» finds no sure answer.)"""
    assert {"en", "breve"} <= kb.index.asides_of(question)
    answer = kb.index.search(question)
    assert answer.best is not None and answer.best.id == article
    without = kb.index.search(question.replace(" en breve", ""))
    assert without.best is not None and without.best.id == article


def test_a_yes_or_no_order_negates_nothing(kb: KnowledgeBase) -> None:
    """«¿paga regalía? sí/no» asks whether it pays, as «¿paga regalía?» does: past questions that
    do not negate stay close (on main before: read as negated, every such one at 0)."""
    plain = kb.index.example_words("el productor artesanal paga regalía?")
    assert kb.index.example_words("el productor artesanal paga regalía? sí/no") == plain
    assert kb.index.example_words("el productor artesanal paga regalía? sí o no") == plain
    assert kb.index.example_words("el productor artesanal no paga regalía?")[-1] == "¬"
