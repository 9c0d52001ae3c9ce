"""`python -m bot db respaldo`: a consistent copy of a SQLite database while it is written."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.cli.pg_backup import find_tool
from storage.db import Database
from storage.migrate import upgrade
from tests.conftest import _new_postgres_database
from tests.postgres import PostgresServer


def _writer(path: Path, stop: threading.Event, written: list[int]) -> None:
    """Keep inserting rows (as the running bot would) until told to stop."""
    connection = sqlite3.connect(path, timeout=30)
    while not stop.is_set():
        with connection:
            connection.execute(
                "INSERT INTO app_state (key, value) VALUES (?, 'x')", (f"k{len(written)}",)
            )
        written.append(1)
    connection.close()


def test_backup_while_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "minka.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["db", "upgrade"]) == 0
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_writer, args=(database, stop, written))
    writer.start()
    copy = tmp_path / "respaldo.sqlite3"
    try:
        while len(written) < 50:
            stop.wait(0.01)
        assert main(["db", "respaldo", str(copy)]) == 0
    finally:
        stop.set()
        writer.join()
    assert "Copia de seguridad escrita" in capsys.readouterr().out
    with sqlite3.connect(copy) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = check.execute("SELECT count(*) FROM app_state").fetchone()[0]
        regions = check.execute("SELECT count(*) FROM regions").fetchone()[0]
    assert 50 <= rows <= len(written) and regions == 27
    assert not (tmp_path / "respaldo.sqlite3.partial").exists()
    # Never overwrite.
    assert main(["db", "respaldo", str(copy)]) == 2
    assert "ya existe" in capsys.readouterr().err


def test_nightly_copies_rotate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What deploy/minka-respaldo.service runs: a dated copy, and copies past N days deleted."""
    database = tmp_path / "minka.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["db", "upgrade"]) == 0
    folder = tmp_path / "respaldos"
    folder.mkdir()
    now = time.time()
    ages = {"minka-2026-11-01_020000.sqlite3": 33, "minka-2026-11-19_020000.sqlite3": 15}
    ages |= {"minka-2026-11-21_020000.sqlite3": 13, "notas-viejas.txt": 40}
    for name, days in ages.items():
        (folder / name).write_bytes(b"x")
        os.utime(folder / name, (now - days * 86400, now - days * 86400))
    command = ["db", "respaldo", "--carpeta", str(folder), "--conservar", "14"]
    assert main(command) == 0
    out = capsys.readouterr().out
    assert "Se borraron 2 copias de más de 14 días" in out
    left = sorted(path.name for path in folder.iterdir())
    assert left[0] == "minka-2026-11-21_020000.sqlite3" and left[-1] == "notas-viejas.txt"
    [new] = [name for name in left if name not in ages]
    assert new.startswith("minka-") and new.endswith(".sqlite3")
    with sqlite3.connect(folder / new) as check:
        assert check.execute("SELECT count(*) FROM regions").fetchone()[0] == 27
    assert main(["db", "respaldo", "--conservar", "14"]) == 2


async def test_postgresql_nightly_copy_restores(
    postgres: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL the same order runs pg_dump: a dated, checked custom-format dump that
    pg_restore turns back into the same database."""
    url = await _new_postgres_database(postgres)
    db = Database(url)
    await upgrade(db.engine)
    async with db.session() as session:
        await session.execute(text("INSERT INTO app_state (key, value) VALUES ('prueba', 'sí')"))
    await db.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    folder = tmp_path / "respaldos"
    folder.mkdir()
    old = folder / "minka-2026-10-01_023000.dump"
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 30 * 86400,) * 2)
    command = ["db", "respaldo", "--carpeta", str(folder), "--conservar", "14"]
    assert await asyncio.to_thread(main, command) == 0, capsys.readouterr().err
    assert "Se borró 1 copia de" in capsys.readouterr().out
    [dump] = list(folder.iterdir())
    assert dump.name.startswith("minka-") and dump.suffix == ".dump"
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600

    restored = await _new_postgres_database(postgres)
    name = restored.rsplit("/", 1)[1]
    pg_restore = find_tool("pg_restore")
    assert pg_restore is not None
    await asyncio.to_thread(
        subprocess.run,
        [
            str(pg_restore),
            "--host=127.0.0.1",
            f"--port={postgres.port}",
            f"--username={postgres.user}",
            f"--dbname={name}",
            str(dump),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    copy = Database(restored)
    try:
        async with copy.session() as session:
            value = await session.scalar(text("SELECT value FROM app_state WHERE key = 'prueba'"))
            regions = await session.scalar(text("SELECT count(*) FROM regions"))
        assert value == "sí" and regions == 27
    finally:
        await copy.dispose()


# What pg_dump 15 prints for a PostgreSQL 16 server (the only client on Debian 12 by default).
OLD_PG_DUMP = """#!/bin/sh
echo 'pg_dump: error: aborting because of server version mismatch' >&2
echo 'pg_dump: detail: server version: 16.4 (Debian 16.4-1.pgdg120+1); pg_dump version: 15.8' >&2
exit 1
"""


async def test_a_pg_dump_older_than_the_server_says_which_client_to_install(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    """Issue #15 audit: the nightly copy's log said only libpq's English detail line."""
    url = await _new_postgres_database(postgres)
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "pg_dump").write_text(OLD_PG_DUMP)
    (tools / "pg_dump").chmod(0o755)
    pg_restore = find_tool("pg_restore")
    assert pg_restore is not None
    (tools / "pg_restore").symlink_to(pg_restore)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DB_"))}
    env |= {"DATABASE_URL": url, "PATH": f"{tools}:{os.environ['PATH']}"}
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "db", "respaldo", "--carpeta", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: pg_dump 15 no puede copiar un servidor PostgreSQL 16, más nuevo: instale su "
        "cliente (sudo apt install postgresql-client-16) y vuelva a intentarlo."
    )
    assert os.listdir(tmp_path) == ["bin"]  # no copy, no partial
