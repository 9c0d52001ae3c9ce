"""Workshops from a coordinator's CSV: every problem at once with its line, all or nothing,
stable codes, and a re-import that changes nothing; `talleres listar` shows the result."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.services.regions import normalize
from bot.services.workshop_import import LIMA, ImportResult, import_workshops, parse
from bot.services.workshops import SURVEY_OPEN_FOR, derived_code
from storage.db import Database
from storage.models import Person, Workshop
from storage.repositories import app_state
from storage.repositories import workshops as repo
from storage.repositories.regions import RegionRecord

ROOT = Path(__file__).resolve().parent.parent
HEADER = "codigo,titulo,tema,inicio,fin,region,lugar,facilitador\n"
GOOD = (
    HEADER + "ab34cd,Formalización minera,REINFO,2026-03-15 09:00,2026-03-15 13:00,Junín,Huancayo,"
    "Ana Pérez\n"
    ",Fiscalización ambiental,,2026-03-20 09:00,2026-03-21 12:00,La Libertad,Trujillo,\n"
    'XYZ9,Seguridad en socavones,SSO,2026-04-01 15:00,2026-04-01 18:00,,Zoom,"Rosa, Luis"\n'
)
BAD = (
    HEADER
    + "BCDE,Taller bueno,,2026-05-01 09:00,2026-05-01 12:00,Puno,,\n"  # 2: fine on its own
    + "CDEF,Fecha mala,,2026-13-01 09:00,2026-05-01 12:00,Puno,,\n"  # 3
    + "DEFG,Al revés,,2026-05-01 12:00,2026-05-01 09:00,Puno,,\n"  # 4
    + "EFGH,Región rara,,2026-05-01 09:00,2026-05-01 12:00,Atlántida,,\n"  # 5
    + "BCDE,Código repetido,,2026-05-02 09:00,2026-05-02 12:00,Puno,,\n"  # 6
    + "FGHJ,,,2026-05-03 09:00,2026-05-03 12:00,Puno,,\n"  # 7
)


def _regions() -> list[RegionRecord]:
    path = ROOT / "storage/migrations/versions/0001_people_regions_audit.py"
    spec = importlib.util.spec_from_file_location("initial", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [RegionRecord(code, name, kind) for code, name, kind in module.REGIONS]


REGIONS = _regions()


def run_cli(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, "DATABASE_URL": database_url},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def cli(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(run_cli, *args, database_url=database_url, cwd=cwd)


async def _workshop_codes(database_url: str) -> list[str]:
    database = Database(database_url)
    try:
        async with database.session() as session:
            return list(await session.scalars(select(Workshop.code).order_by(Workshop.code)))
    finally:
        await database.dispose()


# --- the parser and validator, without a database ---------------------------------------------


def test_good_file_parses_to_lima_times_and_region_codes() -> None:
    rows, problems = parse(GOOD.encode(), REGIONS)
    assert problems == []
    assert [row.code for row in rows] == ["AB34CD", None, "XYZ9"]
    first = rows[0]
    assert first.starts_at == datetime(2026, 3, 15, 14, 0, tzinfo=UTC)
    assert first.starts_at.utcoffset() is not None
    assert (first.region_code, first.place, first.facilitator) == ("junin", "Huancayo", "Ana Pérez")
    assert rows[1].topic is None and rows[1].facilitator is None
    assert rows[2].region_code is None and rows[2].facilitator == "Rosa, Luis"


def test_bom_semicolons_crlf_and_quoted_newlines() -> None:
    data = (
        "\ufeffcodigo;titulo;tema;inicio;fin;region;lugar;facilitador\r\n"
        'ABCD;Taller;;2026-03-15 09:00;2026-03-15 13:00;Puno;"Sala 1\r\nPiso 2";\r\n'
        "\r\n"
        "abcde;Otro;;2026-03-15 09:00;2026-03-15 13:00;Cuzco;;;;\r\n"  # trailing empty cells
        "FGHJ;;;2026-03-15 09:00;2026-03-15 13:00;;;\r\n"
    ).encode()
    rows, problems = parse(data, REGIONS)
    assert [row.code for row in rows] == ["ABCD", "ABCDE"]
    assert rows[0].place == "Sala 1\nPiso 2" and rows[1].region_code == "cusco"
    # The quoted cell spans lines 2-3 and a blank line follows: the empty title is on line 6.
    assert [(p.line, p.reason) for p in problems] == [(6, "falta el título")]


def test_control_characters_are_cleaned_where_they_enter() -> None:
    """Issue #18: NUL (PostgreSQL refuses it), C1 controls and bidi overrides are removed."""
    row = "ABCD,Taller\x00 de\u202e REINFO\x85,,2026-03-15 09:00,2026-03-15 13:00,Puno,\x01Sala,\n"
    rows, problems = parse((HEADER + row).encode(), REGIONS)
    assert problems == []
    assert (rows[0].title, rows[0].place) == ("Taller de REINFO", "Sala")


