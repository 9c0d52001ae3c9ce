"""`kb ejemplos`: the questions specialists taught to Minka from /preguntas, checked as
`kb revisar` checks examples.yaml; `--aceptar` writes them into KB_DIR/examples.yaml (each
at the end of its article's list, the rest of the file as it was) and asks the running
Minka to reload; `--descartar` sets them aside."""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
from pathlib import Path

from bot.cli.commands import migrated, plural
from bot.config import Settings
from bot.services import teaching
from knowledge.check import check_examples, check_structure
from knowledge.example_file import with_examples
from knowledge.loader import Problem, parse_examples, read
from knowledge.model import ToolKit
from storage.db import Database
from storage.repositories import examples
from storage.repositories.examples import Taught

REASONS = {
    teaching.NO_ARTICLE: "el artículo ya no existe",
    teaching.NO_WORDS: "la pregunta no tiene palabras",
    teaching.REPEATED: "ya es un ejemplo",
    teaching.PERSONAL: "nombra a una persona: agréguela a mano sin el nombre, o descártela",
}


def _verdicts(kit: ToolKit, waiting: list[Taught]) -> list[tuple[Taught, teaching.Verdict]]:
    """Each waiting question judged against the file and the ones before it."""
    taken = teaching.in_file(kit)
    judged = []
    for item in waiting:
        verdict = teaching.judge(kit, item, item.article_id or "", taken)
        if verdict.refused is None:
            taken[teaching.same(verdict.text)] = item.article_id or ""
        judged.append((item, verdict))
    return judged


def _why(verdict: teaching.Verdict) -> str:
    reason = REASONS.get(verdict.refused or "", "")
    if verdict.refused == teaching.REPEATED:
        reason += f" de {verdict.other_article}"
    return reason


async def examples_order(
    settings: Settings, accept: list[int] | None, dismiss: list[int] | None
) -> int:
    folder = settings.content_dir
    kit, _problems = read(folder)
    async with migrated(settings) as db:
        if dismiss:
            async with db.session() as session:
                count = await examples.settle(session, dismiss, examples.DISMISSED)
            print(f"{plural(count, 'pregunta descartada', 'preguntas descartadas')}.")
            return 0 if count == len(set(dismiss)) else 1
        if accept is None:
            async with db.session() as session:
                _list(_verdicts(kit, await examples.waiting(session)))
            return 0
        return await _accept(settings, db, kit, set(accept))


def _list(judged: list[tuple[Taught, teaching.Verdict]]) -> None:
    if not judged:
        print("No hay preguntas enseñadas que esperen.")
        return
    print(f"{plural(len(judged), 'pregunta enseñada espera', 'preguntas enseñadas esperan')}:")
    for item, verdict in judged:
        problem = f"  ✗ {_why(verdict)}" if verdict.refused else ""
        print(f"{item.id:>6}  {item.article_id}  «{verdict.text}»{problem}")
    print(
        "Agréguelas a examples.yaml con --aceptar (todas, o los números indicados); "
        "descarte las que no sirvan con --descartar N."
    )


async def _accept(settings: Settings, db: Database, kit: ToolKit, chosen: set[int]) -> int:
    """Write the chosen waiting questions (all when none is chosen) into examples.yaml. What
    is written is read, judged and marked in one transaction that holds the rows
    (`examples.claim`), and the file is replaced before it commits: a question whose asker
    erased their data before is not written, and an erasure after waits for the commit. A
    commit that fails puts the file back as it was."""
    from bot import kb_reload

    if settings.kb_dir is None:
        print(
            "KB_DIR no está definido: los ejemplos se escriben en la copia del Tool Kit que "
            "Minka lee (vea «Puesta en marcha» en el README). No se escribió nada.",
            file=sys.stderr,
        )
        return 2
    folder = settings.kb_dir
    problems = check_structure(folder)
    if problems:
        for problem in problems:
            print(problem)
        print("Corrija primero el Tool Kit (kb revisar): no se escribió nada.", file=sys.stderr)
        return 1
    path = folder / "examples.yaml"
    was = path.read_text(encoding="utf-8") if path.exists() else None
    written = False
    try:
        async with db.session() as session:
            picked = _verdicts(kit, await examples.claim(session, sorted(chosen) or None))
            missing = chosen - {i.id for i, _v in picked}
            for number in sorted(missing):
                print(f"{number}: no es una pregunta enseñada que espere", file=sys.stderr)
            in_place = [i.id for i, v in picked if _already(v, i)]
            good = [(i, v) for i, v in picked if v.refused is None]
            for item, verdict in picked:
                if verdict.refused and item.id not in in_place:
                    print(f"{item.id}: no se agregó, {_why(verdict)}", file=sys.stderr)
            if good:
                added = [(i.article_id or "", v.text) for i, v in good]
                new = with_examples(was or "", added)
                problems = _checked(kit, new, added)
                if problems:
                    for problem in problems:
                        print(problem)
                    print("No se escribió nada: examples.yaml queda como estaba.", file=sys.stderr)
                    return 1
                _write(path, new)
                written = True
            marked = [i.id for i, _v in good] + in_place
            await examples.settle(session, marked, examples.ACCEPTED)
    except BaseException:
        if written:  # not marked: the file goes back to what the database says
            _put_back(path, was)
        raise
    if good:
        await kb_reload.request(db)
        print(
            f"{plural(len(good), 'pregunta agregada', 'preguntas agregadas')} a {path}. Minka "
            f"en marcha las usará en unos {settings.kb_reload_seconds:g} segundos."
        )
    else:
        print("No se agregó ninguna pregunta.")
    return 0 if len(good) + len(in_place) == len(picked) and not missing else 1


def _already(verdict: teaching.Verdict, item: Taught) -> bool:
    """Written by an earlier --aceptar whose mark did not reach the database."""
    return verdict.refused == teaching.REPEATED and verdict.other_article == item.article_id


def _checked(kit: ToolKit, text: str, added: list[tuple[str, str]]) -> list[Problem]:
    """`kb revisar`'s checks of examples.yaml on the new text, before it replaces the file;
    and every question added found under its article."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "examples.yaml"
        path.write_text(text, encoding="utf-8")
        problems: list[Problem] = []
        found = parse_examples(path, problems)
        problems += check_examples(dataclasses.replace(kit, examples=found), path)
        have = {(e.article, e.question) for e in found}
        problems += [
            Problem(path, 1, f"no quedó bajo {a}: {q}") for a, q in added if (a, q) not in have
        ]
        return problems


def _put_back(path: Path, text: str | None) -> None:
    if text is None:
        path.unlink(missing_ok=True)
    else:
        _write(path, text)


def _write(path: Path, text: str) -> None:
    """Replace the file in one step: a running Minka or an editor never reads half of it."""
    temporary = path.with_name(f".{path.name}.nuevo")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
