"""Personal data in an example question (`examples.yaml`): the file is content, published to
every Minka and read by whoever keeps it, so it holds what officials asked, never who they
are or whom they asked about.

Numbers that name a person's record (DNI: 8 digits, RUC: 11, a mobile phone: 9, a landline:
7) are masked with zeros («con DNI 00000000»): the question keeps its shape and still reads
as one about a single record. E-mail addresses and Telegram @usernames are removed. A name
cannot be taken out reliably, so a question that names someone is refused rather than
cleaned: the asker, someone after a title («el señor Quispe», «ing. Mamani», «la señora
flores», «el alcalde huamani»), or two names together in any case («juan quispe mamani»;
`knowledge.names`), places named after people («provincia de Sánchez Carrión») apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise

from knowledge.names import ALSO_GIVEN, ALSO_WORDS, NAMES
from knowledge.text import fold, segments, words

# Seven digits or more in a row, a phone written in groups (987 654 321, +51 987-654-321),
# or a DNI as people write it: with thousands dots (41.234.567) or in two groups of four
# (4123 4567). A decree's number (D.S. 018-2017-EM) is no record and stays.
_RECORD = re.compile(
    r"(?<![\d.])(?:\+?51[ .-]?)?"
    r"(?:\d{7,}|9\d{2}(?:[ .-]\d{3}){2}|\d{1,3}(?:\.\d{3}){2,}|\d{4} \d{4})(?![\d])"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@\w{4,}")
# A title in any case, then a capitalised word: «el señor Quispe», «Ing. Mamani»; not Minka
# itself («buenas tardes, señorita Minka»: people greet the bot so; it is no one's data).
_TITLED = re.compile(
    r"\b(?i:señor|señora|señorita|sr|sra|srta|don|doña|ing|ingeniero|ingeniera|dr|dra|doctor"
    r"|doctora|lic|licenciado|licenciada|abog|abogado|abogada)\.?\s+(?!Minka\b)"
    r"[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+"
)
# A title, then a name of `knowledge.names` in any case: «la señora flores», «ing quispe»;
# after a role, only a name that is no ordinary word («el alcalde huamani», not «el
# director regional»). Matched on the folded text (ñ kept, people also type «senora»).
_HONORIFIC = (
    r"señor|señora|señorita|senor|senora|senorita|sr|sra|srta|don|doña|dona|ing|ingeniero"
    r"|ingeniera|dr|dra|doctor|doctora|lic|licenciado|licenciada|abog|abogado|abogada"
)
_ROLE = (
    r"alcalde|alcaldesa|gobernador|gobernadora|director|directora|gerente|presidente"
    r"|presidenta|fiscal|juez|jueza|profesor|profesora|prof|compañero|compañera|companero"
    r"|companera|colega|minero|minera"
)
_AFTER_TITLE = re.compile(rf"\b(?:({_HONORIFIC})|{_ROLE})\.?\s+([^\W\d_]+)")
_SAINT = frozenset({"san", "santa", "santo", "virgen"})  # «san juan», «santa rosa»: places
_NAME_PART = re.compile(r"[^\W\d_]{3,}")

NUMBER, NAME = "number", "name"  # the kinds `personal_data` reports


def masked(text: str) -> str:
    """`text` on one line, its record numbers as zeros and without addresses or usernames."""
    text = _EMAIL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    text = _RECORD.sub(lambda match: re.sub(r"\d", "0", match.group()), text)
    return " ".join(text.split())


def personal_data(text: str, names: Iterable[str | None] = ()) -> str | None:
    """NUMBER when `text` still holds a record number, an address or a username (not
    masked); NAME when it names someone: one of `names` (the asker's), or a person after a
    title. None when it can be published as an example."""
    if masked(text) != " ".join(text.split()):  # masked zeros stay as they are
        return NUMBER
    if _TITLED.search(text) or _named(fold(text)):
        return NAME
    said = set(words(text))
    if any(part in said for name in names for part in _NAME_PART.findall(fold(name or ""))):
        return NAME
    return None


def _named(folded: str) -> bool:
    """A name after a title or a role, or two names together (`knowledge.names`)."""
    for title in _AFTER_TITLE.finditer(folded):
        word = title.group(2)
        if word in NAMES or (title.group(1) and word in ALSO_WORDS):
            return True
    for stretch in segments(_places().sub(" ", folded)):
        found = words(stretch)
        for at, (first, second) in enumerate(pairwise(found)):
            if at > 0 and found[at - 1] in _SAINT:
                continue
            if first in NAMES and (second in NAMES or second in ALSO_WORDS):
                return True
            if first in ALSO_WORDS and second in NAMES:
                return True
            if first in ALSO_GIVEN and second in ALSO_WORDS - ALSO_GIVEN:
                return True
    return False


@lru_cache(maxsize=1)
def _places() -> re.Pattern[str]:
    """Peru's provinces, folded: several are named after people («Sánchez Carrión», «Daniel
    Alcides Carrión», «Rodríguez de Mendoza»), and are no one's personal data."""
    from bot.services.provinces import PROVINCES

    names = {fold(name) for names in PROVINCES.values() for name in names}
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b")