def test_every_problem_is_reported_with_its_line() -> None:
    _rows, problems = parse(BAD.encode(), REGIONS)
    by_line = {problem.line: problem.reason for problem in problems}
    assert sorted(by_line) == [3, 4, 5, 6, 7]
    assert "2026-13-01 09:00" in by_line[3] and "no es una fecha" in by_line[3]
    assert "posterior al inicio" in by_line[4]
    assert "Atlántida" in by_line[5] and "no se reconoce" in by_line[5]
    assert "BCDE" in by_line[6] and "línea 2" in by_line[6]
    assert by_line[7] == "falta el título"


@pytest.mark.parametrize(
    ("cells", "fragment"),
    [
        ("-abcd,T,,2026-03-15 09:00,2026-03-15 13:00,,,", "sin guion al principio"),
        ("AB_CD,T,,2026-03-15 09:00,2026-03-15 13:00,,,", "no es válido"),
        ("ABC,T,,2026-03-15 09:00,2026-03-15 13:00,,,", "no es válido"),
        ("ABCDEFGHJKMNP,T,,2026-03-15 09:00,2026-03-15 13:00,,,", "no es válido"),
        ("PUÑO,T,,2026-03-15 09:00,2026-03-15 13:00,,,", "sin tildes ni ñ"),
        (",T,,15/03/2026 09:00,2026-03-15 13:00,,,", "AAAA-MM-DD HH:MM"),
        (",T,,2026-03-15 9:00,2026-03-15 13:00,,,", "AAAA-MM-DD HH:MM"),
        (",T,,2026-02-30 09:00,2026-03-15 13:00,,,", "no es una fecha"),
        (",T,,2026-03-15 09:00,,,,", "falta el fin"),
        (",T,,2026-03-15 09:00,2026-03-15 09:00,,,", "posterior al inicio"),
        (",T,,2026-03-15 09:00,2026-03-15 13:00,Lima M,,", "Lima Metropolitana"),
        (",T,,2026-03-15 09:00,2026-03-15 13:00,Puno Tacna,,", "¿quiso decir Tacna?"),
        (f",{'x' * 201},,2026-03-15 09:00,2026-03-15 13:00,,,", "el máximo es 200"),
        (f",T,{'x' * 201},2026-03-15 09:00,2026-03-15 13:00,,,", "el tema tiene 201"),
        (f",T,,2026-03-15 09:00,2026-03-15 13:00,,{'x' * 301},", "el máximo es 300"),
        (f",T,,2026-03-15 09:00,2026-03-15 13:00,,,{'x' * 201}", "el facilitador"),
        (",T,,2026-03-15 09:00,2026-03-15 13:00,,", "tiene 7 columnas"),
    ],
)
def test_row_problems(cells: str, fragment: str) -> None:
    rows, problems = parse((HEADER + cells + "\n").encode(), REGIONS)
    assert rows == []
    assert [problem.line for problem in problems] == [2]
    assert fragment in problems[0].reason


def test_ambiguous_region_names_the_candidates() -> None:
    cells = ",T,,2026-03-15 09:00,2026-03-15 13:00,Lima M,,\n"
    _rows, [problem] = parse((HEADER + cells).encode(), REGIONS)
    assert "ambigua" in problem.reason
    assert "Lima (Gobierno Regional)" in problem.reason and "Lima Metropolitana" in problem.reason


def test_limits_are_inclusive_and_regions_are_forgiving() -> None:
    lines = [
        f",{'t' * 200},{'x' * 200},2026-03-15 09:00,2026-03-15 13:00,Junin,{'l' * 300},{'f' * 200}",
        ",B,,2026-03-15 09:00,2026-03-15 13:00,la libertd,,",
        ",C,,2026-03-15 09:00,2026-03-15 13:00,nacional,,",
        ",D,,2026-03-15 09:00,2026-03-16 13:00,SAN MARTIN,,",
    ]
    rows, problems = parse((HEADER + "\n".join(lines)).encode(), REGIONS)
    assert problems == []
    assert [row.region_code for row in rows] == ["junin", "la-libertad", None, "san-martin"]


