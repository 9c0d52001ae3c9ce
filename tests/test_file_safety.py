"""Files that hold personal data are the owner's alone (the SQLite database, its WAL and SHM,
backup copies), and `informe --salida` never overwrites a file or folder unless told to."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli import main
from storage.db import Database
from storage.migrate import upgrade


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The usual umask (022), which would leave new files readable by everyone."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("permissive_umask")
async def test_database_wal_and_shm_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "minka.sqlite3"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(db.engine)
        async with db.session() as session:  # a write: the WAL and SHM files exist now
            await session.execute(text("INSERT INTO app_state (key, value) VALUES ('k', 'v')"))
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        assert all(file.exists() for file in files)
        assert {file.name: mode(file) for file in files} == {file.name: 0o600 for file in files}
    finally:
        await db.dispose()


@pytest.fixture
def migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "minka.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["db", "upgrade"]) == 0
    return database


@pytest.mark.usefixtures("permissive_umask")
def test_backup_copy_is_owner_only(
    migrated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "respaldo.sqlite3"
    assert main(["db", "respaldo", str(copy)]) == 0
    assert mode(copy) == 0o600 and mode(migrated) == 0o600
    assert "Copia de seguridad escrita" in capsys.readouterr().out


PERIOD = ["--desde", "2026-01-01", "--hasta", "2026-03-31"]


@pytest.mark.usefixtures("migrated")
def test_report_never_overwrites_unless_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = tmp_path / "informe.xlsx"
    workbook.write_bytes(b"the report of last quarter")
    assert main(["informe", *PERIOD, "--salida", str(workbook)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "ya existe" in lines[0] and "--sobrescribir" in lines[0]
    assert workbook.read_bytes() == b"the report of last quarter"
    assert main(["informe", *PERIOD, "--salida", str(workbook), "--sobrescribir"]) == 0
    assert workbook.read_bytes().startswith(b"PK")  # an XLSX now
    capsys.readouterr()

    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "notas.txt").write_text("mine")
    assert main(["informe", *PERIOD, "--salida", str(folder), "--formato", "csv"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "ya existe" in err[0]
    assert sorted(p.name for p in folder.iterdir()) == ["notas.txt"]
    assert (
        main(["informe", *PERIOD, "--salida", str(folder), "--formato", "csv", "--sobrescribir"])
        == 0
    )
    assert len(list(folder.glob("*.csv"))) > 5
