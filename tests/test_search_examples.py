"""Example questions (examples.yaml): past questions that speak for their article or against
answering, kept by specialists in the Tool Kit's folder and checked by `kb revisar`; and the
cross-validation that measures them (bench.search_examples_cv)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.examples_from_eval import render
from bench.search_examples_cv import stratified, without
from knowledge.base import KnowledgeBase
from knowledge.check import check
from knowledge.examples import KIND_APART, ExampleMemory, gram_key, hashed
from knowledge.loader import CONTENT_DIR
from knowledge.model import NO_ANSWER, Example
from knowledge.text import words


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_grams_are_inside_words() -> None:
    found = hashed(["taller", "taller", "minero"])
    assert found[gram_key(" ta")] == 2 and found[gram_key("ller ")] == 2
    assert found[gram_key("nero ")] == 1
    assert gram_key("r m") not in found and gram_key("er mi") not in found  # never across two


def test_a_gram_key_is_the_same_in_every_process_and_one_per_gram() -> None:
    # Its bytes, not Python's salted hash: the Tool Kit's cache keeps the memory's keys.
    assert gram_key(" ta") == 0x01207461
    assert len({gram_key(g) for g in (" ta", "ta", "\x00ta", " tañ", " ta ")}) == 5
    assert gram_key("日本語") < 0 < gram_key("ñan")  # beyond Latin-1: a digest, apart


def test_closeness_per_article_and_without_answer() -> None:
    memory = ExampleMemory(
        [
            Example("requisitos para formalizarme", "b", 1),
            Example("que es una concesion", "a", 2),
            Example("telefono de la oficina", NO_ANSWER, 3),
            Example("pregunta de un articulo que ya no existe", "borrado", 4),
        ],
        ["a", "b"],
        words,
    )
    assert memory.count == 3  # the removed article's example is left out
    near, unanswered = memory.closeness(words("requisitos para formalisarme"))  # a typo
    assert near[1] > 0.6 > near[0]
    assert unanswered < 0.2
    near, unanswered = memory.closeness(words("telefono de la oficina de la drem"))
    assert unanswered > 0.6 and near.max() < 0.2
    near, unanswered = memory.closeness(words("zzzz"))
    assert near.max() == 0 and unanswered == 0


def test_the_closest_past_questions_vote() -> None:
    """One close question of the article is outvoted by several without answer that ask the
    same near miss other ways (`ExampleMemory.vote`); the closest alone (`closeness`) would
    say the article's."""
    memory = ExampleMemory(
        [
            Example("hasta cuando es el plazo para declarar la ubicacion", "a", 1),
            Example("hubo prorroga para declarar la ubicacion", NO_ANSWER, 2),
            Example("hubo prorroga pa declarar ubicacion", NO_ANSWER, 3),
            Example("ampliaron el plazo para declarar la ubicacion", NO_ANSWER, 4),
            Example("hay prorroga para la declaracion de ubicacion", NO_ANSWER, 5),
            Example("que es una concesion", "b", 6),
        ],
        ["a", "b"],
        words,
    )
    asked = words("hasta cuando hay plazo para declarar la ubicacion, hubo prorroga")
    near, unanswered = memory.closeness(asked)
    assert near[0] > unanswered  # the closest one is the article's
    vote = memory.vote(memory.similarities(asked), 0)
    assert vote["past_none"] > vote["past_same"] > 0
    assert vote["past_none"] + vote["past_same"] <= 1.0 + 1e-9
    assert memory.vote(memory.similarities(words("zzzz")), 0) == {
        "past_none": 0.0,
        "past_same": 0.0,
    }
    bare = ExampleMemory([], ["a", "b"], words)
    assert bare.vote(bare.similarities(asked), 0) == {"past_none": 0.0, "past_same": 0.0}


def test_a_past_question_of_another_kind_of_answer_is_less_close() -> None:
    """Question words are stopwords: «q es la formalizacion» and «hasta cuando es la
    formalizacion» share all their other words, yet one asks a definition and the other a date
    (`knowledge.examples.KIND_APART`); a question that asks no kind in particular is as close
    to both."""
    said = {  # as `SearchIndex.example_words` reads them: stems and marks
        "q es la formalizacion": ["formaliz", "¿definition"],
        "hasta cuando es la formalizacion": ["formaliz", "¿when"],
    }
    memory = ExampleMemory(
        [Example(q, a, 1) for q, a in zip(said, "ab", strict=True)], ["a", "b"], said.get
    )
    # a stored cell's weight is rounded to 1/65,535 (`CELL_SCALE`): a similarity to a few 10⁻⁵
    close = 1e-4
    when = memory.similarities(["formaliz", "¿when"])
    assert when[1] == pytest.approx(1.0, abs=close)
    assert when[0] == pytest.approx(KIND_APART, abs=close)
    plain = memory.similarities(["formaliz"])
    assert plain == pytest.approx([1.0, 1.0], abs=close)


