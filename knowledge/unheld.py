"""Facts the Tool Kit never holds, though an article shares the question's words: an office's
address, hours or phone, a price or a salary (`practical`), a value as it stands today
(`about_now`), how the asker's own file stands (`own_file`), a count the kit does not state
(`counted`) or an amount of a year it never names (`unnamed_year`), how to get a document of
another agency (`errand`), who holds an office now (`office_holder`), or an amount, a length of
time, a date or a list of regions that no sentence about what was asked states
(`knowledge.facts`). A question that asks for
one is answered only by an article that holds that kind of fact; otherwise Minka shows the
closest articles as such.

What an article holds is read from the article itself (`Holdings`): what it is about (the
terms of its title, keywords and summary, not a word its text uses in passing: «horarios
compatibles» in the pallaqueras article is not the DREM's opening hours), whether its facts
are dated (`valid_as_of`: a person checked a fact that changes) or say a value changes
(«se actualiza», «cambia» beside it), and the things it counts (a term with a number beside
it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from knowledge.facts import (
    AMOUNT,
    DURATION,
    LISTED,
    RECORDING,
    Asked,
    Family,
    acting_terms,
    asked_fact,
    stated,
)
from knowledge.model import Article
from knowledge.sentence import NUMBER_WORDS, Sentence, says, sentences, year
from knowledge.text import GENERIC_VERBS, STOPWORDS, counted_days, stem, words

# An office's phone, hours, address or contact, a price (what a thing costs; a rate:
# «¿a cuánto está…?»), a salary or a fee, a file to send, the news (elections), an opinion,
# job offers.
_PRACTICAL = frozenset(
    """telefono telefonos celular whatsapp correo email horario horarios atiende atienden
    sueldo sueldos salario salarios remuneracion gana ganan precio precios cotizacion cobra cobran
    cuesta cuestan tarifa tarifas pdf noticias elecciones opina opinas
    contratando""".split()  # noqa: SIM905
)
# Words that set a question at today's date: what holds today is a dated fact. Not «ahora»
# nor «actual»: officials say them of the law since the last reform («¿quién es ahora el
# ente rector?», «la ley actual»), which an undated article states.
_NOW = (
    ("hoy",),
    ("mañana",),
    ("este", "año"),
    ("este", "mes"),
    ("esta", "semana"),
    ("a", "la", "fecha"),
    ("este", "momento"),
)
_NOW_WORDS = frozenset(w for phrase in _NOW for w in phrase)
# An article that says a value changes («el valor de la UIT se actualiza cada año») and is
# not dated does not hold today's value; one that states a fixed amount (the vigencia's US$ 3
# a hectare) answers «¿cuánto es la vigencia este año?».
_CHANGES = frozenset({"actualiza", "actualizan", "cambia", "cambian", "varia", "varian"})
_COUNTING = frozenset({"cuantos", "cuantas"})
NEAR = 3  # words between a number and what it counts
# Getting a document: «¿cómo saco mi RUC?», «requisitos para sacar pasaporte».
_OBTAIN = frozenset(stem(v) for v in ("sacar", "obtener", "tramitar", "renovar", "conseguir"))
_NOT_OBTAIN = frozenset({"tramite", "tramites"})  # nouns: «¿qué trámites tiene que tener?»


# How the asker's own file stands («¿cómo va mi trámite?», «¿mi IGAFOM fue aprobado?»): no
# article holds anyone's file.
_MINE = frozenset({"mi", "mis"})
_STATUS = (
    ("como", "va"),
    ("como", "van"),
    ("en", "que", "estado"),
    ("estado", "de", "mi"),
    ("estado", "de", "mis"),
    ("ya", "salio"),
    ("fue", "aprobado"),
    ("fue", "aprobada"),
    ("ya", "aprobaron"),
    ("esta", "activo"),
    ("esta", "activa"),
)


_PENALTIES = frozenset({"multa", "multas", "penalidad", "penalidades", "sancion", "sanciones"})
# Who holds an office now («¿cómo se llama el actual ministro?»): the kit names no one.
_OFFICE_HOLDERS = frozenset(
    """ministro ministra viceministro viceministra gobernador gobernadora alcalde alcaldesa
    director directora presidente presidenta jefe jefa""".split()  # noqa: SIM905
)
# A number this long names one person's or one file's record (DNI: 8 digits, RUC: 11).
RECORD_DIGITS = 8
# Words that ask for an amount: asked of a year, only an article naming that year holds it.
_AMOUNT = frozenset({"cuanto", "cuanta", "monto", "valor", "cifra", "tasa", "porcentaje"})


@dataclass(frozen=True, slots=True)
class Holdings:
    """What kinds of fact one article holds."""

    about: frozenset[str]  # terms of its title, keywords and summary
    dated: bool  # its changing facts carry the day they were checked
    counted: frozenset[str]  # terms with a number beside them
    acting: Family  # where a body that acts is looked for (`facts.acting_terms`)
    changing: frozenset[str] = frozenset()  # terms beside a word that says they change
    years: frozenset[str] = frozenset()  # the years its text names («2025»)
    sentences: tuple[Sentence, ...] = ()  # what each sentence holds (`knowledge.sentence`)


def holdings(article: Article, term: Callable[[str], str]) -> Holdings:
    """`article`'s holdings, its words read as index terms by `term`."""
    about = frozenset(
        term(w) for text in (article.title, article.summary, *article.keywords) for w in words(text)
    )
    found = words(f"{article.title} . {article.summary} . {article.body}")
    numbers = [i for i, w in enumerate(found) if w.isdigit() or w in NUMBER_WORDS]
    changes = [i for i, w in enumerate(found) if w in _CHANGES]
    held = sentences(article, term)
    return Holdings(
        about,
        article.valid_as_of is not None,
        frozenset(_beside(found, numbers, term)),
        acting_terms(about, held),
        frozenset(_beside(found, changes, term)),
        frozenset(w for w in found if year(w)),
        held,
    )


