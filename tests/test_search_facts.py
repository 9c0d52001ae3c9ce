"""The fact a question asks for, looked for in the article's sentences (`knowledge.facts`),
on the real Tool Kit: near misses (the topic is in an article, the fact asked is not) get no
sure answer; a question whose fact the article states keeps its sure answer."""

from __future__ import annotations

import random

import pytest

from knowledge.base import KnowledgeBase
from knowledge.facts import (
    AGENT,
    AMOUNT,
    DATE,
    DURATION,
    PLACES,
    REQUIRED,
    _kin,
    acting_terms,
    asked_fact,
)
from knowledge.sentence import sentences
from knowledge.text import words


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.fixture(scope="module")
def bare(kb: KnowledgeBase) -> KnowledgeBase:
    """The kit without its example questions: these questions are examples too, and an
    example finds itself; the rules alone are tested here."""
    return KnowledgeBase(kb.kit, kb.index.remember(()))


@pytest.mark.parametrize(
    ("question", "kind", "focus"),
    [
        ("cuantos trabajadores puede tener un pma", AMOUNT, "trabajadores"),
        ("cuanto se paga de derecho de vigencia", AMOUNT, "derecho"),  # the verb is skipped
        ("que porcentaje del canon recibe la provincia", AMOUNT, None),
        ("cuanto tiempo demora el senace", DURATION, None),
        ("en cuantos dias se emite la constancia", DURATION, None),
        ("hasta cuando se paga la vigencia", DATE, None),
        ("cuando vence la constancia de pequeño productor", DATE, None),
        ("cuando se considera que un minero ya es formal", DATE, None),  # «que» before a noun
        ("cuando empieza el censo y como apoya la drem", DATE, None),  # two questions
        ("que regiones tienen convenio de minamata", PLACES, None),
        ("quien preside el comite de alto nivel", AGENT, "preside"),
        ("que entidad otorga la concesion de beneficio", AGENT, "otorga"),
        ("el censo quien lo financia", AGENT, "financia"),  # its pronoun skipped
        ("cuales son los requisitos para inscribirse en el reinfo", REQUIRED, None),
        ("que documentos piden para la constancia", REQUIRED, None),
    ],
)
def test_the_kind_of_fact_asked(question: str, kind: str, focus: str | None) -> None:
    asked = asked_fact(words(question))
    assert asked is not None and (asked.kind, asked.focus) == (kind, focus)


@pytest.mark.parametrize(
    "question",
    [
        "cada cuanto se renueva la constancia",  # how often: not an amount
        "cuantas etapas tiene el ciclo minero",  # counted kinds: a list answers
        "el programa reporta cuantas mujeres participan",  # whether a count is kept
        "que debo verificar cuando visito una operacion",  # «cuando» joins, does not ask
        # an opening «cuando» that joins a clause to another question (#14, v19)
        "cuando subo a la rinconada a ver una labor q reviso de seguridad",
        "cuando el reinfista ya tiene todo, q resolucion le falta para ser formal",
        "en cuanto a la fiscalizacion que hace la drem",  # «en cuanto a»: regarding
        "a quien aviso si encuentro explosivos mal guardados",  # whom to go to, not who acts
        "quien es el ente rector de la pequeña mineria",  # who it is: a definition
        "quien da la licencia para usar explosivos",  # a common verb: any article says it
    ],
)
def test_questions_that_ask_for_no_particular_fact(question: str) -> None:
    assert asked_fact(words(question)) is None


def test_a_laws_number_a_year_or_a_day_is_not_an_amount(kb: KnowledgeBase) -> None:
    """«regulados por la Ley 28271, del 6 de julio de 2004»: no amount of anything; the
    validity of the constancia («válida por dos años») is a length of time."""
    term = kb.index.term
    passives = sentences(kb.kit.articles["ambiente-pasivos"], term)
    assert not any(s.amount for s in passives) and any(s.dated for s in passives)
    constancia = sentences(kb.kit.articles["estratos-constancia"], term)
    assert any("años" in s.lengths for s in constancia)
    assert not any("dias" in s.lengths for s in constancia)


