"""Reads the Tool Kit from `knowledge/content` and checks it (`python -m bot kb revisar`).

A coordinator fixes an article by editing its Markdown file; this module is what tells them,
with file:line messages, whether the edit is sound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from knowledge import yamlfile
from knowledge.model import Article, Deadline, Example, GlossaryEntry, ToolKit, Topic

CONTENT_DIR = Path(__file__).with_name("content")
REQUIRED = ("id", "title", "topic", "summary", "keywords", "related", "sources", "reviewed")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SUMMARY_MAX = 200


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _line_of(lines: list[str], key: str, default: int = 1) -> int:
    for number, line in enumerate(lines, start=1):
        if line.startswith(f"{key}:"):
            return number
    return default


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value):
        return tuple(item.strip() for item in value)
    return None


def _item_lines(lines: list[str], key: str) -> list[int]:
    """Line numbers of the `- ` items of a header list, in order."""
    start = _line_of(lines, key, default=0)
    found = []
    for number in range(start + 1, len(lines) + 1):
        text = lines[number - 1]
        if text.startswith((" ", "\t")) and text.strip().startswith("-"):
            found.append(number)
        elif text.strip() and not text.startswith((" ", "\t")):
            break
    return found


def parse_deadlines(
    raw: Any, path: Path, lines: list[str], problems: list[Problem]
) -> tuple[Deadline, ...]:
    """`deadlines:` is a list of {date, what}: the plazos the text describes as still open."""
    where = _line_of(lines, "deadlines")
    if not isinstance(raw, list):
        problems.append(Problem(path, where, "«deadlines» debe ser una lista de {date, what}"))
        return ()
    item_lines = _item_lines(lines, "deadlines")
    deadlines = []
    for index, item in enumerate(raw):
        line = item_lines[index] if index < len(item_lines) else where
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("date"), date)
            or not isinstance(item.get("what"), str)
            or not item["what"].strip()
        ):
            problems.append(
                Problem(path, line, "cada plazo necesita date (AAAA-MM-DD) y what (qué vence)")
            )
            continue
        deadlines.append(Deadline(item["date"], item["what"].strip(), line))
    return tuple(deadlines)


def parse_article(path: Path, problems: list[Problem]) -> Article | None:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in [ln.strip() for ln in lines[1:]]:
        problems.append(Problem(path, 1, "falta el encabezado entre líneas '---'"))
        return None
    end = 1 + [ln.strip() for ln in lines[1:]].index("---")
    try:
        meta = yamlfile.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problems.append(Problem(path, line, f"encabezado YAML inválido: {error}"))
        return None
    if not isinstance(meta, dict):
        problems.append(Problem(path, 2, "el encabezado debe ser una lista de campos"))
        return None
    start = len(problems)
    for key in REQUIRED:
        if key not in meta or meta[key] in (None, ""):
            problems.append(Problem(path, 2, f"falta el campo obligatorio «{key}»"))
    if len(problems) > start:
        return None
    where = {key: _line_of(lines, key) for key in meta}
    article_id = str(meta["id"])
    if not ID_PATTERN.match(article_id) or article_id != path.stem or len(article_id) > 40:
        problems.append(
            Problem(
                path,
                where["id"],
                "el id debe ser igual al nombre del archivo (minúsculas y guiones, hasta 40)",
            )
        )
    for key in ("keywords", "related", "sources"):
        if _strings(meta[key]) is None and meta[key] != []:
            problems.append(Problem(path, where[key], f"«{key}» debe ser una lista de textos"))
    if "order" in meta and not isinstance(meta["order"], int):
        problems.append(Problem(path, where["order"], "«order» debe ser un número entero"))
    for key in ("reviewed", "valid_as_of", "review_by"):
        if key in meta and not isinstance(meta[key], date):
            problems.append(Problem(path, where[key], f"«{key}» debe ser una fecha AAAA-MM-DD"))
    publication = meta.get("publication")
    if publication is not None and not _publication_name(publication):
        problems.append(
            Problem(
                path,
                where["publication"],
                "«publication» debe ser el nombre de archivo de una publicación, como "
                "regionalizacion.pdf (sin carpetas, hasta 200 caracteres)",
            )
        )
    summary = str(meta["summary"])
    if len(summary) > SUMMARY_MAX:
        problems.append(Problem(path, where["summary"], "el resumen pasa de 200 caracteres"))
    deadlines = (
        parse_deadlines(meta["deadlines"], path, lines, problems) if "deadlines" in meta else ()
    )
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        problems.append(Problem(path, end + 1, "el artículo no tiene texto"))
    if len(problems) > start:
        return None
    return Article(
        id=article_id,
        title=str(meta["title"]).strip(),
        topic=str(meta["topic"]).strip(),
        summary=summary.strip(),
        keywords=_strings(meta["keywords"]) or (),
        related=_strings(meta["related"]) or (),
        sources=_strings(meta["sources"]) or (),
        reviewed=meta["reviewed"],
        valid_as_of=meta.get("valid_as_of"),
        body=body,
        path=path,
        body_line=end + 2,
        order=meta.get("order", 100),
        review_by=meta.get("review_by"),
        deadlines=deadlines,
        publication=str(publication) if publication is not None else None,
    )


def _publication_name(value: object) -> bool:
    """A publication's file name as `publicaciones agregar` stores it: a PDF, no folders."""
    return (
        isinstance(value, str)
        and value.lower().endswith(".pdf")
        and len(value) <= 200
        and not any(char in value for char in "/\\")
        and value == value.strip()
    )