def _beside(found: list[str], places: list[int], term: Callable[[str], str]) -> set[str]:
    """The terms of `found` within `NEAR` words of one of the positions `places`."""
    return {
        term(found[j])
        for i in places
        for j in range(max(0, i - NEAR), min(len(found), i + NEAR + 1))
    }


def practical(typed: list[str]) -> list[str]:
    """The folded words of `typed` that ask for a practical fact the kit never holds
    («queda» only as a place: «¿dónde queda…?»; «está» only as a rate: «¿a cuánto está…?»;
    not a penalty charged, «¿le cobran multa?», which the law sets)."""
    return [
        w
        for i, w in enumerate(typed)
        if (
            w in _PRACTICAL
            or (w in ("queda", "quedan") and i > 0 and typed[i - 1] == "donde")
            or (w in ("esta", "estan") and typed[max(0, i - 2) : i] == ["a", "cuanto"])
        )
        and not _PENALTIES.intersection(typed[i + 1 : i + 1 + NEAR])
    ]


def about_now(typed: list[str]) -> bool:
    """Whether the question asks how things stand today («la UIT de este año», «hoy»; not
    «hoy en día», nowadays)."""
    return any(says(typed, phrase) for phrase in _NOW) and not says(typed, ("hoy", "en", "dia"))


def own_file(typed: list[str]) -> bool:
    """Whether the question asks how the asker's own file or registration stands, or one
    named by its number («la inscripción con RUC 10456789012 ¿está vigente?»)."""
    if any(w.isdigit() and len(w) >= RECORD_DIGITS for w in typed):
        return True
    return bool(_MINE.intersection(typed)) and any(says(typed, phrase) for phrase in _STATUS)


def office_holder(typed: list[str]) -> bool:
    """Whether the question asks who holds an office now («el actual ministro», «¿cómo se
    llama el director…?»): the kit names no one."""
    return any(
        w in _OFFICE_HOLDERS
        and ("actual" in typed[max(0, i - 2) : i] or says(typed, ("se", "llama")))
        for i, w in enumerate(typed)
    )


def unnamed_year(typed: list[str], held: Holdings) -> bool:
    """Whether the question names a year the article never names: with an amount asked
    («monto de la UIT 2027», «¿cuánto canon recibió Moquegua el 2025?»), one it does not hold."""
    return any(year(w) and w not in held.years for w in typed)


def counted(typed: list[str]) -> list[str]:
    """The words asked after «¿cuántos…?» (what is counted and where), or none when the
    question counts nothing, counts kinds («¿cuántas etapas…?»: a list answers) or asks
    whether a count is kept («¿reporta cuántas…?»)."""
    for i, word in enumerate(typed):
        if word in _COUNTING and not (i and typed[i - 1] in RECORDING):
            asked = [
                w
                for j, w in enumerate(typed)
                if j > i and (w not in STOPWORDS or counted_days(typed, j))
            ]
            return [] if not asked or asked[0] in LISTED else asked
    return []


def errand(typed: list[str]) -> list[str]:
    """The words after getting a document is asked («¿cómo saco mi RUC?» → ruc)."""
    for i, word in enumerate(typed):
        if (stem(word) in _OBTAIN and word not in _NOT_OBTAIN) or (
            word == "requisitos" and typed[i + 1 : i + 2] == ["para"]
        ):
            after = typed[i + 1 :]
            return [w for w in after if w not in STOPWORDS and stem(w) not in GENERIC_VERBS]
    return []


@dataclass(frozen=True, slots=True)
class Asks:
    """What a question asks that no article changes, read once for the closest articles
    (`lacks` checks each): each part as its function above finds it."""

    practical: list[str]
    own_file: bool
    office_holder: bool
    amount: bool  # an amount is asked: of a year the article never names, it lacks it
    now: bool  # `about_now`
    counted: list[str]
    errand: list[str]
    fact: Asked | None  # `knowledge.facts.asked_fact` of the repaired words
    said: list[str]  # the repaired words (the typed ones when none were given)
    typed: list[str]


def asks(typed: list[str], repaired: list[str] | None = None) -> Asks:
    """What the question (folded words `typed`, `repaired` their typos) asks for."""
    said = typed if repaired is None else repaired
    return Asks(
        practical(typed),
        own_file(typed),
        office_holder(typed),
        bool(_AMOUNT.intersection(typed)),
        about_now(typed),
        counted(typed),
        errand(typed),
        asked_fact(said),
        said,
        typed,
    )


def lacks(asked: Asks, term: Callable[[str], str], held: Holdings) -> str | None:
    """The kind of fact `asked` that the article (`held`, words read as index terms by
    `term`) does not hold, or None when it may answer."""
    typed = asked.typed
    if any(term(w) not in held.about for w in asked.practical):
        return "practical"
    if asked.own_file:
        return "status"
    if asked.office_holder:
        return "person"  # no line of its own: the closest articles are shown as such
    if asked.amount and unnamed_year(typed, held):
        return "count"
    if (
        asked.now
        and not held.dated
        and any(term(w) in held.changing for w in typed if w not in _NOW_WORDS | STOPWORDS)
    ):
        return "now"
    if asked.counted and not any(term(w) in held.counted for w in asked.counted):
        return "count"
    if asked.errand and not any(term(w) in held.about for w in asked.errand):
        return "errand"
    fact, said = asked.fact, asked.said
    if fact and not stated(fact, said, term, held.sentences, held.about, held.acting):
        return "count" if fact.kind in (AMOUNT, DURATION) else "fact"
    return None
