"""The official's own situation around a question: who asked them, where they write from,
why («en la dirección regional nos preguntan…», «…? es que tenemos un caso en la
provincia»). It says nothing about the article wanted, yet some of its words are the kit's
own (dirección regional, caso, provincia): left in, they drew sure answers about the DREM to
questions about anything, and a question the kit answers lost its answer among them."""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.forwarded import unwrapped
from knowledge.text import content_words, fold

# Someone asking the official: «nos preguntan», «me están consultando», «les pidieron», «mi
# papá pregunta si…».
_REPORTING = (
    r"(?:pregunta|preguntan|preguntaron|pregunto|preguntaba|preguntaban|preguntando|consultan"
    r"|consultaron|consulto|consultaba|consultaban|consultando|piden|pidieron|pidio|pidiendo"
    r"|plantean|plantearon|planteo)"
)
_CLITIC = r"(?:nos|me|le|les)\s+(?:(?:han|ha|estan|esta|estuvieron|vienen)\s+)?"
# What follows a report of a question: «preguntan si…», «consultan cuántos…».
_ASKING = r"(?:si|que|como|cuando|cuanto|cuanta|cuantos|cuantas|donde|quien|quienes|cual|cuales)"
# Before the question: the one who asks, what comes before wanting to know («soy especialista
# del gobierno regional y quisiera saber…»), or where the official writes from and why.
_BEFORE = re.compile(
    rf"^.*?\b(?:{_CLITIC}{_REPORTING}|{_REPORTING}(?=\s+{_ASKING}\b)"
    r"|(?:quiero|quisiera|queria|queremos|quisieramos|quiere|quieren|quisieran|deseo|deseamos"
    r"|desean|necesito|necesitamos|necesitaria|gustaria)\s+(?:saber|conocer|consultar"
    r"|preguntar|averiguar|confirmar|aclarar)"
    r"|(?:encargo|encargaron|pidio|pidieron)\s+(?:averiguar|consultar|preguntar|confirmar)"
    r"|(?:escribo|escribimos|comunico|comunicamos)\b.*?\b(?:porque|para|ya\s+que))\b"
)
# What opens a second question after a «?» without one of its own («…? q documento le dan»,
# «…? se puede renovar»): not told after the question, kept.
_ASKS_AGAIN = (
    r"(?:q|que|como|cuando|cuanto|cuanta|cuantos|cuantas|donde|quien|quienes|cual|cuales|y|o|se"
    r"|hay|puede|pueden|debe|deben|es|son|tiene|tienen|sigue|si|no)"
)
# After it: the reason, once the question has ended («?», «…? es para el boletín», «…? me lo
# preguntan en la radio», and whatever is told after the last «?» that does not ask again:
# «…? Necesitamos una cifra para el discurso del alcalde») or when it reports who asked
# («…, es para un informe que me pidió mi jefe»).
_AFTER = re.compile(
    r"(?:\?\s*(?:es\s+que|porque|ya\s+que|pues|es\s+para"
    rf"|(?:me|nos|le|les)\s+lo\s+{_REPORTING})\b"
    rf"|\?\s*+(?!{_ASKS_AGAIN}\b)(?=[^?]*\w[^?]*$)"
    rf"|\b(?:porque|ya\s+que|es\s+que|es\s+para)\b(?=[^?]*\b{_CLITIC}{_REPORTING}\b)).*$"
)
# Asking for help with the question, anywhere: «¿me podría orientar?», «agradeceré su
# pronta respuesta».
_REQUEST = re.compile(
    r"\b(?:me|nos)\s+(?:podria|podrias|puede|puedes|pueden|podrian)\s+(?:orientar|ayudar"
    r"|apoyar|indicar|aclarar|absolver|responder|contestar|explicar|decir|informar)\b"
    r"|\b(?:espero|esperamos|agradecere|agradeceria|agradecemos|agradezco)\s+(?:de\s+)?"
    r"(?:su|tu|sus)\s+(?:pronta\s+|atenta\s+)?(?:respuesta|atencion|ayuda|apoyo)\b"
)

# A greeting that says who writes, opening or closing the message: «le saluda el especialista,
# ¿qué es OEFA?», «…? Les saluda atentamente la DREM» (its words are the kit's own: especialista,
# DREM).
_SIGNED = re.compile(
    r"^\W*(?:le|les)\s+saluda(?:mos|n)?\b[^,.;:?¿!¡]*[,.;:!¡]"
    r"|[,.;:?!]\s*(?:le|les)\s+saluda(?:mos|n)?\b[^?¿]*$"
)

# A question's search reads it several times (its words, its stretches, the kinds of fact it
# asks: 8 calls for 2-3 texts in session 26); the last few are kept, no more: each message is
# new (see knowledge.text).
RECENT = 8


@lru_cache(maxsize=RECENT)
def asked(text: str) -> str:
    """`text` folded, without a forwarding wrapper (`knowledge.forwarded`) and the situation
    said before or after the question; whole when nothing would be left of it."""
    found = fold(text)
    bare = unwrapped(found)
    found = _REQUEST.sub(" ", bare if content_words(bare) else found)
    signed = _SIGNED.sub(" ", found, count=1)
    found = signed if content_words(signed) else found
    for pattern in (_AFTER, _BEFORE):
        rest = pattern.sub("", found, count=1)
        if content_words(rest):
            found = rest
    return found


# The stretches of a message: between punctuation, a dash or «y».
_STRETCH = re.compile(r"([,.;:!?¿¡()\n]|\s-\s|\by\b)")
# A stretch that asks starts with a question word («…, ¿qué documento necesita?»), or else,
# after the first, with one of the weaker starts: «hay un conflicto con la comunidad, ¿qué…?»
# tells, the question word asks.
_QUESTION_START = frozenset(
    """que como cuando cuanto cuanta cuantos cuantas donde quien quienes cual cuales""".split()  # noqa: SIM905
)
_ASKING_START = _QUESTION_START | frozenset("puede pueden debe deben hay se".split())  # noqa: SIM905


def last_stretch(text: str) -> str | None:
    """The last stretch of `text` when it has others before it: where a message that tells
    its situation first and asks without a question word («un productor vino con su
    constancia, receta de pachamanca») puts what it asks."""
    pieces = [piece for piece in _STRETCH.split(asked(text))[::2] if piece.strip()]
    return pieces[-1] if len(pieces) > 1 else None


def asking_stretch(text: str) -> str | None:
    """The stretch of `text` that asks, when it has others around it: the one a «?» ends,
    else the first that starts with a question word; None when none is told apart."""
    pieces = _STRETCH.split(asked(text))
    stretches = [
        (piece, pieces[i + 1] if i + 1 < len(pieces) else "")
        for i, piece in enumerate(pieces)
        if i % 2 == 0 and piece.strip()
    ]
    if len(stretches) < 2:
        return None
    for piece, end in stretches:
        if end == "?":
            return piece
    for piece, _end in stretches:
        if _QUESTION_START.intersection(piece.split()[:2]):
            return piece
    for piece, _end in stretches[1:]:  # a message that opens with «hay…» tells first
        if _ASKING_START.intersection(piece.split()[:2]):
            return piece
    return None