@pytest.mark.parametrize(
    ("question", "closest"),
    [
        # the strata article gives hectares and tonnes, not workers
        ("cuantos trabajadores puede tener un productor minero artesanal", "estratos-ppm-pma"),
        # the SENACE article dates when it started, it states no length of time
        ("cuanto tiempo demora el senace en aprobar un eia detallado", "ambiente-eia-senace"),
        # the constancia lasts two years: no number of days to issue it
        ("en cuantos dias la drem tiene que emitir la constancia de ppm", "estratos-constancia"),
        # «tres prácticas» is no amount of mercury
        ("cuanto mercurio usa un minero artesanal por cada gramo de oro", None),
        ("cuanta plata le transfiere el minem a las drem para la formalizacion", None),
        ("que regiones tienen convenio de minamata", "ambiente-mercurio"),
        ("en que fecha se reune el comite de alto nivel con el minem", None),
        ("cuantos pama ha aprobado el gobierno regional de puno", None),
        ("cual es la tasa del gravamen especial a la mineria para el 2026", None),
        ("en que mes se paga la regalia minera", None),
        # the article tells what the censo is and who coordinates it, not who pays for it
        ("quien financia el censo de la pequeña mineria", "formalizacion-censo"),
        ("quien preside el comite de alto nivel entre el minem y las regiones", None),
        ("que institucion financia la politica nacional de pequeña mineria al 2030", None),
        # «la transferencia se declaró concluida en 2007»: by whom, it does not say
        ("quien declaro concluida la transferencia de funciones a las regiones", None),
        # no sentence of the REINFO article says what is required to register
        ("cuales son los requisitos para inscribirse en el reinfo", "formalizacion-reinfo"),
        ("requisitos para que una region sea region piloto del programa", None),
        # «cuadrículas de 100 hectáreas» is an item after one on the catastro, not its size
        ("cuantas hectareas tiene el catastro minero nacional", "concesiones-quien-otorga"),
    ],
)
def test_near_misses_get_no_sure_answer(
    bare: KnowledgeBase, question: str, closest: str | None
) -> None:
    """Each was a sure answer before: the article matched the topic, not the fact."""
    answer = bare.index.search(question)
    assert answer.best is None and answer.others
    if closest is not None:
        assert answer.others[0].id == closest


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("cuantos dolares por hectarea es la vigencia minera", "concesiones-derecho-de-vigencia"),
        ("dl 1336 a cuantos requisitos redujo la formalizacion", "formalizacion-requisitos"),
        ("por cuanto tiempo autoriza la sucamec los explosivos", "seguridad-explosivos-sucamec"),
        ("cuanto tienpo vale la constancia de pma", "estratos-constancia"),
        ("que porcentaje del canon recibe la provincia", "economia-canon-distribucion"),
        ("cuando se creo el reinfo", "formalizacion-reinfo"),  # «Lo creó…» names it before
        # the article says which regions is not verified: as far as the kit can answer
        ("que regiones completaron la transferencia de expedientes", "regionalizacion-expedientes"),
        ("cuales son las regiones piloto del programa", "acerca-de-minka"),
        # «Desde la Ley 31347 (2021)…»: a year right after a law's number is still a date
        ("desde cuando la region aprueba los planes de cierre de pma", "ambiente-cierre-de-minas"),
        ("quien financio el proyecto percan", "programa-percan"),  # «financiado por la CIDA»
        ("quien creo la sucamec", "seguridad-explosivos-sucamec"),  # «creada por el DL 1127»
        # the SENACE «aprueba» the EIA-d: evaluating and approving are one act of a body
        ("estudio de impacto ambiental categoria iii quien lo evalua", "ambiente-eia-senace"),
        ("bocaminas abandonadas quien las remedia", "ambiente-pasivos"),  # its keywords
        # «los requisitos… deben confirmarse con la oficina de la ANA»
        ("requisitos para licencia de uso de agua en la ana", "ambiente-agua-ana"),
        # the limits of each stratum are what it takes to be one
        ("cuales son los requisitos para ser pequeño productor minero", "estratos-ppm-pma"),
        # the article is about the REINFO: its sentences need not name it
        (
            "cuantos reinfos terminaron su proceso el 30 de junio de 2025",
            "formalizacion-reinfo-estados",
        ),
        ("cuantas categorias tiene el seia", "ambiente-seia"),  # the title names the SEIA
    ],
)
def test_facts_the_article_states_keep_their_answer(
    bare: KnowledgeBase, question: str, expected: str
) -> None:
    answer = bare.index.search(question)
    assert answer.best is not None and answer.best.id == expected


def test_who_acts_is_found_by_family_as_by_each_term(kb: KnowledgeBase) -> None:
    """`Family` (who acts, looked up at once: `knowledge.facts._acted`) finds a form's kin
    exactly when comparing it with each term one by one (`_kin`) does: forms that extend a
    term, that a term extends, that share only a start, short ones and unknown ones."""
    rng = random.Random(5)
    articles = list(kb.kit.articles.values())
    for article in rng.sample(articles, 12):
        held = sentences(article, kb.index.term)
        family = acting_terms(frozenset(), held)
        terms = {t for sentence in held if sentence.named for t in sentence.stems}
        pool = sorted(
            t
            for other in rng.sample(articles, 3)
            for t in kb.index.field_texts(other)["body"].split()
        )
        forms = {t[:n] for t in rng.sample(pool, 60) for n in (2, 3, 4, 5, 6, len(t))}
        forms |= {t + "x" for t in list(terms)[:20]} | {"zzzz", "a", "aprob", "otorg"}
        found = {form for form in forms if any(_kin(form, term) for term in terms)}
        assert found, article.id  # the check compares something found
        assert {form for form in forms if family.has_kin(form)} == found, article.id
