"""Spanish as officials type it, without Telegram: folding, typos repaired (and Spanish
words left alone), stems, plurals, numbers and counted days."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from knowledge.spelling import Speller
from knowledge.text import (
    content_words,
    fold,
    misspelt_stopword,
    sound_key,
    stem,
    undiphthonged,
    words,
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_normalisation() -> None:
    assert fold("Formalización MINERA") == "formalizacion minera"
    assert fold("EIA-d") == "eiad"
    assert content_words("¿Qué es el REINFO, por favor?") == ["reinfo"]
    assert sound_key("formalisacion") == sound_key("formalización".replace("ó", "o"))
    assert sound_key("vijencia") == sound_key("vigencia")
    assert stem("concesiones") == stem("concesion")


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("ke es el reinfo", "formalizacion-reinfo"),
        ("cuamto se paga de vigencia", "concesiones-derecho-de-vigencia"),
        ("ola que es el igafom", "formalizacion-igafom"),
    ],
)
def test_misspelt_question_words_do_not_sink_the_answer(
    kb: KnowledgeBase, question: str, article: str
) -> None:
    """A typo in «qué» or «cuánto» used to count as an unknown word and lose the answer."""
    answer = kb.index.search(question)
    assert answer.best is not None and answer.best.id == article


def test_misspelt_stopwords_are_read_as_meant() -> None:
    assert misspelt_stopword("ke") == "que"
    assert misspelt_stopword("quein") == "quien"
    assert misspelt_stopword("dode") == "donde"
    assert misspelt_stopword("cuento") is None  # a Spanish word, not «cuánto» misspelt
    assert misspelt_stopword("reinfo") is None


def test_numbers_are_neither_split_nor_repaired(kb: KnowledgeBase) -> None:
    """«1,000 hectáreas» in the kit is the 1000 an official types; «1000» was «repaired»
    into 10 (its sound key collapses the zeros)."""
    assert words("1,000 hectáreas; Ley 28.271; 2.5 %") == [
        "1000",
        "hectareas",
        "ley",
        "28271",
        "2",
        "5",
        "porcentaje",
    ]
    assert kb.index.correct("1000") == "1000"
    assert kb.index.correct("7000") is None  # not 70, nor 700
    assert "1000" in kb.index.terms("un pma puede tener mas de 1000 hectareas")


def test_a_percentage_is_asked_as_a_word(kb: KnowledgeBase) -> None:
    """The kit writes «2%», officials ask «¿qué porcentaje…?»."""
    assert words("cerca del 2% se formalizó") == [
        "cerca",
        "del",
        "2",
        "porcentaje",
        "se",
        "formalizo",
    ]
    answer = kb.index.search("que porcentaje de inscritos ya se formalizo")
    assert answer.best is not None and answer.best.id == "formalizacion-resultados"


def test_counted_days_are_a_term(kb: KnowledgeBase) -> None:
    """«día» is a stopword (buenos días, por día) but «120 días» is a deadline the kit
    names; DIA the acronym stays apart."""
    assert content_words("el plazo de 120 días") == ["plazo", "120", "dias"]
    assert content_words("en cuantos dias") == ["dias"]
    assert content_words("buenos dias") == []
    assert kb.index.term("dia") != kb.index.term("dias")
    assert "120_dias" in kb.index.terms("cuanto dura el plazo de 120 dias")


def test_verb_forms_with_a_diphthong_find_the_noun(kb: KnowledgeBase) -> None:
    """«transfieren» is transferir (stem transfer-), not a word the kit lacks."""
    assert undiphthonged("transfier") == ["transfer"]
    assert undiphthonged("cuent") == []  # cuenta → cont- would be another word
    assert "transfer" in kb.index.terms("en cuantos dias transfieren los expedientes")


def test_a_singular_the_stemmer_misreads_finds_its_plural(kb: KnowledgeBase) -> None:
    """Snowball cuts «comando» to com- (as if a gerund) but «comandos» to comand-."""
    assert stem("comando") != stem("comandos")
    assert stem("comandos") in kb.index.terms("que hace el comando /temas")


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("taller informativo para la poblacion", "social-participacion-ciudadana"),
        # declined by session 17's first refit (v14, v15 spent), answered again with the vote,
        # declined again since v17 is spent (session 19's refit); ranked first all along;
        # answered since a past question without answer votes with what of it is asked
        # (session 29, `knowledge.examples.ExampleMemory.vote`)
        ("mineria en el rio", "formalizacion-informal-ilegal"),
    ],
)
def test_a_singular_finds_the_plural_the_kit_wrote(
    kb: KnowledgeBase, question: str, article: str
) -> None:
    """Snowball cuts «taller» to tall- but «talleres» to taller-, «río» and «ríos» apart:
    a word whose plural the kit uses is indexed as the plural, and a plural asked finds the
    singular written."""
    assert stem("taller") != stem("talleres")
    assert kb.index.term("taller") == kb.index.term("talleres")
    assert kb.index.term("gobierno") == kb.index.term("gobiernos")
    answer = kb.index.search(question)
    assert answer.best is not None and answer.best.id == article


def test_a_form_of_a_spanish_verb_is_not_repaired_into_another_word(kb: KnowledgeBase) -> None:
    """The word list holds «vencer» but not «vence», which one edit turned into «vende»: «¿se
    vence el REINFO?» asked about selling. A typo of a kit word is still repaired."""
    speller = Speller({"vende", "vigencia", "concesion"})
    assert speller.correct("vence") is None
    assert speller.correct("vijencia") == "vigencia"
    assert speller.correct("consecion") == "concesion"
    answer = kb.index.search("se vence el reinfo este año?")
    assert answer.best is not None and answer.best.id == "formalizacion-plazos"


def test_a_spelling_the_rae_accepts_finds_the_one_the_kit_writes(kb: KnowledgeBase) -> None:
    """«trasporte» is Spanish, so it was never repaired, and the kit writes «transporte»."""
    answer = kb.index.search("el trasporte de mineral por faja")
    assert answer.best is not None and answer.best.id == "ciclo-minero-transporte-comercio"
