"""What one sentence of an article holds: a number that counts, a length of time, a date,
someone who acts, departments, what is required, whether the fact is to be confirmed; read
once per article when the index is built, so that a question's fact (`knowledge.facts`) is
looked for sentence by sentence, and a passage's (`knowledge.calibration`) too.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.model import Article
from knowledge.text import STOPWORDS, words

PREFIX = 5  # a word's family, loosely: «inscritos» asked, «inscripciones» written
_SENTENCE_END = re.compile(r"[;!?\n]|\.(?!\d)")
UNITS = {  # a length of time asked or written, by its unit
    "dia": "dias",
    "dias": "dias",
    "semana": "semanas",
    "semanas": "semanas",
    "mes": "meses",
    "meses": "meses",
    "año": "años",
    "años": "años",
    "ano": "años",
    "anos": "años",
}
_MONEY = frozenset("us dolares soles uit porcentaje".split())  # noqa: SIM905
_REQUIRING = ("requisit", "exig", "condicion", "document", "papel", "limit", "necesit", "falt")
# Someone who acts, in a sentence: a name or an acronym written with a capital after its first
# word («financiado por Canadá», «aprobada por el Decreto Supremo…», «la emite la DREM»), or
# a body («el gobierno regional»). «La transferencia se declaró concluida en 2007» names no one.
_NAME = re.compile(r"\b[A-ZÁÉÍÓÚÑ]")
_ACTORS = frozenset(
    """gobierno gobiernos ministerio direccion gerencia congreso estado titular titulares
    autoridad organismo instituto servicio superintendencia agencia municipalidad
    municipalidades comunidad region regiones""".split()  # noqa: SIM905
)
# The departments (one word each, as folded: «la libertad», «madre de dios», «san martín»).
DEPARTMENTS = frozenset(
    """amazonas ancash apurimac arequipa ayacucho cajamarca callao cusco huancavelica huanuco
    ica junin libertad lambayeque lima loreto dios moquegua pasco piura puno martin tacna
    tumbes ucayali""".split()  # noqa: SIM905
)
_MONTHS = frozenset(
    """enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre
    noviembre diciembre""".split()  # noqa: SIM905
)
NUMBER_WORDS = frozenset(
    """dos tres cuatro cinco seis siete ocho nueve diez once doce quince veinte treinta
    cuarenta cincuenta cien ciento mil millon millones""".split()  # noqa: SIM905
)
_ONE = frozenset({"un", "una", "uno"})  # «un año» is a length of time; «una DIA», no count
_LAW = frozenset(
    "ley leyes decreto supremo legislativo resolucion ministerial articulo inciso ds dl rm".split()  # noqa: SIM905
)
# A sentence that says the fact is not known here: it answers as far as the kit can.
_UNSURE = (
    ("por", "confirmar"),
    ("no", "pudo", "verificar"),
    ("no", "estan", "en", "esta", "ficha"),
    ("no", "se", "detallan"),
    ("de", "memoria"),
    ("no", "figuran"),
)
# …and the other ways an article marks a fact as unknown, naming it: «qué usos cubre exactamente
# debe confirmarse con la ANA». Not read as `unsure` (which holds every kind of fact asked: an
# article that gives the fact «as far as it can»), only as `marked` (`knowledge.calibration`:
# the question that asks exactly that gets no sure answer).
_MARKED = (
    *_UNSURE,
    ("debe", "confirmarse"),
    ("deben", "confirmarse"),
    ("conviene", "confirmarlos"),
    ("no", "estan", "confirmados"),
    ("no", "esta", "citada"),
    ("pendiente", "de", "confirmar"),
)
# The marks' own words: «¿…? confirmar» asks no fact the article lacks.
MARK_KEYS = frozenset(w[:PREFIX] for phrase in _MARKED for w in phrase if w not in STOPWORDS)


# The words that name a kind of fact (`knowledge.facts`' kinds; «happened»: whether an event
# took place), by their first letters: a sentence that marks a fact unknown names which.
NAMED = {
    "amount": (
        "monto",
        "cuant",
        "tasa",
        "porcentaje",
        "valor",
        "cifra",
        "limite",
        "cantidad",
        "numero",
        "exact",
    ),
    "date": ("fecha", "cuando", "desde", "plazo", "hubo", "prorroga"),
    "duration": ("plazo", "tiempo", "dias", "cuando", "demora"),
    "agent": ("quien", "entidad", "emite", "autoridad", "reparte", "toca", "corresponde"),
    "required": ("requisito",),
    "places": ("region",),
    "happened": ("hubo", "prorroga", "cuando", "fecha"),
}

_PERIODIC = ("anual", "semestral", "trimestral", "mensual", "bimestral", "periodic", "diari")


def periodic(said: list[str]) -> bool:
    """Whether folded words say how often: «cada año», «cada seis meses», «anualmente»."""
    return any(w.startswith(_PERIODIC) for w in said) or any(
        w == "cada" and said[i + 1 : i + 2] and (said[i + 1] in UNITS or _number(said[i + 1]))
        for i, w in enumerate(said)
    )


@dataclass(frozen=True, slots=True)
class Sentence:
    """What one sentence of an article holds."""

    terms: frozenset[str]  # the PREFIX first letters of its words' index terms
    stems: frozenset[str]  # its words' index terms, whole
    amount: bool  # a number that counts (not a law's number, a year or a day)
    measured: bool  # one in digits: an amount of a substance is, a count may be spelled
    money: bool  # a sum of money or a share of one (US$, soles, UIT, %)
    lengths: frozenset[str]  # units of time with a number («60 días»), años for two years
    dated: bool  # a year or a month
    required: bool  # says what is required, needed or limited
    item: bool  # an item of a list: the one before is its sibling, not what it speaks of
    named: bool  # names someone who acts: a name or an acronym after its first word, a body
    places: int  # departments named
    unsure: bool  # says the fact is to be confirmed
    # the PREFIX first letters of its words as written (folded): «minado» is not «minas»,
    # though both stem to min-
    surface: frozenset[str] = frozenset()
    periodic: bool = False  # says how often («cada año», «anual», «semestralmente»)
    marked: bool = False  # marks the fact it names as unknown (`_MARKED`)
    # the kinds of fact a marked sentence names (`knowledge.unknowns.NAMED`): «el monto…»
    names: frozenset[str] = frozenset()


def key(term: str) -> str:
    return term[:PREFIX]


def sentences(article: Article, term: Callable[[str], str]) -> tuple[Sentence, ...]:
    """`article`'s title, summary and text, sentence by sentence."""
    found = []
    text = f"{article.title}\n{article.summary}\n{article.body}"
    lead: frozenset[str] = frozenset()  # a list's items say what its lead-in («…así:») says
    for part in _SENTENCE_END.split(text):
        said = words(part)
        if not said:
            continue
        stems = frozenset(term(w) for w in said if w not in STOPWORDS)
        terms = frozenset(map(key, stems))
        item = part.lstrip().startswith(("-", "*"))
        lead = lead if item else frozenset()
        marked = any(says(said, phrase) for phrase in _MARKED)
        years = [w for i, w in enumerate(said) if year(w) and not _law(said, i)]
        lengths = {
            UNITS[w] for i, w in enumerate(said) if w in UNITS and i and _number(said[i - 1])
        }
        if len(years) >= 2:
            lengths.add("años")
        found.append(
            Sentence(
                terms | lead if item else terms,
                stems,
                any(_counts(said, i) for i in range(len(said))),
                any(_counts(said, i) and said[i].isdigit() for i in range(len(said))),
                not _MONEY.isdisjoint(said),
                frozenset(lengths),
                bool(years) or not _MONTHS.isdisjoint(said),
                any(one.startswith(_REQUIRING) for one in stems),
                item,
                bool(_NAME.search(part.lstrip(" -*\n"), 1)) or not _ACTORS.isdisjoint(said),
                sum(w in DEPARTMENTS for w in said),
                any(says(said, phrase) for phrase in _UNSURE),
                frozenset(sys.intern(w[:PREFIX]) for w in said if w not in STOPWORDS),
                periodic(said),
                marked,
                named_kinds(said) if marked else frozenset(),
            )
        )
        if part.rstrip().endswith(":"):
            lead = terms
    return tuple(found)