def parse_topics(path: Path, problems: list[Problem]) -> tuple[Topic, ...]:
    try:
        text = path.read_text(encoding="utf-8")
        raw = yamlfile.safe_load(text) or []
    except (OSError, yaml.YAMLError) as error:
        problems.append(Problem(path, 1, f"no se pudo leer: {error}"))
        return ()
    item_lines = [n for n, line in enumerate(text.splitlines(), start=1) if line.startswith("-")]
    topics = []
    for index, item in enumerate(raw):
        line = item_lines[index] if index < len(item_lines) else 1
        if not isinstance(item, dict) or not {"id", "name"} <= set(item):
            problems.append(Problem(path, line, "cada tema necesita id y name"))
            continue
        topic_id = str(item["id"])
        if not ID_PATTERN.match(topic_id) or len(topic_id) > 40:  # «kb:t:<id>:<page>» ≤ 64 bytes
            problems.append(
                Problem(
                    path,
                    line,
                    "el id del tema debe ser de minúsculas sin tildes, cifras y guiones, hasta 40",
                )
            )
            continue
        topics.append(Topic(topic_id, str(item["name"]), str(item.get("description", ""))))
    return tuple(topics)


def parse_glossary(path: Path, problems: list[Problem]) -> tuple[GlossaryEntry, ...]:
    try:
        text = path.read_text(encoding="utf-8")
        raw = yamlfile.safe_load(text) or []
    except (OSError, yaml.YAMLError) as error:
        problems.append(Problem(path, 1, f"no se pudo leer: {error}"))
        return ()
    term_lines = [n for n, ln in enumerate(text.splitlines(), start=1) if ln.startswith("- term:")]
    entries = []
    for index, item in enumerate(raw):
        line = term_lines[index] if index < len(term_lines) else 1
        if not isinstance(item, dict) or not item.get("term") or not item.get("definition"):
            problems.append(Problem(path, line, "cada entrada necesita term y definition"))
            continue
        dated = {key: item.get(key) for key in ("reviewed", "review_by")}
        if any(value is not None and not isinstance(value, date) for value in dated.values()):
            problems.append(
                Problem(path, line, "«reviewed» y «review_by» deben ser fechas AAAA-MM-DD")
            )
            continue
        entries.append(
            GlossaryEntry(
                term=str(item["term"]).strip(),
                expansion=str(item["expansion"]).strip() if item.get("expansion") else None,
                definition=str(item["definition"]).strip(),
                aliases=_strings(item.get("aliases") or []) or (),
                articles=_strings(item.get("articles") or []) or (),
                line=line,
                source=str(item["source"]).strip() if item.get("source") else None,
                reviewed=dated["reviewed"],
                review_by=dated["review_by"],
            )
        )
    return tuple(entries)


def parse_examples(path: Path, problems: list[Problem]) -> tuple[Example, ...]:
    """examples.yaml (optional): article id → questions it answers; `sin-respuesta` →
    questions the kit cannot answer. Read node by node to keep each question's line."""
    if not path.exists():
        return ()
    try:
        root = yamlfile.compose(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(Problem(path, mark.line + 1 if mark else 1, f"no se pudo leer: {error}"))
        return ()
    if root is None:
        return ()
    shape = "cada artículo (o sin-respuesta) seguido de una lista: - pregunta"
    if not isinstance(root, yaml.MappingNode):
        problems.append(Problem(path, root.start_mark.line + 1, shape))
        return ()
    examples = []
    for key, value in root.value:
        line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.SequenceNode):
            problems.append(Problem(path, line, shape))
            continue
        for item in value.value:
            if not isinstance(item, yaml.ScalarNode) or not item.value.strip():
                problems.append(
                    Problem(path, item.start_mark.line + 1, "pregunta vacía o no es texto")
                )
                continue
            examples.append(Example(item.value.strip(), key.value, item.start_mark.line + 1))
    return tuple(examples)


def read(content_dir: Path = CONTENT_DIR) -> tuple[ToolKit, list[Problem]]:
    """Everything that parses, plus the problems found while parsing."""
    problems: list[Problem] = []
    topics = parse_topics(content_dir / "topics.yaml", problems)
    articles: dict[str, Article] = {}
    for path in sorted((content_dir / "articles").glob("*.md")):
        article = parse_article(path, problems)
        if article is None:
            continue
        if article.id in articles:
            problems.append(
                Problem(path, 2, f"id repetido: también en {articles[article.id].path}")
            )
            continue
        articles[article.id] = article
    glossary = parse_glossary(content_dir / "glossary.yaml", problems)
    examples = parse_examples(content_dir / "examples.yaml", problems)
    return ToolKit(topics, articles, glossary, examples), problems


def load(content_dir: Path = CONTENT_DIR) -> ToolKit:
    """The Tool Kit, or `ContentError` when any file cannot be read."""
    kit, problems = read(content_dir)
    if problems:
        raise ContentError(problems)
    return kit
