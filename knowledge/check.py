"""`python -m bot kb revisar`: everything that must hold for the Tool Kit to be published."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.i18n import translator
from bot.telegram_entities import FormatError
from bot.telegram_html import parse_html_counted
from knowledge import relative, yamlfile
from knowledge.dates import (
    check_article_dates,
    check_glossary_dates,
    lima_today,
    unreviewed_norm,
    upcoming,
)
from knowledge.loader import CONTENT_DIR, Problem, read
from knowledge.markup import MESSAGE_LIMIT, visible_length
from knowledge.model import NO_ANSWER, Article, Example, ToolKit
from knowledge.personal import NAME, NUMBER, personal_data
from knowledge.render import article_messages, glossary_message
from knowledge.text import words

ACRONYM = re.compile(r"\b[A-ZÁÉÍÓÚÑ]{2,}(?:-[a-z]{1,2})?\b")
NORM_MAX = 60  # «Vigente al … · norm» stays one line on a phone
NOT_ACRONYMS = frozenset({"II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "US"})
PERSONAL = {
    NUMBER: "datos personales: un número de DNI, RUC o teléfono (escríbalo con ceros: 00000000), "
    "un correo o un @usuario",
    NAME: "datos personales: el nombre de una persona (escriba la pregunta sin él)",
}


def known_acronyms(kit: ToolKit) -> set[str]:
    known: set[str] = set()
    for entry in kit.glossary:
        known.add(entry.term.upper())
        known.update(alias.upper() for alias in entry.aliases)
        known.update(part.strip().upper() for part in entry.term.split("/"))
    return known


def _line_in(article: Article, needle: str) -> int:
    lines = article.path.read_text(encoding="utf-8").splitlines()
    return next((n for n, line in enumerate(lines, start=1) if needle in line), 1)


def _check_article(article: Article, kit: ToolKit, acronyms: set[str]) -> list[Problem]:
    problems = []
    if kit.topic(article.topic) is None:
        problems.append(
            Problem(article.path, _line_in(article, "topic:"), f"tema desconocido: {article.topic}")
        )
    for related in article.related:
        if related not in kit.articles or related == article.id:
            problems.append(
                Problem(
                    article.path,
                    _line_in(article, "related:"),
                    f"artículo relacionado inexistente: {related}",
                )
            )
    text = "\n".join([article.title, article.summary, article.body])
    for acronym in sorted(set(ACRONYM.findall(text)) - NOT_ACRONYMS):
        if acronym.upper() not in acronyms:
            problems.append(
                Problem(
                    article.path,
                    _line_in(article, acronym),
                    f"la sigla {acronym} no está en el glosario",
                )
            )
    if len(article.norm) > NORM_MAX:
        problems.append(
            Problem(
                article.path,
                _line_in(article, "sources:"),
                f"la primera fuente es la norma que se muestra bajo la respuesta: hasta {NORM_MAX} "
                "caracteres antes de « (», «, » o « — »",
            )
        )
    if "(check)" in text:
        problems.append(
            Problem(article.path, _line_in(article, "(check)"), "queda un «(check)» sin resolver")
        )
    t = translator("es", ZoneInfo("America/Lima"))
    for message in article_messages(article, t):
        if visible_length(message) > MESSAGE_LIMIT:
            problems.append(
                Problem(
                    article.path,
                    article.body_line,
                    "un párrafo supera los 4096 caracteres de Telegram",
                )
            )
        problem = _html_problem(message)
        if problem is not None:
            problems.append(Problem(article.path, article.body_line, problem))
    return problems


def _html_problem(message: str) -> str | None:
    """What Telegram would refuse in a message, or show otherwise than written: a link to an
    address it does not take (a host without a dot: `https://intranet/guia`) shows as words."""
    try:
        _text, _entities, dropped_links = parse_html_counted(message, lambda _user_id: None)
    except FormatError as error:
        return f"HTML de Telegram inválido: {error}"
    if dropped_links:
        return "un enlace de las fuentes que Telegram no acepta (se vería como texto)"
    return None


def check(content_dir: Path = CONTENT_DIR, today: date | None = None) -> list[Problem]:
    """Every problem of the content; dates are judged against `today` (Lima's, by default)."""
    kit, problems = read(content_dir)
    return _structure(kit, problems, content_dir) + _dates(kit, content_dir, today)


def review(
    content_dir: Path = CONTENT_DIR, today: date | None = None
) -> tuple[list[Problem], list[Problem]]:
    """`kb revisar`: `check`'s problems, and `coming_due`'s and `to_review`'s warnings, from
    one reading of the content (each read it again: 0.1-0.2 CPU s apiece, #17 session 31)."""
    kit, problems = read(content_dir)
    problems = _structure(kit, problems, content_dir) + _dates(kit, content_dir, today)
    return problems, _coming_due(kit, content_dir, today) + _to_review(kit, content_dir, today)


def check_dates(content_dir: Path = CONTENT_DIR, today: date | None = None) -> list[Problem]:
    """Stale content: past `review_by`, expired deadlines, changing facts without a date.

    CI fails on these; a running bot's reload only warns (blocking every edit would also block
    the one that fixes the stale article).
    """
    return _dates(read(content_dir)[0], content_dir, today)


def coming_due(
    content_dir: Path = CONTENT_DIR, today: date | None = None, days: int = 30
) -> list[Problem]:
    """Warnings, not failures: a `review_by` or declared plazo within `days` of `today`, so
    that specialists rewrite the article before CI and the bot's answers call it stale."""
    return _coming_due(read(content_dir)[0], content_dir, today, days)


def _coming_due(
    kit: ToolKit, content_dir: Path, today: date | None, days: int = 30
) -> list[Problem]:
    today = today or lima_today()
    notices = [n for a in kit.articles.values() for n in upcoming(a, today, days)]
    last = today + timedelta(days=days)
    notices += [
        Problem(
            content_dir / "glossary.yaml",
            entry.line,
            f"revisión próxima de «{entry.term}»: a más tardar el {entry.review_by.isoformat()}",
        )
        for entry in kit.glossary
        if entry.review_by is not None and today <= entry.review_by <= last
    ]
    return notices


def to_review(content_dir: Path = CONTENT_DIR, today: date | None = None) -> list[Problem]:
    """Warnings, not failures: the glossary entries that state a fact read in a norm no person
    has checked yet (`knowledge.dates.unreviewed_norm`), a to-do list for specialists."""
    return _to_review(read(content_dir)[0], content_dir, today)


def _to_review(kit: ToolKit, content_dir: Path, today: date | None) -> list[Problem]:
    today = today or lima_today()
    path = content_dir / "glossary.yaml"
    found = (unreviewed_norm(e, path, today) for e in kit.glossary)
    return [problem for problem in found if problem is not None]


def check_structure(content_dir: Path = CONTENT_DIR) -> list[Problem]:
    """What makes the content unusable or wrong whatever the day: a reload refuses it."""
    kit, problems = read(content_dir)
    return _structure(kit, problems, content_dir)


def _dates(kit: ToolKit, content_dir: Path, today: date | None) -> list[Problem]:
    today = today or lima_today()
    problems = [p for a in kit.articles.values() for p in check_article_dates(a, today)]
    problems += [p for a in kit.articles.values() for p in relative.check_article(a, today)]
    glossary_path = content_dir / "glossary.yaml"
    problems += [p for e in kit.glossary for p in check_glossary_dates(e, glossary_path, today)]
    problems += [p for e in kit.glossary for p in relative.check_glossary(e, glossary_path, today)]
    return problems


def _structure(kit: ToolKit, problems: list[Problem], content_dir: Path) -> list[Problem]:
    t = translator("es", ZoneInfo("America/Lima"))
    problems = list(problems)
    acronyms = known_acronyms(kit)
    for article in kit.articles.values():
        problems += _check_article(article, kit, acronyms)
    topic_ids = [t.id for t in kit.topics]
    for topic in kit.topics:
        if topic_ids.count(topic.id) > 1:
            problems.append(Problem(content_dir / "topics.yaml", 1, f"tema repetido: {topic.id}"))
        if not kit.in_topic(topic.id):
            problems.append(
                Problem(content_dir / "topics.yaml", 1, f"el tema {topic.id} no tiene artículos")
            )
    problems += _check_synonyms(content_dir / "synonyms.yaml")
    problems += check_examples(kit, content_dir / "examples.yaml")
    glossary_path = content_dir / "glossary.yaml"
    seen: set[str] = set()
    for entry in kit.glossary:
        if entry.term.casefold() in seen:
            problems.append(Problem(glossary_path, entry.line, f"término repetido: {entry.term}"))
        seen.add(entry.term.casefold())
        for article_id in entry.articles:
            if article_id not in kit.articles:
                problems.append(
                    Problem(glossary_path, entry.line, f"artículo inexistente: {article_id}")
                )
        problem = _html_problem(glossary_message(entry, t))
        if problem is not None:
            problems.append(Problem(glossary_path, entry.line, problem))
    return problems


def _check_synonyms(path: Path) -> list[Problem]:
    """synonyms.yaml must be a list of groups, each a list of phrases."""
    try:
        groups = yamlfile.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as error:
        mark = getattr(error, "problem_mark", None)
        return [Problem(path, mark.line + 1 if mark else 1, f"no se pudo leer: {error}")]
    if isinstance(groups, list) and all(
        isinstance(g, list) and all(isinstance(p, str) for p in g) for g in groups
    ):
        return []
    return [Problem(path, 1, "cada línea debe ser un grupo: - [frase, otra frase]")]


def check_examples(kit: ToolKit, path: Path) -> list[Problem]:
    """Each example under an article that exists (or sin-respuesta), each question once, and
    nobody's personal data in it (`knowledge.personal`)."""
    problems = []
    first: dict[str, Example] = {}
    for example in kit.examples:
        if example.article != NO_ANSWER and example.article not in kit.articles:
            problems.append(Problem(path, example.line, f"artículo inexistente: {example.article}"))
        same = " ".join(words(example.question))
        kind = personal_data(example.question)
        if kind is not None:
            problems.append(Problem(path, example.line, PERSONAL[kind]))
        if not same:
            problems.append(Problem(path, example.line, "la pregunta no tiene palabras"))
        elif (earlier := first.setdefault(same, example)) is not example:
            where = f"también en la línea {earlier.line}"
            if earlier.article != example.article:
                where += f", bajo {earlier.article}"
            problems.append(Problem(path, example.line, f"pregunta repetida ({where})"))
    return problems


def statistics(content_dir: Path = CONTENT_DIR) -> list[tuple[str, int]]:
    kit, _problems = read(content_dir)
    return [(topic.name, len(kit.in_topic(topic.id))) for topic in kit.topics]