@pytest.mark.parametrize(
    ("data", "line", "fragment"),
    [
        (b"", 1, "vacío"),
        (b"codigo,titulo,inicio,fin\n", 1, "faltan: tema, region, lugar, facilitador"),
        (b"titulo,codigo,tema,inicio,fin,region,lugar,facilitador\n", 1, "otro orden"),
        (b"codigo,titulo,tema,inicio,fin,region,lugar,facilitador,cupo\n", 1, "sobran: cupo"),
        (HEADER.encode(), 2, "no hay talleres"),
        ((HEADER + ',T,"' + "x" * 200_000 + '"').encode(), 2, "como CSV"),
        ((HEADER + ",Título,,").encode("latin-1"), 2, "UTF-8"),
    ],
)
def test_file_problems(data: bytes, line: int, fragment: str) -> None:
    rows, problems = parse(data, REGIONS)
    assert rows == []
    assert [problem.line for problem in problems] == [line]
    assert fragment in problems[0].reason


def test_same_workshop_twice_without_code_is_an_error() -> None:
    row = ",Taller,,2026-03-15 09:00,2026-03-15 13:00,Puno,,\n"
    _rows, problems = parse((HEADER + row + row.replace("Taller", "TALLER")).encode(), REGIONS)
    assert [(problem.line, "línea 2" in problem.reason) for problem in problems] == [(3, True)]


def test_duplicate_code_ignores_case() -> None:
    rows = (
        "abcd,A,,2026-03-15 09:00,2026-03-15 13:00,,,\n"
        "ABCD,B,,2026-03-16 09:00,2026-03-16 13:00,,,\n"
    )
    _rows, problems = parse((HEADER + rows).encode(), REGIONS)
    assert [problem.line for problem in problems] == [3]


# --- the service against both databases -------------------------------------------------------


async def test_import_is_idempotent_and_derived_codes_avoid_collisions(db: Database) -> None:
    title, start = "Fiscalización ambiental", "2026-03-20 09:00"
    first_choice = derived_code(normalize(title), start, "la-libertad")
    async with db.session() as session:
        # A different workshop already owns the code the file's row would get first.
        await repo.create(
            session,
            code=first_choice,
            title="Otro taller",
            starts_at=datetime(2026, 1, 1, 14, tzinfo=UTC),
            ends_at=datetime(2026, 1, 1, 17, tzinfo=UTC),
            survey_closes_at=datetime(2026, 1, 8, 17, tzinfo=UTC),
        )
    async with db.session() as session:
        result = await import_workshops(session, GOOD.encode())
    assert result.problems == ()
    codes = [item.code for item in result.imported]
    assert codes[0] == "AB34CD" and codes[2] == "XYZ9"
    assert codes[1] == derived_code(normalize(title), start, "la-libertad", "2")
    assert [item.outcome for item in result.imported] == ["created"] * 3
    assert [item.generated for item in result.imported] == [False, True, False]

    async with db.session() as session:
        again = await import_workshops(session, GOOD.encode())
        stored = await repo.get_by_code(session, "AB34CD")
    assert [item.code for item in again.imported] == codes
    assert [item.outcome for item in again.imported] == ["unchanged"] * 3
    assert stored is not None
    assert stored.starts_at == datetime(2026, 3, 15, 9, tzinfo=LIMA)
    assert stored.survey_closes_at == stored.ends_at + SURVEY_OPEN_FOR

    changed = GOOD.replace("Huancayo", "Huancayo (auditorio)").replace(",Trujillo,", ",Chan Chan,")
    async with db.session() as session:
        updated = await import_workshops(session, changed.encode())
    assert [item.outcome for item in updated.imported] == ["updated", "updated", "unchanged"]
    assert [item.code for item in updated.imported] == codes


async def test_a_bad_file_writes_nothing(db: Database) -> None:
    async with db.session() as session:
        result = await import_workshops(session, BAD.encode())
    assert isinstance(result, ImportResult) and result.imported == ()
    async with db.session() as session:
        assert await session.scalar(select(func.count(Workshop.id))) == 0


# --- the command line, against both databases --------------------------------------------------


