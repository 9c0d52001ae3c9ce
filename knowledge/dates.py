"""`kb revisar`'s date checks: a stale deadline or an unchecked changing fact must not ship.

The rules, simple enough for a coordinator to follow:

- An article past its `review_by` fails: a person must check it against its sources again.
- Every plazo the text describes as open is declared in the header, `deadlines: [{date, what}]`;
  once a declared date has passed (Lima's calendar) the article fails until someone rewrites it.
- A full date («31 de diciembre de 2026») in a sentence about a plazo that was still ahead when
  the article was reviewed must be one of its `deadlines`: dates before `reviewed` are history.
- `review_by` comes no later than the first declared deadline.
- A glossary entry that states a fact that changes (it speaks of a plazo, or of one of the last five
  years) names its `source` and the day it was `reviewed`; it fails past its `review_by`.
- A glossary entry that names a norm (a law, a decree, a treaty) states a fact read in it: it names
  the norm as its `source`, and until a person has checked it (`reviewed`) `kb revisar` lists it
  as a warning, a to-do for specialists, not a failure (#14).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from knowledge.loader import Problem
from knowledge.model import Article, GlossaryEntry

LIMA = ZoneInfo("America/Lima")
MONTHS = {
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}
FULL_DATE = re.compile(r"\b(\d{1,2}) de (" + "|".join(MONTHS) + r") de (\d{4})\b", re.IGNORECASE)
PLAZO = re.compile(
    r"\b(plazos?|vence|vencen|venci\w*|vencimiento|hasta el|fecha l[ií]mite|pr[oó]rroga\w*|"
    r"ampl[ií]\w*|\d+ d[ií]as)\b",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|\n+")
YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
RECENT_YEARS = 5
# A norm named by its number («Ley 29338», «DS 014-92-EM», «RM 304-2008-MEM/DM», «Resolución
# Legislativa 30352»), or a treaty by its name («Convenio de Minamata»).
NORM = re.compile(
    r"\b(?:Ley \d{4,5}|(?:DS|DL|RM|RL|Decreto Supremo|Decreto Legislativo|Resolución Ministerial|"
    r"Resolución Legislativa) \d+(?:-\d+)*(?:-[A-Z]+(?:/[A-Z]+)?)?|Convenio de [A-Z]\w+)"
)


def lima_today() -> date:
    return datetime.now(LIMA).date()


@dataclass(frozen=True, slots=True)
class Stale:
    """Why an article shown today may no longer be true, for the warning on its answer: a plazo
    it gives as open has passed (`expired`), or else its review is overdue (`review_by`)."""

    expired: date | None = None
    review_by: date | None = None
    what: str = ""  # the expired plazo as its header names it: the warning says which one


def stale(article: Article, today: date) -> Stale | None:
    """The same judgement as `kb revisar`'s, made by the running bot on Lima's `today`: a
    deployment nobody updates must not go on stating a plazo that has run out."""
    expired = [deadline for deadline in article.deadlines if deadline.date < today]
    if expired:
        first = min(expired, key=lambda deadline: deadline.date)
        return Stale(expired=first.date, what=first.what)
    if article.review_by is not None and article.review_by < today:
        return Stale(review_by=article.review_by)
    return None


def glossary_overdue(entry: GlossaryEntry, today: date) -> bool:
    """Whether a glossary entry is past its `review_by` on Lima's `today`: its page warns, and its
    button in the glossary's lists is marked."""
    return entry.review_by is not None and entry.review_by < today


def due_on(article: Article) -> date | None:
    """The day by which a person must check the article again: its `review_by` or its first
    declared plazo, whichever comes first."""
    days = [d.date for d in article.deadlines]
    if article.review_by is not None:
        days.append(article.review_by)
    return min(days, default=None)


def glossary_due_on(entry: GlossaryEntry) -> date | None:
    """The day by which a person must check a glossary entry again: its `review_by`, or a
    plazo in its definition still ahead when it was reviewed (`kb revisar` fails past either)."""
    days = [
        when
        for when, _written in plazo_dates(entry.definition)
        if entry.reviewed is not None and when >= entry.reviewed
    ]
    if entry.review_by is not None:
        days.append(entry.review_by)
    return min(days, default=None)


def upcoming(article: Article, today: date, days: int) -> list[Problem]:
    """Advance notice for `kb revisar`: a `review_by` or declared plazo from today to `days`
    ahead (not yet a failure)."""
    last = today + timedelta(days=days)
    notices = []
    if article.review_by is not None and today <= article.review_by <= last:
        notices.append(
            _at_review_by(
                article,
                f"revisión próxima: revíselo contra sus fuentes a más tardar el "
                f"{article.review_by.isoformat()} ({_in_days(article.review_by, today)})",
            )
        )
    for deadline in article.deadlines:
        if today <= deadline.date <= last:
            notices.append(
                Problem(
                    article.path,
                    deadline.line,
                    f"el plazo «{deadline.what}» vence el {deadline.date.isoformat()} "
                    f"({_in_days(deadline.date, today)}): prepare el texto que lo reemplace",
                )
            )
    return notices