def test_a_question_that_shares_no_gram_with_a_past_one_is_searched(kb: KnowledgeBase) -> None:
    """«¿cuándo qqqqzx?» asks a kind of answer with a word no past question has a letter
    trigram of: its similarities were integers and discounting the kinds apart raised
    (found in session 26; it failed on main)."""
    similar = kb.index.examples.similarities(["qqqqzx", "¿when"])
    assert similar.dtype.kind == "f" and not similar.any()
    answer = kb.index.search("¿cuándo qqqqzx?")
    assert not answer.confident


def test_an_empty_memory_changes_nothing(kb: KnowledgeBase) -> None:
    bare = kb.index.remember(())
    assert bare.examples.count == 0
    near, unanswered = bare.examples.closeness(["reinf"])
    assert near.shape == (len(bare.articles),) and not near.any() and unanswered == 0
    assert bare.search("que es el reinfo").best.id == "formalizacion-reinfo"


def test_past_questions_rank_their_article_first(kb: KnowledgeBase) -> None:
    """«¿Qué pasa si no pago la vigencia dos años seguidos?» is about losing the concession,
    not about the titular's payments; on words alone the payments article came first."""
    asked = "si no pago la vijencia dos años seguidos pierdo mi concesion?"
    first = kb.index.remember(()).ranked(asked, 1)[0][0].id
    assert first == "economia-pagos-titular"
    taught = kb.index.remember(
        [
            Example(
                "que pasa si no paga el derecho de vigencia dos años seguidos",
                "concesiones-derecho-de-vigencia",
                1,
            )
        ]
    )
    assert taught.ranked(asked, 1)[0][0].id == "concesiones-derecho-de-vigencia"


def test_a_past_question_answers_its_rephrasing(kb: KnowledgeBase) -> None:
    """«¿Para quién fue hecho este asistente?» is not sure on words alone; a specialist's
    example of the same question, written another way, makes it sure."""
    asked = "para quien fue hecho este asistente"
    assert kb.index.remember(()).search(asked).best is None
    taught = kb.index.remember(
        [Example("para quien esta hecho este asistente", "acerca-de-minka", 1)]
    )
    assert taught.search(asked).best.id == "acerca-de-minka"


def test_a_past_question_without_answer_stops_a_false_one(kb: KnowledgeBase) -> None:
    """«¿Quién es el director de la DREM Puno?» is no article's: the words alone sent it to
    «Acerca de Minka»; a past question like it, listed under sin-respuesta, stops that."""
    asked = "quien es el director de la drem puno"
    assert kb.index.remember(()).search(asked).best is not None
    taught = kb.index.remember([Example("nombre del director de la drem", NO_ANSWER, 1)])
    answer = taught.search(asked)
    assert answer.best is None and answer.others  # the closest are still shown


def test_the_shipped_examples_load_with_the_kit(kb: KnowledgeBase) -> None:
    assert len(kb.kit.examples) >= 800
    assert any(e.article == NO_ANSWER for e in kb.kit.examples)
    assert kb.index.examples.count >= 800
    # RSS matters: the bot stays under 150 MB. 4,363 past questions once v16 is spent (session
    # 18): 2.01 MB with the cells' starts in four bytes (2.06 MB in eight); 4,604 once v17 is
    # (session 19): 2.13 MB; 4,851 once v18 is (session 20): 2.27 MB; 5,097 once v19 is
    # (session 21): 2.41 MB; 5,339 once v20 is (session 22): 2.52 MB; 5,586 once v21 is
    # (session 23): 2.66 MB; 5,835 once v22 is (session 24): 2.79 MB; 6,083 once v23 is (session
    # 25): 2.90 MB, the budget raised from 2.8 to 3.0 MB: 0.1 MB of a bot measured at 144.5-145.3
    # MB RSS (#17, session 24) under its 150 MB, for 250 blind questions that are right answers;
    # 6,323 once v26 is (session 28): 3.03 MB, 2.96 MB with the n-grams' rarity in four bytes;
    # 6,572 once v25 is (session 29): 3.09 MB, 2.17 MB with the cells' weights in two bytes
    assert kb.index.examples.nbytes < 3_000_000