def named_kinds(said: list[str]) -> frozenset[str]:
    """The kinds of fact folded words name («el monto…», «en qué plazo…», «si hubo una
    prórroga…»): `NAMED`'s keys whose words start one of `said`."""
    return frozenset(
        kind for kind, starts in NAMED.items() if any(w.startswith(starts) for w in said)
    )


def year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and word[:2] in ("19", "20")


def _number(word: str) -> bool:
    return word.isdigit() or word in NUMBER_WORDS or word in _ONE


def _law(said: list[str], i: int) -> bool:
    """Whether word `i` is a law's number («Ley 28271», «artículo 59», «Ley N° 27651»)."""
    before = said[max(0, i - 2) : i]
    return bool(before) and (
        before[-1] in _LAW or (before[-1] in ("n", "no", "nro") and before[0] in _LAW)
    )


def _counts(said: list[str], i: int) -> bool:
    """Whether word `i` is a number that counts: not a law's, a year or a date's day («un»,
    «una» are articles)."""
    word = said[i]
    if word in NUMBER_WORDS or word == "cero":
        return True
    if not word.isdigit() or year(word) or _law(said, i):
        return False
    return said[i + 1 : i + 3] not in (["de", m] for m in _MONTHS)


def says(said: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether `phrase` occurs in `said`, word for word (most phrases' first word is absent:
    told by one scan in C, without building a tuple at each word)."""
    first, size = phrase[0], len(phrase)
    if first not in said:
        return False
    return any(w == first and tuple(said[i : i + size]) == phrase for i, w in enumerate(said))