def _in_days(when: date, today: date) -> str:
    days = (when - today).days
    return "hoy" if days == 0 else "mañana" if days == 1 else f"en {days} días"


def dates_in(text: str) -> Iterator[tuple[date, str]]:
    """Every full Spanish date in the text, with the words as written."""
    for match in FULL_DATE.finditer(text):
        day, month, year = int(match[1]), MONTHS[match[2].lower()], int(match[3])
        try:
            yield date(year, month, day), match[0]
        except ValueError:
            continue


def plazo_dates(text: str) -> Iterator[tuple[date, str]]:
    """The dates written in sentences that speak of a plazo."""
    for sentence in SENTENCE_END.split(text):
        if PLAZO.search(sentence):
            yield from dates_in(sentence)


def _line_of(path: Path, needle: str, default: int) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next((n for n, line in enumerate(lines, start=1) if needle in line), default)


def _at_review_by(article: Article, message: str) -> Problem:
    return Problem(article.path, _line_of(article.path, "review_by:", 2), message)


def spanish_date(value: date) -> str:
    month = next(name for name, number in MONTHS.items() if number == value.month)
    return f"{value.day} de {month} de {value.year}"


def check_article_dates(article: Article, today: date) -> list[Problem]:
    problems = []
    if article.review_by is not None and article.review_by < today:
        problems.append(
            _at_review_by(
                article,
                f"revisión vencida: había que revisarlo contra sus fuentes antes del "
                f"{article.review_by.isoformat()}; corrija el texto y ponga nuevas fechas",
            )
        )
    for deadline in article.deadlines:
        if deadline.date < today:
            problems.append(
                Problem(
                    article.path,
                    deadline.line,
                    f"el plazo «{deadline.what}» venció el {deadline.date.isoformat()} y el "
                    "artículo lo da como abierto: reescriba el texto y actualice «deadlines»",
                )
            )
    declared = {deadline.date for deadline in article.deadlines}
    for when, written in plazo_dates(f"{article.summary}\n{article.body}"):
        if when >= article.reviewed and when not in declared:
            declared.add(when)  # one message per date
            problems.append(
                Problem(
                    article.path,
                    _line_of(article.path, written, article.body_line),
                    f"la fecha de plazo «{written}» no está en «deadlines» "
                    f"(agregue {{date: {when.isoformat()}, what: ...}})",
                )
            )
    if article.deadlines:
        first = min(deadline.date for deadline in article.deadlines)
        if article.review_by is None or article.review_by > first:
            problems.append(
                Problem(
                    article.path,
                    _line_of(article.path, "deadlines:", 2),
                    f"con plazos declarados, «review_by» debe ser a más tardar el "
                    f"{first.isoformat()} ({spanish_date(first)})",
                )
            )
    return problems


def changes(entry: GlossaryEntry, today: date) -> bool:
    """Whether the entry states a fact that changes: a plazo, or a recent year."""
    if PLAZO.search(entry.definition):
        return True
    years = [int(year) for year in YEAR.findall(entry.definition)]
    return any(today.year - RECENT_YEARS <= year <= today.year for year in years)


def check_glossary_dates(entry: GlossaryEntry, path: Path, today: date) -> list[Problem]:
    problems = []
    if changes(entry, today) and (entry.source is None or entry.reviewed is None):
        problems.append(
            Problem(
                path,
                entry.line,
                f"«{entry.term}» da un dato que cambia (un plazo o una norma reciente): "
                "agregue «source» (la norma) y «reviewed» (el día en que lo comprobó)",
            )
        )
    if entry.review_by is not None and entry.review_by < today:
        problems.append(
            Problem(
                path,
                entry.line,
                f"revisión vencida de «{entry.term}»: había que revisarla antes del "
                f"{entry.review_by.isoformat()}",
            )
        )
    for when, written in plazo_dates(entry.definition):
        if when < today and entry.reviewed is not None and when >= entry.reviewed:
            problems.append(
                Problem(path, entry.line, f"«{entry.term}»: el plazo del {written} ya venció")
            )
    return problems


def unreviewed_norm(entry: GlossaryEntry, path: Path, today: date) -> Problem | None:
    """A warning for an entry that states a fact read in a norm no person has checked (no
    `reviewed`), unless `check_glossary_dates` fails it already for the same reason."""
    norm = NORM.search(entry.definition)
    if norm is None or entry.reviewed is not None or changes(entry, today):
        return None
    todo = "«reviewed» (el día en que lo comprobó)"
    if entry.source is None:
        todo = f"«source» (la norma) y {todo}"
    return Problem(
        path,
        entry.line,
        f"por revisar: «{entry.term}» da un dato de una norma ({norm[0]}) que nadie ha "
        f"comprobado: compruébelo con la norma y agregue {todo}",
    )
