"""Workshops imported from a coordinator's CSV into both databases: all or nothing, stable codes,
and a re-import that changes nothing; `talleres listar` shows the result."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bot.services.regions import normalize
from bot.services.workshop_import import LIMA, ImportResult, import_workshops
from bot.services.workshops import SURVEY_OPEN_FOR, derived_code
from storage.db import Database
from storage.models import Person, Workshop
from storage.repositories import app_state
from storage.repositories import workshops as repo
from tests.cli import cli
from tests.helpers import CHECKED_AT
from tests.test_workshop_csv import BAD, GOOD, HEADER


async def _workshop_codes(database_url: str) -> list[str]:
    database = Database(database_url)
    try:
        async with database.session() as session:
            return list(await session.scalars(select(Workshop.code).order_by(Workshop.code)))
    finally:
        await database.dispose()


# --- the parser and validator, without a database ---------------------------------------------


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
        result = await import_workshops(session, GOOD.encode(), CHECKED_AT)
    assert result.problems == ()
    codes = [item.code for item in result.imported]
    assert codes[0] == "AB34CD" and codes[2] == "XYZ9"
    assert codes[1] == derived_code(normalize(title), start, "la-libertad", "2")
    assert [item.outcome for item in result.imported] == ["created"] * 3
    assert [item.generated for item in result.imported] == [False, True, False]

    async with db.session() as session:
        again = await import_workshops(session, GOOD.encode(), CHECKED_AT)
        stored = await repo.get_by_code(session, "AB34CD")
    assert [item.code for item in again.imported] == codes
    assert [item.outcome for item in again.imported] == ["unchanged"] * 3
    assert stored is not None
    assert stored.starts_at == datetime(2026, 3, 15, 9, tzinfo=LIMA)
    assert stored.survey_closes_at == stored.ends_at + SURVEY_OPEN_FOR

    changed = GOOD.replace("Huancayo", "Huancayo (auditorio)").replace(",Trujillo,", ",Chan Chan,")
    async with db.session() as session:
        updated = await import_workshops(session, changed.encode(), CHECKED_AT)
    assert [item.outcome for item in updated.imported] == ["updated", "updated", "unchanged"]
    assert [item.code for item in updated.imported] == codes


async def test_a_bad_file_writes_nothing(db: Database) -> None:
    async with db.session() as session:
        result = await import_workshops(session, BAD.encode(), CHECKED_AT)
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
            await repo.check_in(session, workshop.id, person.id, workshop.starts_at)
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
