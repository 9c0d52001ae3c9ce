"""The Tool Kit's content checks and rendering, without Telegram (its search: test_search_*.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.cli.commands import kb_check
from knowledge.base import KnowledgeBase
from knowledge.check import check, coming_due, to_review
from knowledge.dates import NORM
from knowledge.loader import CONTENT_DIR
from knowledge.markup import paragraphs, split_message, visible_length


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_shipped_content_passes_every_check() -> None:
    assert check() == []


def test_content_meets_the_issue_minimums(kb: KnowledgeBase) -> None:
    assert len(kb.kit.articles) >= 60
    assert len(kb.kit.topics) >= 10
    assert len(kb.kit.glossary) >= 80
    assert "acerca-de-minka" in kb.kit.articles


def _broken_copy(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    article = content / "articles" / "formalizacion-reinfo.md"
    text = article.read_text(encoding="utf-8")
    text = text.replace("related: [", "related: [no-existe, ", 1)
    text = text.replace("REINFO (Registro", "XYZQ y <b>REINFO (Registro", 1)
    article.write_text(text, encoding="utf-8")
    (content / "articles" / "roto.md").write_text("sin encabezado\n", encoding="utf-8")
    return content


def test_revisar_fails_with_file_and_line(tmp_path: Path) -> None:
    content = _broken_copy(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "kb", "revisar", "--carpeta", str(content)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    out = result.stdout
    reinfo = str(content / "articles" / "formalizacion-reinfo.md")
    assert f"{reinfo}:8: artículo relacionado inexistente: no-existe" in out
    assert f"{reinfo}:" in out and "la sigla XYZQ no está en el glosario" in out
    assert f"{content / 'articles' / 'roto.md'}:1: falta el encabezado" in out
    assert "problemas en el Tool Kit." in result.stderr


def test_markup_escapes_and_formats() -> None:
    rendered = paragraphs("Regla **clave** y _nota_ en /mis_datos <b>\n\n- uno\n- dos")
    assert rendered == [
        "Regla <b>clave</b> y <i>nota</i> en /mis_datos &lt;b&gt;",
        "• uno\n• dos",
    ]
    parts = split_message(["a" * 3000, "b" * 3000, "c" * 10], limit=4096)
    assert len(parts) == 2 and all(visible_length(p) <= 4096 for p in parts)


def _revisar(content: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "kb", "revisar", "--carpeta", str(content), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_a_passed_formalization_deadline_fails_revisar(tmp_path: Path) -> None:
    """CI runs `kb revisar`: on 1 January 2027 the shipped kit must fail, naming file and line."""
    assert check(today=date(2026, 12, 4)) == []
    moved = _revisar(CONTENT_DIR, "--hoy", "2027-01-01")
    assert moved.returncode == 1
    plazos = CONTENT_DIR / "articles" / "formalizacion-plazos.md"
    lines = plazos.read_text(encoding="utf-8").splitlines()
    deadline_line = next(
        n for n, ln in enumerate(lines, 1) if ln.strip().startswith("- {date: 2026")
    )
    review_line = next(n for n, ln in enumerate(lines, 1) if ln.startswith("review_by:"))
    assert (
        f"{plazos}:{deadline_line}: el plazo «fin del proceso de formalización minera integral "
        "(Ley 32537)» venció el 2026-12-31" in moved.stdout
    )
    assert f"{plazos}:{review_line}: revisión vencida" in moved.stdout
    today = _revisar(CONTENT_DIR, "--hoy", "2026-12-04")
    assert today.returncode == 0 and "El Tool Kit está en orden." in today.stdout
    # Within 30 days: warnings that name file and line, and still exit 0.
    assert (
        f"aviso: {plazos}:{review_line}: revisión próxima: revíselo contra sus fuentes a más "
        "tardar el 2026-12-31 (en 27 días)" in today.stdout
    )
    assert (
        f"aviso: {plazos}:{deadline_line}: el plazo «fin del proceso de formalización minera "
        "integral (Ley 32537)» vence el 2026-12-31 (en 27 días)" in today.stdout
    )
    assert not [n for n in coming_due(CONTENT_DIR, date(2026, 11, 30)) if n.path == plazos]
    assert len(coming_due(CONTENT_DIR, date(2026, 12, 1))) >= 2
    assert _revisar(CONTENT_DIR, "--hoy", "mañana").returncode == 2


def test_revisar_refuses_a_day_out_of_the_years_minka_reads(capsys: pytest.CaptureFixture) -> None:
    """«--hoy 9999-12-31» failed with OverflowError (a deadline's warning period past it)."""
    for day in ("9999-12-31", "1999-12-31", "mañana"):
        assert kb_check(CONTENT_DIR, day) == 2
        assert capsys.readouterr().err == (
            f"--hoy debe ser una fecha AAAA-MM-DD entre 2000 y 2199, no «{day}».\n"
        )


def test_revisar_lists_the_norm_facts_nobody_checked_and_still_passes(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    """#14: a glossary entry that names a norm states a fact read in it. Each names it as its
    `source`; one without a `reviewed` date (nobody has checked it: none is made up) is a
    warning, a to-do for specialists, with file and line, and `kb revisar` still exits 0."""
    named = [e for e in kb.kit.glossary if NORM.search(e.definition)]
    assert len(named) >= 30 and [e.term for e in named if e.source is None] == []
    listed = {p.line for p in to_review(CONTENT_DIR, date(2026, 12, 4))}
    assert listed == {e.line for e in named if e.reviewed is None}
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    glossary = content / "glossary.yaml"
    text = glossary.read_text(encoding="utf-8")
    text = text.replace('  source: "Ley 29338, Ley de Recursos Hídricos (2009)"\n', "", 1)
    checked = '  source: "Ley 29968 (diciembre de 2012)"\n'
    text = text.replace(checked, checked + "  reviewed: 2026-12-04\n", 1)
    glossary.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    ana = lines.index("- term: ANA") + 1
    senace = lines.index("- term: SENACE") + 1
    start = lines.index("- term: Autorización de inicio") + 1
    result = _revisar(content, "--hoy", "2026-12-04")
    assert result.returncode == 0 and "El Tool Kit está en orden." in result.stdout
    assert (
        f"aviso: {glossary}:{ana}: por revisar: «ANA» da un dato de una norma (Ley 29338) que "
        "nadie ha comprobado: compruébelo con la norma y agregue «source» (la norma) y "
        "«reviewed» (el día en que lo comprobó)" in result.stdout
    )
    assert (
        f"aviso: {glossary}:{start}: por revisar: «Autorización de inicio» da un dato de una "
        "norma (DL 1336) que nadie ha comprobado: compruébelo con la norma y agregue «reviewed» "
        "(el día en que lo comprobó)" in result.stdout
    )
    assert f"{glossary}:{senace}:" not in result.stdout
    todo = [line for line in result.stdout.splitlines() if ": por revisar: «" in line]
    assert len(todo) == len(listed) - 1


def test_ci_runs_revisar_as_it_would_fail_on_new_year() -> None:
    """.ci/run checks the Tool Kit with `python -m bot kb revisar`, without a folder (CI has no
    KB_DIR: the packaged content). That very command, on 1 January 2027, exits 1."""
    ci = (Path(__file__).parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r"&& \.venv/bin/python (-m bot kb revisar)$", ci, re.MULTILINE)
    assert command is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_", "KB_"))}
    run = subprocess.run(
        [sys.executable, *command[1].split(), "--hoy", "2027-01-01"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    plazos = CONTENT_DIR / "articles" / "formalizacion-plazos.md"
    assert f"{plazos}:" in run.stdout and "venció el 2026-12-31" in run.stdout


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_deadlines_in_the_text_must_be_declared(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    censo = content / "articles" / "formalizacion-censo.md"
    _edit(
        censo,
        "**En la práctica:**",
        "El plazo para concluirlo vence el 30 de junio de 2027.\n\n**En la práctica:**",
    )
    plazos = content / "articles" / "formalizacion-plazos.md"
    _edit(plazos, "review_by: 2026-12-31\n", "")
    _edit(
        plazos,
        '  - "Ley 32537 (',
        '  - "Ley 32537 que amplía el proceso de formalización minera integral hasta 2026 (',
    )
    problems = [str(p) for p in check(content, today=date(2026, 12, 4))]
    censo_line = next(
        n
        for n, ln in enumerate(censo.read_text(encoding="utf-8").splitlines(), 1)
        if "30 de junio de 2027" in ln
    )
    assert (
        f"{censo}:{censo_line}: la fecha de plazo «30 de junio de 2027» no está en «deadlines» "
        "(agregue {date: 2027-06-30, what: ...})" in problems
    )
    assert any(
        p.startswith(f"{plazos}:") and "«review_by» debe ser a más tardar el 2026-12-31" in p
        for p in problems
    )
    assert any(
        p.startswith(f"{plazos}:") and "la primera fuente es la norma" in p for p in problems
    )
    # History is not a deadline: the extensions to 2021, 2024 and 2025 are not flagged.
    assert not any("2021" in p or "de 2025»" in p for p in problems)
    assert len(problems) == 3


def test_changing_glossary_facts_carry_source_and_date(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    glossary = content / "glossary.yaml"
    _edit(glossary, '  source: "Ley 30705, artículo 5; Ley 32213 (27 de diciembre de 2024)"\n', "")
    _edit(
        glossary,
        "- term: SUNAFIL\n",
        "- term: SUNAFIL\n  review_by: 2026-12-01\n",
    )
    problems = [str(p) for p in check(content, today=date(2026, 12, 4))]
    assert any("«Ente rector» da un dato que cambia" in p for p in problems)
    assert any("revisión vencida de «SUNAFIL»" in p for p in problems)
    assert len(problems) == 2


def test_an_article_names_a_publication_by_its_file_name(tmp_path: Path) -> None:
    """`publication:` takes a PDF's file name (what `publicaciones agregar` stores), no folder."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    article = content / "articles" / "regionalizacion-transferencia-mem.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(
        text.replace("publication: regionalizacion.pdf", "publication: docs/informe.docx"),
        encoding="utf-8",
    )
    problems = [str(problem) for problem in check(content)]
    line = text.splitlines().index("publication: regionalizacion.pdf") + 1
    assert any(
        f"{article}:{line}:" in problem and "«publication» debe ser el nombre de archivo" in problem
        for problem in problems
    ), problems


def test_a_topic_id_must_fit_a_button(tmp_path: Path) -> None:
    """A topic's id travels in its button's callback data («kb:t:<id>:<page>», at most 64
    bytes of UTF-8): an id with accents or too long made /temas fail for everyone, and
    `kb revisar` (and a reload) let it through."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    long_id = "pequeña-minería-y-minería-artesanal-en-las-regiones"
    _edit(content / "topics.yaml", "- id: estratos\n", f"- id: {long_id}\n")
    for article in (content / "articles").glob("*.md"):
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace("topic: estratos\n", f"topic: {long_id}\n"))
    problems = [str(problem) for problem in check(content, today=date(2026, 12, 4))]
    assert problems[0] == (
        f"{content / 'topics.yaml'}:5: el id del tema debe ser de minúsculas sin tildes, "
        "cifras y guiones, hasta 40"
    )
    assert all(f"tema desconocido: {long_id}" in problem for problem in problems[1:])


def test_a_source_link_telegram_refuses_fails_revisar(tmp_path: Path) -> None:
    """A source's address Telegram does not take as a link (a host without a dot) is sent,
    but shows as plain words, the source not reachable: `kb revisar` names the article."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    article = content / "articles" / "formalizacion-reinfo.md"
    text = article.read_text(encoding="utf-8")
    assert "https://www.peruinforma.com/?p=288908" in text
    article.write_text(
        text.replace("https://www.peruinforma.com/?p=288908", "https://intranet/guia"),
        encoding="utf-8",
    )
    problems = [str(problem) for problem in check(content, today=date(2026, 12, 4))]
    assert problems == [
        f"{article}:{_body_line(text)}: un enlace de las fuentes que Telegram no acepta "
        "(se vería como texto)"
    ], problems


def _body_line(text: str) -> int:
    """The line an article's body begins on (after the header's closing «---»)."""
    return text.splitlines().index("---", 1) + 2
