"""`kb revisar`'s checks for time written without a date: a claim that expires unnoticed.

`knowledge.dates` sees full dates («31 de diciembre de 2026»). These forms carry none, so a
reader cannot tell when they stop being true and CI would never fail on them:

- a plazo counted from an event: «en un plazo de 120 días calendario desde la vigencia de la
  Ley 32537», «dentro de seis meses», «60 días calendario» after naming a norm;
- words that mean a time relative to the day they were written: «hasta fin de año», «en los
  próximos meses», «este año», «próximamente»;
- the present of the formalization process, which ends by law (Ley 32537: 31 Dec 2026, or
  earlier with the Ley MAPE): «la DGFM, que hoy conduce la formalización»;
- a count of people or registrations without the date it was counted.

Each is fine in a paragraph that tells it as past with its date («ese plazo venció alrededor
de fines de abril de 2026»). Otherwise the article needs `review_by` (a glossary entry too),
so that it fails on its own when it may have expired; a count needs a date or `valid_as_of`.
When the plazo is counted from a norm whose publication date the article gives («Ley 32537
(publicada el 26 de diciembre de 2025)»), its end is computed: once past, the text must say
so, whatever `review_by` says; while ahead, it must be one of the `deadlines`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from knowledge.dates import MONTHS, dates_in, spanish_date
from knowledge.loader import Problem
from knowledge.model import Article, GlossaryEntry

NUMBERS = {
    "un": 1,
    "una": 1,
    "uno": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "once": 11,
    "doce": 12,
    "quince": 15,
    "dieciocho": 18,
    "veinte": 20,
    "treinta": 30,
    "cuarenta y cinco": 45,
    "sesenta": 60,
    "noventa": 90,
    "ciento veinte": 120,
    "ciento ochenta": 180,
}
_COUNT = r"(\d+|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + ")"
_UNIT = r"(d[ií]as|semanas|mes(?:es)?|años)(?:\s+(calendario|h[aá]biles|naturales))?"
# «dentro de seis meses», «en un plazo máximo de 120 días», «en 45 días»
COUNTED = re.compile(
    r"\b(?:dentro\s+de|(?:en\s+)?(?:un\s+)?(?:plazo|periodo|período)(?:\s+m[aá]ximo|\s+no\s+mayor)?"
    r"\s+de|en)\s+" + _COUNT + r"\s+" + _UNIT + r"\b",
    re.IGNORECASE,
)
# «120 días desde la vigencia», «seis meses contados a partir de su publicación»
FROM = re.compile(
    _COUNT + r"\s+" + _UNIT + r"(?:\s+contad[oa]s)?\s+(?:desde|a\s+partir\s+de|siguientes\s+a|"
    r"de\s+(?:la\s+)?(?:entrada\s+en\s+)?(?:vigencia|vigor)|de\s+(?:la|su)\s+publicaci[oó]n)",
    re.IGNORECASE,
)
# Any other count of days, weeks or months is a plazo when the sentence names a norm or counts
# from one («la Ley 32537 dio 120 días calendario»); years alone are durations («vale dos años»).
BARE = re.compile(
    _COUNT + r"\s+(d[ií]as|semanas|mes(?:es)?)(?:\s+(calendario|h[aá]biles|naturales))?\b",
    re.IGNORECASE,
)
ANCHOR = re.compile(
    r"\bLey\s+\d|\bDecreto\b|\bla\s+(?:ley|norma)\b|vigencia\s+de\s+la|entrada\s+en\s+"
    r"(?:vigencia|vigor)|publicaci[oó]n",
    re.IGNORECASE,
)
VAGUE = re.compile(
    r"\b(?:(?:a|hasta|para|antes\s+de)\s+fin(?:es)?\s+de(?:l)?\s+(?:este\s+|presente\s+)?"
    r"(?:año|mes)|en\s+(?:los|las)\s+pr[oó]xim[oa]s\s+(?:d[ií]as|semanas|meses|años)|"
    r"pr[oó]ximamente|este\s+año|(?:el|del)\s+(?:pr[oó]ximo|presente)\s+año|"
    r"el\s+año\s+(?:que\s+viene|entrante)|dentro\s+de\s+poco|en\s+breve)\b",
    re.IGNORECASE,
)
NOW = re.compile(
    r"\b(?:hoy|ahora|actualmente|en\s+la\s+actualidad|a\s+la\s+fecha|hasta\s+ahora|"
    r"por\s+ahora|actuales?)\b",
    re.IGNORECASE,
)
RENAMED = re.compile(r"\([^()]*\bhoy\s+[^()]*\)", re.IGNORECASE)  # «(MEM, hoy MINEM)»
PROCESS = re.compile(
    r"formaliz\w*|\bREINFO\b|\bLey\s+MAPE\b|\bDGFM\b|Ventanilla\s+Única", re.IGNORECASE
)
HEADCOUNT = re.compile(
    r"\b(?:\d{1,3}(?:[,.]\d{3})+|\d+\s+mil)\s+(?:\w+\s+){0,2}?(?:inscripciones|inscritos|"
    r"mineros|formalizados|expedientes|personas|trabajadores|registros)\b",
    re.IGNORECASE,
)
PAST = re.compile(
    r"\b(?:venci[óo]|venc[ií]an?|termin[óo]|conclu(?:y[óo]|ía)|finaliz[óo]|deb[ií]an?|pas[óo]|"
    r"se\s+cumpli[óo])\b",
    re.IGNORECASE,
)
DATED = re.compile(
    r"\b(?:" + "|".join(MONTHS) + r")\s+de\s+(?:19|20)\d{2}\b|\b(?:en|de|desde)\s+(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
PUBLISHED = re.compile(
    r"\bLey\s+(\d{4,5})\b[^.\n]{0,40}?(?:publicada\s+el\s+)?(\d{1,2}\s+de\s+\w+\s+de\s+\d{4})",
    re.IGNORECASE,
)
LAW = re.compile(r"\bLey\s+(\d{4,5})\b", re.IGNORECASE)
PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*- )")
SENTENCE = re.compile(r"(?<=[.;!?:])\s+|\n+")


@dataclass(frozen=True, slots=True)
class Relative:
    """One claim that depends on the day it was written."""

    kind: str  # "plazo", "vago", "proceso" or "cifra"
    written: str  # the words as written, to find their line
    told_as_past: bool  # its paragraph tells it as past, with a date
    ends: date | None = None  # a plazo's computed last day, when its norm's date is known
    law: str | None = None  # the law it is counted from, then


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[" ".join(word.lower().split())]


def _after(start: date, count: int, unit: str) -> date | None:
    """The last day of a plazo of `count` `unit` counted from the day after `start`; None for
    working days (holidays are not known here)."""
    unit = unit.lower()
    if unit.startswith(("día", "dia")):
        return start + timedelta(days=count)
    if unit.startswith("semana"):
        return start + timedelta(weeks=count)
    months = start.month - 1 + (count * 12 if unit.startswith("año") else count)
    year, month = start.year + months // 12, months % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return None


def published(text: str) -> dict[str, date]:
    """Each law whose publication date the text gives («Ley 32537 (publicada el 26 de diciembre
    de 2025)»)."""
    found = {}
    for match in PUBLISHED.finditer(text):
        for when, _written in dates_in(match[2]):
            found.setdefault(match[1], when)
    return found


def _ends(sentence: str, match: re.Match[str], laws: dict[str, date]) -> tuple[date, str] | None:
    """The last day of the plazo in `match`, counted from the vigencia (the day after
    publication) of the one law the sentence names with a known date, and that law."""
    named = {number for number in LAW.findall(sentence) if number in laws}
    if len(named) != 1 or (match[3] or "").lower().startswith("h"):
        return None
    law = named.pop()
    ends = _after(laws[law] + timedelta(days=1), _number(match[1]), match[2])
    return None if ends is None else (ends, law)


def _plazos(sentence: str, laws: dict[str, date], past: bool, history: bool) -> Iterator[Relative]:
    """The plazos of a sentence, each once (the forms overlap): computed when counted
    explicitly («en un plazo de…», «…desde la vigencia») from a law whose date is known. A
    plazo only named with a norm («una ampliación de seis meses») in a paragraph whose dates
    were all past when it was reviewed is history."""
    taken: list[tuple[int, int]] = []
    forms = [(COUNTED, True), (FROM, True), (BARE, False)]
    for pattern, explicit in forms:
        for match in pattern.finditer(sentence):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            if pattern is BARE and not ANCHOR.search(sentence):
                continue
            taken.append(match.span())
            counted = _ends(sentence, match, laws) if explicit else None
            told = past or (history and not explicit)
            yield Relative("plazo", match[0], told, *(counted or (None, None)))


def claims(text: str, sources: str = "", reviewed: date | None = None) -> Iterator[Relative]:
    """Every claim in `text` that depends on the day it was written (`sources` may give the
    publication dates of the norms it counts from; `reviewed`, the day it was checked)."""
    laws = published(f"{text}\n{sources}")
    for paragraph in PARAGRAPH.split(text):
        past = bool(PAST.search(paragraph) and DATED.search(paragraph))
        days = [when for when, _written in dates_in(paragraph)]
        history = bool(days) and reviewed is not None and max(days) < reviewed
        for sentence in SENTENCE.split(paragraph):
            yield from _plazos(sentence, laws, past, history)
            for match in VAGUE.finditer(sentence):
                yield Relative("vago", match[0], past)
            bare = RENAMED.sub("", sentence)
            if (now := NOW.search(bare)) and PROCESS.search(bare):
                yield Relative("proceso", now[0], False)  # a present is not told as past
            for match in HEADCOUNT.finditer(sentence):
                if not YEAR.search(sentence):
                    yield Relative("cifra", match[0], past)


NEEDS_REVIEW_BY = {
    "plazo": "«{written}» es un plazo sin fecha: vence sin que nadie lo note",
    "vago": "«{written}» depende del día en que se escribió",
    "proceso": "«{written}» describe en presente el proceso de formalización, cuyo plazo y "
    "cuyas reglas cambian por ley",
}
HOW = (
    ": agregue «review_by» (y «valid_as_of») para que venza a tiempo, o escríbalo en pasado "
    "con su fecha"
)


def _line(path: Path, needle: str, default: int) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    folded = needle.casefold()
    return next((n for n, line in enumerate(lines, 1) if folded in line.casefold()), default)


def _unique(found: Iterable[Relative]) -> list[Relative]:
    seen: set[tuple[str, str, date | None]] = set()
    kept = []
    for claim in found:
        key = (claim.kind, claim.written.casefold(), claim.ends)
        if key not in seen:
            seen.add(key)
            kept.append(claim)
    return kept


def check_article(article: Article, today: date) -> list[Problem]:
    """`kb revisar`'s judgement of an article's claims without a date (see the module)."""
    sources = "\n".join(article.sources)
    found = _unique(
        [
            *claims(article.title, f"{sources}\n{article.body}", article.reviewed),
            *claims(article.summary, f"{sources}\n{article.body}", article.reviewed),
            *claims(article.body, sources, article.reviewed),
        ]
    )
    declared = [deadline.date for deadline in article.deadlines]
    problems = []
    for claim in found:
        line = _line(article.path, claim.written, article.body_line)
        message = _computed(claim, today, article.reviewed, declared)
        if message is None and claim.kind == "cifra" and article.valid_as_of is None:
            message = (
                f"la cifra «{claim.written}» no dice de cuándo es: escriba el año en la frase o "
                "agregue «valid_as_of»"
            )
        elif message is None and _undated(claim, article.review_by):
            message = NEEDS_REVIEW_BY[claim.kind].format(written=claim.written) + HOW
        if message is not None:
            problems.append(Problem(article.path, line, message))
    return problems


def _undated(claim: Relative, review_by: date | None) -> bool:
    """A claim that may expire, in a text that does not expire with it."""
    return claim.kind in NEEDS_REVIEW_BY and review_by is None and not claim.told_as_past


def _computed(claim: Relative, today: date, reviewed: date, declared: list[date]) -> str | None:
    """A plazo counted from a law with a known date: past, the text must say so; ahead, it
    must be declared (within two days of the computed day: how the days are counted varies)."""
    if claim.ends is None or claim.told_as_past:
        return None
    plazo = f"«{claim.written}», contado desde la vigencia de la Ley {claim.law},"
    when = f"{spanish_date(claim.ends)} ({claim.ends.isoformat()})"
    if claim.ends < today:
        return f"{plazo} terminó hacia el {when} y el texto no lo dice: escríbalo en pasado"
    if claim.ends >= reviewed and not any(abs((d - claim.ends).days) <= 2 for d in declared):
        return (
            f"{plazo} termina hacia el {when}: agréguelo a «deadlines» "
            f"({{date: {claim.ends.isoformat()}, what: ...}})"
        )
    return None


def check_glossary(entry: GlossaryEntry, path: Path, today: date) -> list[Problem]:
    """The same for a glossary entry's definition: it needs `review_by` (and its `source` and
    `reviewed`, as `knowledge.dates` asks of a fact that changes)."""
    problems = []
    for claim in _unique(claims(entry.definition, entry.source or "", entry.reviewed)):
        message = _computed(claim, today, entry.reviewed or today, [])
        if message is None and claim.kind == "cifra" and entry.reviewed is None:
            message = f"la cifra «{claim.written}» no dice de cuándo es: agregue «reviewed»"
        elif message is None and _undated(claim, entry.review_by):
            message = NEEDS_REVIEW_BY[claim.kind].format(written=claim.written) + HOW
        if message is not None:
            problems.append(Problem(path, entry.line, f"«{entry.term}»: {message}"))
    return problems
