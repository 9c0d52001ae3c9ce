"""The kind of fact a question asks for (an amount, a length of time, a date, a list of
regions, who acts, requirements) and whether an article states one beside what was asked.

Near misses made most false answers on the held-out sets (#14): «¿cuántos trabajadores puede
tener un PMA?» matched the strata article well (productor, minero, artesanal), which gives
hectares and tonnes but never a number of workers; «¿cuánto demora el SENACE en aprobar un
EIA-d?» matched the SENACE article, which dates when it started but states no length of
time. The article matched the topic, not the fact. So the fact is looked for sentence by
sentence (what each holds: `knowledge.sentence`): a number beside the thing counted, a number
of days or months, a date, two regions named together, a body named with the act asked
(«¿quién preside…?»: a form of «presidir»), what is required. A sentence that says the fact
is to be confirmed («dato por confirmar», «no pudo verificar») states it as far as the kit can.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.sentence import DEPARTMENTS, PREFIX, UNITS, Sentence, key
from knowledge.text import GENERIC_VERBS, STOPWORDS, stem, undiphthonged

AMOUNT, DURATION, DATE, PLACES = "amount", "duration", "date", "places"
AGENT, REQUIRED = "agent", "required"

_HOW_MANY = frozenset({"cuanto", "cuanta", "cuantos", "cuantas"})
_RATE = frozenset({"porcentaje", "tasa", "tasas", "monto", "montos", "cifra"})
_LASTING = frozenset("tiempo dura duran demora demoran tarda tardan".split())  # noqa: SIM905
# Verbs of an amount, skipped to find what is counted: «¿cuánto se paga de vigencia?».
_AMOUNT_VERBS = frozenset(
    "paga pagan pagar cuesta cuestan asciende es son sale salen toca tocan".split()  # noqa: SIM905
)
# Counted kinds, stages or times are answered by a list, not by a number.
LISTED = frozenset("veces tipos clases etapas fases pasos formas maneras".split())  # noqa: SIM905
_CURRENCIES = frozenset("dolares soles plata dinero".split())  # noqa: SIM905
# «¿el programa reporta cuántas mujeres participan?» asks whether a count is kept, not it.
RECORDING = frozenset(
    "reporta reportan registra registran informa informan lleva llevan mide miden".split()  # noqa: SIM905
)
_WHEN_BEFORE = frozenset({"desde", "hasta", "para"})
# A question word of another question: «cuando subo a la mina, ¿qué reviso?» asks what, its
# «cuando» joins a clause; not «y cómo…» (a second question) nor «que» before a noun phrase
# («¿cuándo se considera que un minero es formal?»).
_JOINED_ASK = frozenset(
    "que q k como cual cuales quien quienes donde cuanto cuanta cuantos cuantas".split()  # noqa: SIM905
)
_NOUN_OPENS = frozenset("el la los las un una unos unas".split())  # noqa: SIM905
_OPENING = frozenset("y pero oiga oye disculpe hola buenas buenos dias tardes".split())  # noqa: SIM905
_PLACE_WORDS = frozenset({"regiones", "departamentos", "provincias", "distritos"})
# Who acts: «¿quién preside…?», «¿qué entidad otorga…?». Not whom the asker goes to («¿a
# quién aviso?», «¿con quién coordino?»), nor who someone is («¿quién es el ente rector?»).
_WHO = frozenset({"quien", "quienes"})
_BODIES = frozenset(
    "entidad entidades institucion instituciones organismo organismos autoridad".split()  # noqa: SIM905
)
_WHOM_BEFORE = frozenset("a al con de ante para por".split())  # noqa: SIM905
_CLITICS = frozenset("lo la los las le les se me nos".split())  # noqa: SIM905
# Verbs that say the same act of a body: granting a title or approving a study (the SENACE
# «aprueba» the EIA-d it is asked who «otorga» or «evalúa»), overseeing an activity, being
# in charge («¿quién responde por…?»: «quién es responsable»).
_ACTS = (
    frozenset(
        """otorg aprob aprueb emit emision exped expid autoriz evalu certific entreg resuelv
        resolv""".split()  # noqa: SIM905
    ),
    frozenset("fiscaliz supervis control vigil inspeccion investig sancion".split()),  # noqa: SIM905
    frozenset("respons respond encarg compet correspond".split()),  # noqa: SIM905
)
# Requirements asked («¿qué requisitos…?», «requisitos para…», «¿qué documentos piden…?»)
# are stated by a sentence that says what is required, needed or the limits to meet, or
# that they are to be confirmed with a body («los requisitos… deben confirmarse con la ANA»).
_REQUIREMENTS = frozenset("requisito requisitos documento documentos papeles".split())  # noqa: SIM905
_REQUIREMENTS_BEFORE = frozenset("que q cuales los sus".split())  # noqa: SIM905
_MODALS = frozenset("puede pueden podria debe deben deberia suele suelen".split())  # noqa: SIM905


@dataclass(frozen=True, slots=True)
class Asked:
    kind: str
    focus: str | None = None  # the folded word the fact is about («trabajadores»)
    measured: bool = False  # «¿cuánto mercurio…?»: digits, not «tres prácticas»
    money: bool = False  # «¿cuánta plata…?»
    unit: str | None = None  # a duration's unit asked («días»)


def asked_fact(said: list[str]) -> Asked | None:
    """The kind of fact the folded, repaired words `said` ask for, or None."""
    for i, word in enumerate(said):
        before = said[i - 1] if i else ""
        after = said[i + 1 :]
        if word in _HOW_MANY and before != "cada":  # «cada cuánto» asks how often
            if before == "en" and after[:1] == ["a"]:  # «en cuanto a…»: regarding
                continue
            if (after[:1] and after[0] in LISTED) or before in RECORDING:
                return None
            if after and (after[0] in UNITS or after[0] in _LASTING):
                return Asked(DURATION, unit=UNITS.get(after[0]))
            focus = _focus(after, _AMOUNT_VERBS)
            money = focus in _CURRENCIES
            return Asked(AMOUNT, None if money else focus, word in ("cuanto", "cuanta"), money)
        if word in _RATE and before in ("que", "cual", "el", "la"):
            return Asked(AMOUNT)
        if word in _LASTING - {"tiempo"} and before in _HOW_MANY:
            return Asked(DURATION)
        if word == "cuando" and (
            before in _WHEN_BEFORE
            or (all(w in _OPENING for w in said[:i]) and not when_joins(said, i))
        ):
            return Asked(DATE)
        if word == "fecha" and before in ("que", "cual"):
            return Asked(DATE)
        if word in ("mes", "año", "ano") and said[max(0, i - 2) : i] == ["en", "que"]:
            return Asked(DATE)  # «¿en qué mes se paga?»; not «¿la UIT de qué año uso?»
        if word in _PLACE_WORDS and before in ("que", "cuales"):
            return Asked(PLACES)
        if word in _REQUIREMENTS and (before in _REQUIREMENTS_BEFORE or after[:1] == ["para"]):
            return Asked(REQUIRED)
        if (word in _WHO and before not in _WHOM_BEFORE) or (
            word in _BODIES and before in ("que", "cual", "cuales")
        ):
            action = _action(after)
            if action is not None:
                return Asked(AGENT, action)
    return None


def when_joins(said: list[str], i: int) -> bool:
    """Whether the «cuando» at `said[i]` joins a clause to a question about something else
    («¿qué reviso cuando visito una labor?», «cuando subo a la mina, ¿qué reviso?»), not asks
    a date («¿qué pidió y cuándo?», «¿desde cuándo…?»)."""
    before, after = said[:i], said[i + 1 :]
    if before[-1:] and (before[-1] == "y" or before[-1] in _WHEN_BEFORE):
        return False
    if not _JOINED_ASK.isdisjoint(before):
        return True
    return any(
        w in _JOINED_ASK and after[j - 1] != "y" and _NOUN_OPENS.isdisjoint(after[j + 1 : j + 2])
        for j, w in enumerate(after)
        if j
    )


def _action(after: list[str]) -> str | None:
    """What the body asked for does («preside», «financia»): the word after «quién» and its
    pronouns; None when it is a common verb («¿quién ve…?», «¿quién da…?») or who someone
    is that is asked («¿quién es…?»)."""
    for word in after:
        if word in _CLITICS or word in _MODALS or word == "no":
            continue
        if word in STOPWORDS or len(word) <= 2 or stem(word) in GENERIC_VERBS:
            return None
        return word
    return None


def _focus(after: list[str], verbs: frozenset[str]) -> str | None:
    """The first word after the question word that says what is asked about."""
    for word in after:
        if word in STOPWORDS or word in verbs or stem(word) in GENERIC_VERBS:
            continue
        return word
    return None


def stated(
    asked: Asked,
    said: list[str],
    term: Callable[[str], str],
    held: tuple[Sentence, ...],
    about: frozenset[str],
    acting: Family,
) -> bool:
    """Whether an article (its sentences `held`, `about` the terms of its title, summary and
    keywords, `acting` the two's `acting_terms`) states the fact `asked`
    by `said`, the question's folded, repaired words (index terms by `term`)."""
    topical = {
        key(term(w))
        for w in said
        if w not in STOPWORDS
        and stem(w) not in GENERIC_VERBS
        and w not in _RATE | _LASTING | UNITS.keys() | _REQUIREMENTS
    }
    places = DEPARTMENTS.intersection(said)
    if asked.kind in (AMOUNT, PLACES) and places:  # «¿cuántos mineros hay en Puno?»
        named = set().union(*(s.terms for s in held)) if held else set()
        if any(key(term(p)) not in named for p in places):
            return False
    if asked.kind == AGENT and asked.focus is not None:
        return _acted(asked.focus, term, acting)
    wanted = {key(term(asked.focus))} if asked.focus else topical
    if asked.kind == REQUIRED and not wanted:  # «¿qué requisitos hay?»: of the article's topic
        return any(sentence.unsure or sentence.required for sentence in held)
    # what a number counted is of: «¿cuántas hectáreas tiene el catastro?» is not answered
    # by «cuadrículas de 100 hectáreas», an item after one on the catastro
    of = {k for k in topical - wanted if any(k in s.terms for s in held)} if asked.focus else set()
    subject = not wanted.isdisjoint(key(t) for t in about)
    for i, sentence in enumerate(held):
        before = held[i - 1].terms if i else frozenset()
        if not (sentence.unsure or _holds(asked, sentence)):
            continue
        # what the article is about goes unsaid: «el 30 de junio de 2025 terminó el proceso
        # para unas 50,565 inscripciones» counts the REINFO's, named by most of the rest asked
        if of and subject and len(of & sentence.terms) >= min(2, len(of)):
            return True
        # the sentence before may name what this one says «it» of: «Lo creó el DL 1293…»
        if wanted.isdisjoint(sentence.terms) and wanted.isdisjoint(before):
            continue
        if not of or not of.isdisjoint(sentence.terms | (frozenset() if sentence.item else before)):
            return True
    return False


def _acted(action: str, term: Callable[[str], str], acting: Family) -> bool:
    """Whether a sentence says who does `action` («preside», in any form of its family:
    «presidente», «presidida»; granting and overseeing in any of their verbs), or the
    article's keywords name it («remediación»), naming who does it (not «la transferencia se
    declaró concluida en 2007»): an article about the censo that never says
    who pays for it does not answer «¿quién financia el censo?». Which body it names, and
    of what, is the ranking's to judge. Not a sentence that says some other fact is to be
    confirmed: the censo article's «cuándo termina… no pudo verificar» is not who pays.
    `acting`: the article's terms of its title, summary and keywords and those of its
    sentences that name someone (`acting_terms`)."""
    stemmed = term(action)
    forms = {stemmed, *undiphthonged(stemmed)}
    for kind in _ACTS:
        if any(_kin(form, verb) for form in forms for verb in kind):
            forms |= kind
    return any(acting.has_kin(form) for form in forms)


class Family:
    """Terms looked up by family (`_kin`) at once: a sorted list finds the terms a form
    starts, a set the starts of it. An AGENT question compared every form asked with every
    term of its three closest articles' sentences that name someone, one `_kin` each (1,326
    for «¿quién aprueba el plan de cierre…?», 45 % of its search's CPU); the answer is the
    same as `_kin` over each."""

    __slots__ = ("_sorted", "_terms")

    def __init__(self, terms: frozenset[str]) -> None:
        self._terms = terms
        self._sorted = sorted(terms)

    def has_kin(self, asked: str) -> bool:
        """Whether `_kin(asked, found)` for some term `found`."""
        if len(asked) >= 3:
            i = bisect_left(self._sorted, asked)  # the terms that extend it come first there
            if i < len(self._sorted) and self._sorted[i].startswith(asked):
                return True
        return any(asked[:n] in self._terms for n in range(PREFIX, len(asked) + 1))


def acting_terms(about: frozenset[str], held: tuple[Sentence, ...]) -> Family:
    """What `_acted` looks in: `about` and the terms of the sentences of `held` that name
    someone who acts."""
    return Family(about.union(*(sentence.stems for sentence in held if sentence.named)))


def _kin(asked: str, found: str) -> bool:
    """Whether a term found is of the family of one asked: it extends it («cre», from
    «creó», and «creacion»), or it is a long enough start of it («presid» for «presidenci»;
    not «fin», of «a fines de junio», for «financi»)."""
    return (len(asked) >= 3 and found.startswith(asked)) or (
        len(found) >= PREFIX and asked.startswith(found)
    )


def instance(asked: Asked, sentence: Sentence) -> bool:
    """Whether `sentence` holds a fact of the kind asked, of whatever it is said (or says
    that fact is to be confirmed)."""
    if sentence.unsure:
        return True
    if asked.kind == AGENT:
        return sentence.named
    return _holds(asked, sentence)


def _holds(asked: Asked, sentence: Sentence) -> bool:
    if asked.kind == AMOUNT:
        if asked.money:  # «¿cuántos dólares…?» is answered by «US$ 3.00»
            return sentence.money and sentence.amount
        return sentence.measured if asked.measured else sentence.amount
    if asked.kind == DURATION:
        return bool(sentence.lengths) if asked.unit is None else asked.unit in sentence.lengths
    if asked.kind == DATE:
        return sentence.dated or bool(sentence.lengths)
    if asked.kind == REQUIRED:
        return sentence.required
    return sentence.places >= 2