def test_specialists_teach_a_phrasing_in_their_folder(tmp_path: Path) -> None:
    """An example added to examples.yaml in the Tool Kit's folder counts once it is loaded
    (as `kb recargar` does, after the same checks)."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    asked = "si no pago la vijencia dos años seguidos pierdo mi concesion?"
    path = content / "examples.yaml"
    path.write_text("concesiones-derecho-de-vigencia: []\n", encoding="utf-8")
    assert KnowledgeBase.load(content).index.ranked(asked, 1)[0][0].id == "economia-pagos-titular"
    path.write_text(
        "concesiones-derecho-de-vigencia:\n  - si no pago la vigencia pierdo la concesion\n",
        encoding="utf-8",
    )
    assert check(content) == []
    first = KnowledgeBase.load(content).index.ranked(asked, 1)[0][0].id
    assert first == "concesiones-derecho-de-vigencia"


def test_revisar_checks_the_examples(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    path = content / "examples.yaml"
    path.write_text(
        "acerca-de-minka:\n"
        "  - que es minka\n"
        "no-existe:\n"
        "  - una pregunta\n"
        "sin-respuesta:\n"
        "  - ¿Qué es Minka?\n"
        "  - ''\n",
        encoding="utf-8",
    )
    found = [str(p) for p in check(content)]
    assert f"{path}:4: artículo inexistente: no-existe" in found
    assert f"{path}:6: pregunta repetida (también en la línea 2, bajo acerca-de-minka)" in found
    assert f"{path}:7: pregunta vacía o no es texto" in found
    path.write_text("- una lista\n", encoding="utf-8")
    assert [p.line for p in check(content) if p.path == path] == [1]
    path.unlink()  # optional: a kit without examples is sound
    assert check(content) == []


def test_folds_are_stratified_and_leave_their_questions_out(kb: KnowledgeBase) -> None:
    cases = [{"q": f"pregunta {i} de a", "expected": "a"} for i in range(10)]
    cases += [{"q": f"pregunta {i} de b", "expected": "b"} for i in range(3)]
    cases += [{"q": f"pregunta {i} sin respuesta", "expected": "none"} for i in range(5)]
    folds = stratified(cases, 5)
    assert sorted(c["q"] for f in folds for c in f) == sorted(c["q"] for c in cases)
    assert all(sum(c["expected"] == "a" for c in f) == 2 for f in folds)
    assert all(sum(c["expected"] == "none" for c in f) == 1 for f in folds)
    assert max(map(len, folds)) - min(map(len, folds)) <= 1
    examples = [Example("¿Pregunta 1 de A?", "a", 1), Example("otra", "b", 2)]
    fold = next(f for f in folds if any(c["q"] == "pregunta 1 de a" for c in f))
    assert without(examples, fold) == [examples[1]]


def test_writing_the_examples_again_keeps_the_specialists_own() -> None:
    """bench.examples_from_eval run again adds the tuning set's new questions and keeps the
    file's, also where a specialist moved one to another article."""
    own = [
        {"q": "pregunta de un especialista", "expected": "a"},
        {"q": "la movida", "expected": "none"},
    ]
    tuning = [{"q": "la movida", "expected": "b"}, {"q": "nueva del conjunto", "expected": "b"}]
    text = render(own + tuning, ["a", "b"], kept=len(own))
    assert text.endswith(
        'a:\n  - "pregunta de un especialista"\nb:\n  - "nueva del conjunto"\n'
        'sin-respuesta:\n  - "la movida"\n'
    )


def test_writing_the_examples_again_leaves_out_personal_data() -> None:
    """A tuning question that holds a RUC or names someone never becomes a shipped example,
    however often the examples are written again (6e1e91e and 5b67fce took three out by hand;
    the next run put them back)."""
    tuning = [
        {"q": "el ruc 20123456789 esta en el reinfo?", "expected": "a"},
        {"q": "juan quispe mamani quiere saber si esta inscrito", "expected": "a"},
        {"q": "la señora flores pregunta por su constancia", "expected": "none"},
        {"q": "que es el reinfo", "expected": "a"},
    ]
    text = render(tuning, ["a"])
    assert text.endswith('a:\n  - "que es el reinfo"\nsin-respuesta:\n')