async def test_import_prints_codes_and_links_then_reimport_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    csv_file = tmp_path / "talleres.csv"
    csv_file.write_text(GOOD, encoding="utf-8")

    result = await cli(
        "talleres", "importar", str(csv_file), database_url=database_url, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    workshop_lines = [line for line in lines if "?start=taller-" in line]
    assert len(workshop_lines) == 3
    generated = derived_code(
        normalize("Fiscalización ambiental"), "2026-03-20 09:00", "la-libertad"
    )
    for code in ("AB34CD", generated, "XYZ9"):
        [line] = [line for line in workshop_lines if line.startswith(code + " ")]
        assert "nuevo" in line
        assert f"https://t.me/<usuario_del_bot>?start=taller-{code}" in line
    assert "2026-03-15 09:00" in workshop_lines[0] and "Formalización minera" in workshop_lines[0]
    assert any("se haya iniciado una vez" in line for line in lines)
    assert await _workshop_codes(database_url) == sorted(["AB34CD", generated, "XYZ9"])

    # Once the bot has run, it has stored its username: the links are complete.
    database = Database(database_url)
    try:
        async with database.session() as session:
            await app_state.put(session, "bot_username", "minka_pe_bot")
    finally:
        await database.dispose()
    again = await cli(
        "talleres", "importar", str(csv_file), database_url=database_url, cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    workshop_lines = [line for line in again.stdout.splitlines() if "?start=taller-" in line]
    assert len(workshop_lines) == 3
    assert all("sin cambios" in line for line in workshop_lines)
    assert "https://t.me/minka_pe_bot?start=taller-AB34CD" in again.stdout
    assert "<usuario_del_bot>" not in again.stdout
    assert await _workshop_codes(database_url) == sorted(["AB34CD", generated, "XYZ9"])


async def test_bad_file_reports_every_line_and_imports_nothing(
    database_url: str, tmp_path: Path
) -> None:
    good, bad = tmp_path / "buenos.csv", tmp_path / "malos.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")
    assert (
        await cli("talleres", "importar", str(good), database_url=database_url, cwd=tmp_path)
    ).returncode == 0
    before = await _workshop_codes(database_url)

    result = await cli("talleres", "importar", "malos.csv", database_url=database_url, cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line.split(":")[1] for line in lines] == ["3", "4", "5", "6", "7"]
    assert all(line.startswith("malos.csv:") for line in lines)
    assert "no es una fecha" in lines[0]
    assert "posterior al inicio" in lines[1]
    assert "Atlántida" in lines[2]
    assert "BCDE" in lines[3] and "línea 2" in lines[3]
    assert "falta el título" in lines[4]
    assert result.stderr.strip() == "5 filas con errores; no se importó nada."
    # Row 2 was fine, but nothing was written.
    assert await _workshop_codes(database_url) == before
    assert "BCDE" not in before


async def test_accent_free_and_misspelt_regions_resolve(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(
        HEADER
        + "JKMN,Uno,,2026-06-01 09:00,2026-06-01 12:00,Junin,,\n"
        + "PQRS,Dos,,2026-06-02 09:00,2026-06-02 12:00,la libertd,,\n",
        encoding="utf-8",
    )
    result = await cli("talleres", "importar", "t.csv", database_url=database_url, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    database = Database(database_url)
    try:
        async with database.session() as session:
            regions = dict(
                (await session.execute(select(Workshop.code, Workshop.region_code))).all()
            )
    finally:
        await database.dispose()
    assert regions == {"JKMN": "junin", "PQRS": "la-libertad"}


async def test_missing_file_is_one_clear_line(database_url: str, tmp_path: Path) -> None:
    result = await cli(
        "talleres", "importar", "no-existe.csv", database_url=database_url, cwd=tmp_path
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["No existe el archivo no-existe.csv."]
    assert result.stdout == ""


async def test_list_shows_workshops_with_attendance(database_url: str, tmp_path: Path) -> None:
    empty = await cli("talleres", "listar", database_url=database_url, cwd=tmp_path)
    assert empty.returncode == 0 and "No hay talleres" in empty.stdout

    (tmp_path / "t.csv").write_text(GOOD, encoding="utf-8")
    imported = await cli("talleres", "importar", "t.csv", database_url=database_url, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    database = Database(database_url)
    try:
        async with database.session() as session:
            person = Person(telegram_id=5551)
            session.add(person)
            await session.flush()
            workshop = await repo.get_by_code(session, "AB34CD")
            assert workshop is not None
            await repo.check_in(session, workshop.id, person.id)
            await repo.set_rating(
                session, workshop.id, person.id, overall=5, completed_at=datetime.now(UTC)
            )
    finally:
        await database.dispose()

    result = await cli("talleres", "listar", database_url=database_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == [
        "código",
        "inicio",
        "fin",
        "región",
        "título",
        "asistentes",
        "encuestas",
    ]
    assert len(rows) == 3
    first, second, third = rows
    assert [row.split()[0] for row in rows][::2] == ["AB34CD", "XYZ9"]
    assert "2026-03-15 09:00  13:00" in first and "Junín" in first
    assert first.split()[-2:] == ["1", "1"]
    assert "2026-03-21 12:00" in second and "La Libertad" in second
    assert "Nacional/virtual" in third and third.split()[-2:] == ["0", "0"]
