"""A greeting followed by who writes and from where, asking nothing («buenos días, soy la
practicante nueva de la gerencia de energía y minas», «buenas tardes Minka, acá desde la DREM
Cusco»). Its office's words are the kit's own (gerencia, energía, minas, DREM): searched, they
drew sure answers about the regional offices to messages that asked nothing."""

from __future__ import annotations

import re

from knowledge.forwarded import unwrapped
from knowledge.text import STOPWORDS, addressed, fold, is_small_talk, words

# Where the introduction starts: who writes («soy», «somos») or from where («desde»); or for
# whom (`_WRITING`: «le escribo x mi papá», where nothing but the relative may follow: «le
# escribo por el reinfo de mi papá» says what it asks about).
_WRITING = frozenset("escribo escribimos".split())  # noqa: SIM905
_INTRODUCING = frozenset("soy somos reportandome reportando desde".split()) | _WRITING  # noqa: SIM905
# Said between the greeting and the introduction: «aquí reportándome», «acá desde».
_HERE = frozenset("aqui aca yo nosotros".split())  # noqa: SIM905
# Anything that asks: a question word, or a request («me explican…», «necesito…»).
_ASKS = re.compile(
    r"[?¿]|\b(?:q|k|que|como|cuando|cuanto|cuanta|cuantos|cuantas|donde|quien|quienes|cual"
    r"|cuales)\b|\b(?:explic|necesit|quier|quisier|consult|pregunt|dig"
    r"|dim|ayud|podri|pued|orient|inform|requisit|tramit)\w*"
)
# Where the introduction's one stretch ends.
_STRETCH = re.compile(r"[,.;:!¡\n]")


def introduces(text: str) -> bool:
    """Whether `text` is a greeting and then an introduction of the writer, its last stretch,
    asking nothing."""
    folded = fold(text)
    if _ASKS.search(folded):
        return False
    found = words(folded)
    start = next((i for i, w in enumerate(found) if w in _INTRODUCING), None)
    if not start:  # none, or nothing greeted before it
        return False
    if found[start] in _WRITING:
        after = unwrapped(folded.split(found[start], 1)[1])
        if any(w not in STOPWORDS for w in words(after)):
            return False
    before = found[:start]
    if not any(is_small_talk(w) for w in before) or not all(
        is_small_talk(w) or w in STOPWORDS or w in _HERE or addressed(found, i)
        for i, w in enumerate(before)
    ):
        return False
    stretches = [words(piece) for piece in _STRETCH.split(folded)]
    return start >= sum(len(piece) for piece in [s for s in stretches if s][:-1])
