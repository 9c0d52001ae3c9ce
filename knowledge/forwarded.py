"""A message forwarded, copied or dictated from someone else: the wrapper around what is asked
(«Reenviado:», a WhatsApp header «[8:02, 5/12] Director:», «copio lo que manda el director:
'…'») and the one the official speaks for («mi papá»). Left in, their words (reenviado,
director, audio, papá) are words the kit lacks: a right first answer looked unsure (#14: v22's
forwarded and dictated messages, 29 right first choices turned down)."""

from __future__ import annotations

import re

_QUOTES = "'\"«“‘"
_CLOSING = "'\"»”’"
# A WhatsApp header: time, date and sender, «[8:02, 5/12] Director:», one or more.
_HEADER = re.compile(r"\[\s*\d{1,2}:\d{2}[^\]\n]{0,24}\]\s*[^:\n]{0,40}:\s*")
# A forwarding mark at the start: «Reenviado:», «[Reenviado]», «Reenvío de planeamiento:».
_FORWARD = re.compile(
    rf"^\W*(?:mensaje\s+)?(?:reenviado|reenvio|reenvie)\b[^:?{_QUOTES}\n]{{0,50}}[:\]]\s*"
)
# A label that says where a quote comes from, then the quote, to the end of the message: the
# quote is what is asked («copio del director: '…'», «director (audio): '…'»); not a quote the
# message goes on after («Titular que quiero evitar: '…'. ¿…?»), nor one a question labels
# («que es la DIA: '…'»).
_SOURCE = (
    r"(?:copio|copie|copia|pego|paso|transcribo|transcrito|manda|mando|envia|envio|escribe"
    r"|escribio|dice|dijo|pregunta|pregunto|consulta|consulto|audio|reenvi\w*|mensaje)"
)
_QUOTED = re.compile(
    rf"^[^:?{_QUOTES}\n]{{0,80}}\b{_SOURCE}\b[^:?{_QUOTES}\n]{{0,60}}[:\]]\s*[{_QUOTES}]"
    rf"(?P<quote>[^{_CLOSING}]*\w[^{_CLOSING}]*)[{_CLOSING}]\W*$"
)
# The one the official writes for, a relative: «mi papá», «a mi mamá», «mi tío».
_KIN = re.compile(
    r"\b(?:mi|mis)\s+(?:papa|papi|papito|mama|mami|padre|madre|padres|papas|tio|tia|abuelo"
    r"|abuela|abuelito|esposo|esposa|hermano|hermana|suegro|suegra)\b"
)


def unwrapped(folded: str) -> str:
    """`folded` (a folded message) without a forwarding wrapper and without the relative the
    official writes for; what is quoted, when the rest only says where it comes from."""
    found = _FORWARD.sub("", _HEADER.sub(" ", folded), count=1)
    quoted = _QUOTED.match(found.strip())
    if quoted is not None:
        found = quoted["quote"]
    return _KIN.sub(" ", found)
