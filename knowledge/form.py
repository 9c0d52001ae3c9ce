"""How a question asks (`Form`): the kind of fact it wants (an amount, a date, who acts…:
`knowledge.facts`; a consequence, how often) and the noun it asks about, which a sure answer
must say (`knowledge.calibration.refuted`): «¿en qué banco…?», «¿quién hace el inventario…?»,
a fragment's «multa por…», the subject of «¿las pallaqueras pueden…?», or else the last word
of a yes-or-no question («¿se puede pagar la vigencia en cuotas?»).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from knowledge.facts import Asked, asked_fact, when_joins
from knowledge.intent import intents
from knowledge.text import GENERIC_VERBS, STOPWORDS, stem

CONSEQUENCE = "consequence"
FREQUENCY = "frequency"  # «¿cada cuánto…?»: a sentence that says how often
_QUE = frozenset({"q", "k"})
_HAPPENS = frozenset("pasa pasaria sucede sucederia ocurre ocurriria".split())  # noqa: SIM905
# A question word that opens what is asked («¿qué…?», «¿en qué banco…?»), not «que» joining
# two clauses («la DREM puede cobrar por el trabajo q le pide el MINEM»).
_WH = frozenset(
    "que cual cuales como cuando donde adonde quien quienes cuanto cuanta cuantos cuantas".split()  # noqa: SIM905
)
_WH_BEFORE = frozenset("en de a para por con desde hasta sobre ante".split())  # noqa: SIM905
_WH_OPENS = 3  # a question word among the first words asks
# Words before the noun a question asks about: «¿qué tipo de sanción…?»
_NOUN_ASKED = frozenset({"que", "cual", "cuales", "cuantos", "cuantas"})
_KIND_OF = frozenset("tipo tipos clase clases de".split())  # noqa: SIM905
# Nouns that name the kind of answer, not what it is about: an article gives a date without
# the word «fecha», a body without «entidad», the OEFA's results without «nota».
_ANSWER_NOUNS = frozenset(
    """fecha fechas dia dias mes meses año años ano anos hora plazo plazos nota notas
    porcentaje cantidad numero entidad entidades institucion instituciones organismo
    organismos autoridad autoridades""".split()  # noqa: SIM905
)
_FREQUENT = frozenset({"frecuencia", "periodicidad"})
# «¿quién hace el inventario…?», «¿qué entidad lleva el seguimiento…?»: a common verb says
# nothing of the act, the noun after it is what is asked about. Not whom the asker goes to
# («¿a quién aviso?»).
_WHO = frozenset({"quien", "quienes"})
_WHOM_BEFORE = frozenset("a al con de ante para por".split())  # noqa: SIM905
_BODIES = frozenset(
    "entidad entidades institucion instituciones organismo organismos autoridad".split()  # noqa: SIM905
)
_DOING = frozenset("hace hacen da dan ve ven lleva llevan trae traen realiza realizan".split())  # noqa: SIM905
_BEFORE_VERB = frozenset("lo la los las le les se puede pueden debe deben".split())  # noqa: SIM905
# A fragment without a question word («multa por vertimiento sin autorización», «link de la
# ventanilla única»): the noun it opens with, before «de» or «por», is what is asked about.
_FRAGMENT_LINKS = frozenset("de del por para pa sobre".split())  # noqa: SIM905
# «¿las pallaqueras pueden inscribirse en el REINFO?»: who may or must is what is asked
# about; the REINFO article that never names them does not say it.
_ABLE = frozenset("puede pueden podria podrian debe deben".split())  # noqa: SIM905
_SUBJECT_WORDS = 4  # the subject's words before «puede»: «una asociación de mineros»
# Words that ask for a kind of fact without a question's form (`knowledge.facts.asked_fact`
# reads «¿cuánto…?», «¿qué plazo…?»; a fragment says «monto de la penalidad…»).
_ASKING = {
    **dict.fromkeys(("monto", "montos", "tasa", "porcentaje", "cuanto", "cuanta"), "amount"),
    **dict.fromkeys(("plazo", "plazos"), "duration"),
    **dict.fromkeys(("fecha", "cuando"), "date"),
    **dict.fromkeys(("quien", "quienes", "entidad", "oficina"), "agent"),
    "requisitos": "required",
}
# Whether something took place or how it stands: «¿hubo prórroga…?», «¿ya empezó…?».
_HAPPENED = frozenset("hubo ya todavia aun sigue siguen arranco empezo".split())  # noqa: SIM905


@dataclass(frozen=True, slots=True)
class Form:
    """How a question asks: the kind of fact, and the noun it asks about."""

    kind: Asked | None
    head: str | None = None  # the folded word after «qué», «cuál», «cuántos»
    # a fragment's or a subject's head counts only when the kit speaks of it elsewhere:
    # «checklist de seguridad…» names in other words what the article lists, «mi papá» who
    # the article calls a minero
    elsewhere: bool = False
    # a yes-or-no question's last word, asked about too when it has another head: «¿una
    # concesión caducada se puede recuperar?» asks of the concesión and whether it is recovered
    last: str | None = None
    # the kind of fact asked, more loosely than `kind`: a word that asks for one («monto de
    # la penalidad…»), or whether something happened («¿hubo prórroga…?»); `knowledge.unknowns`
    fact: str | None = None


def question_form(said: list[str]) -> Form:
    """The `Form` of a question from its folded, repaired words (stopwords included)."""
    said = ["que" if w in _QUE else w for w in said]
    form = _form(said)
    return replace(form, fact=_fact(form.kind, said))


def _fact(kind: Asked | None, said: list[str]) -> str | None:
    """The kind of fact asked (`knowledge.sentence.NAMED`'s keys): the form's, or one a word
    asks for, or whether something happened; None when none is."""
    if kind is not None:
        return kind.kind
    found = next(
        (
            _ASKING[w]
            for i, w in enumerate(said)
            if w in _ASKING and not (w == "cuando" and when_joins(said, i))
        ),
        None,
    )
    if found is None and not _HAPPENED.isdisjoint(said):
        return "happened"
    return found


def _form(said: list[str]) -> Form:
    asks = [
        i
        for i, w in enumerate(said)
        if w in _WH and (i < _WH_OPENS or said[i - 1] in _WH_BEFORE or w != "que")
    ]
    head = None
    if asks and said[asks[0]] in _NOUN_ASKED:
        after = [w for w in said[asks[0] + 1 :] if w not in _KIND_OF]
        word = after[0] if after else ""
        if len(word) > 2 and word not in STOPWORDS | _ANSWER_NOUNS:
            head = None if stem(word) in GENERIC_VERBS else word
    if asks and head is None:
        head = _done_to(said, asks[0])
    elif not any(w in _WH for w in said):
        fragment = _fragment_head(said)
        if fragment is not None:
            return Form(asked_kind(said), fragment, elsewhere=True)
        head, last = _subject(said), _last(said)
        if head is None:
            return Form(asked_kind(said), last)
        return Form(asked_kind(said), head, elsewhere=True, last=None if last == head else last)
    return Form(asked_kind(said), head)


def _noun(word: str) -> bool:
    """Whether a folded word may be the noun asked about: not a stopword, a number, a
    common verb or a noun that names the kind of answer («fecha», «entidad»)."""
    return (
        len(word) > 2
        and not word.isdigit()
        and word not in STOPWORDS | _ANSWER_NOUNS | _KIND_OF
        and stem(word) not in GENERIC_VERBS
    )


def _done_to(said: list[str], i: int) -> str | None:
    """The noun after «¿quién hace…?» (or «¿qué entidad da…?»), when the verb after the
    question word at `i` is a common one that says nothing of the act asked."""
    if said[i] in _WHO:
        if i and said[i - 1] in _WHOM_BEFORE:
            return None
        j = i + 1
    elif said[i + 1 : i + 2] and said[i + 1] in _BODIES:
        j = i + 2
    else:
        return None
    while j < len(said) and said[j] in _BEFORE_VERB:
        j += 1
    if j >= len(said) or not (said[j] in _DOING or stem(said[j]) in GENERIC_VERBS):
        return None
    found = next((w for w in said[j + 1 :] if w not in STOPWORDS), "")
    return found if _noun(found) else None


def _fragment_head(said: list[str]) -> str | None:
    """The noun a fragment opens with («multa por…», «presupuesto anual de…»), or None."""
    if len(said) < 3 or not _noun(said[0]) or intents(said[:1]):  # «diferencia entre…»
        return None
    if said[1] in _FRAGMENT_LINKS or (said[1] not in STOPWORDS and said[2] in _FRAGMENT_LINKS):
        return said[0]
    return None


def _subject(said: list[str]) -> str | None:
    """The noun that opens the subject of «…puede(n)…» or «…debe(n)…» in a yes-or-no
    question, or None (not the subject of a condition: «si el titular no paga, ¿puede…?»)."""
    able = next((i for i, w in enumerate(said) if w in _ABLE), None)
    if able is None or able > _SUBJECT_WORDS or "si" in said[:able]:
        return None
    return next((w for w in said[:able] if _noun(w)), None)


def _last(said: list[str]) -> str | None:
    """The last word of a yes-or-no question, where Spanish says what is new («¿se puede
    pagar la vigencia en cuotas?»), when it may be the noun asked about; not when the
    question offers choices («¿por mes o por trimestre?»)."""
    if "o" in said or intents(said):
        return None
    found = next((w for w in reversed(said) if w not in STOPWORDS), "")
    return found if _noun(found) else None


def asked_kind(said: list[str]) -> Asked | None:
    """The kind of fact the folded, repaired words `said` ask for (`knowledge.facts`), or a
    consequence («¿qué pasa si…?», «¿qué consecuencias…?»). «q» and «k» are read as «que»,
    as officials type it in a chat («en q fecha…», «q entidad…»)."""
    said = ["que" if w in _QUE else w for w in said]
    found = asked_fact(said)
    if found is not None:
        return found
    for i, word in enumerate(said):
        after = said[i + 1 : i + 3]
        if (word in _HAPPENS and "si" in after) or word.startswith("consecuencia"):
            return Asked(CONSEQUENCE)
        if word in _FREQUENT or (word == "cada" and after[:1] and after[0].startswith("cuant")):
            return Asked(FREQUENCY)
    return None
