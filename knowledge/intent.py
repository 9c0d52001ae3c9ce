"""What kind of answer a question asks for, from its question words: «¿qué es…?» wants a
definition, «¿quién…?» an authority, «¿cuánto…?» an amount, «¿hasta cuándo…?» a date,
«¿para qué sirve…?» a purpose.

The question words are stopwords for matching (they say nothing about the topic), but they
do tell apart two articles on the same topic: «¿cuántos inscritos hay en el REINFO?» is
answered by «¿Cuántos mineros se han formalizado?», not by «¿Qué es el REINFO?». An article
answers the kinds its title asks and those its keywords are phrased as («que es minka»).
"""

from __future__ import annotations

from knowledge.model import Article
from knowledge.text import words

DEFINITION, WHO, AMOUNT, WHEN, DIFFERENCE = "definition", "who", "amount", "when", "difference"
HOW, PURPOSE = "how", "purpose"
KINDS = (DEFINITION, WHO, AMOUNT, WHEN, DIFFERENCE, HOW, PURPOSE)

# One-word cues, wherever they are in the question.
_SINGLE = {
    "quien": WHO,
    "quienes": WHO,
    "cuanto": AMOUNT,
    "cuanta": AMOUNT,
    "cuantos": AMOUNT,
    "cuantas": AMOUNT,
    "cuando": WHEN,
    "fecha": WHEN,
    "diferencia": DIFFERENCE,
    "diferencias": DIFFERENCE,
    "diferencian": DIFFERENCE,
    "define": DEFINITION,
    "definicion": DEFINITION,
    "significa": DEFINITION,
    "significan": DEFINITION,
    "sigla": DEFINITION,
    "siglas": DEFINITION,
    "significado": DEFINITION,
    "concepto": DEFINITION,
    "consiste": DEFINITION,
    "porcentaje": AMOUNT,
    "cifras": AMOUNT,
    "cifra": AMOUNT,
    "estadisticas": AMOUNT,
    "ideas": HOW,
    "consejos": HOW,
    "recomendaciones": HOW,
    "sugerencias": HOW,
    "pasos": HOW,
}
# «qué es / qué son» asks for a definition; «para qué es» asks what it is for, a purpose.
_DEFINITION_VERBS = frozenset({"es", "son", "era", "fue", "vendria"})  # «¿qué vendría a ser?»
_NOT_DEFINITION_BEFORE = frozenset({"para", "por"})
_PURPOSE_VERBS = frozenset({"sirve", "sirven", "es", "son"})
# Words that may come before an opening «¿cómo…?»: greetings and fillers.
_OPENING = frozenset(
    "y pero oiga oye disculpe hola buenas buenos dias tardes a ver".split()  # noqa: SIM905
)
# «cada cuánto» asks how often, not an amount.
_NOT_AMOUNT_BEFORE = frozenset({"cada"})


def intents(typed: list[str]) -> frozenset[str]:
    """The kinds of answer the folded words `typed` ask for (empty when none in particular)."""
    found: set[str] = set()
    for i, word in enumerate(typed):
        before = typed[i - 1] if i else ""
        kind = _SINGLE.get(word)
        if kind == AMOUNT and before in _NOT_AMOUNT_BEFORE:
            continue
        if (word == "mismo" and before == "lo") or (word == "como" and before == "cuenta"):
            kind = DIFFERENCE  # «¿es lo mismo X que Y?», «¿X cuenta como Y?»
        if word == "igual" and typed[i + 1 : i + 2] in (["que"], ["q"], ["a"]):
            kind = DIFFERENCE  # «¿X sirve igual que Y?»
        if word == "como" and all(w in _OPENING for w in typed[:i]):
            kind = HOW  # «¿cómo…?» opening the question; «como minero» later is «as»
        if kind is not None:
            found.add(kind)
        elif word in ("que", "q", "k") and i + 1 < len(typed):
            if before == "para" and typed[i + 1] in _PURPOSE_VERBS:
                found.add(PURPOSE)  # «¿para qué sirve?», «¿para qué es?»
            elif typed[i + 1] in _DEFINITION_VERBS and before not in _NOT_DEFINITION_BEFORE:
                found.add(DEFINITION)
    return frozenset(found)


def answered(article: Article) -> frozenset[str]:
    """The kinds of answer an article gives: its title's question and its keywords' ones."""
    found = set(intents(words(article.title)))
    for keyword in article.keywords:
        found |= intents(words(keyword))
    return frozenset(found)
