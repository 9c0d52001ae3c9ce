"""`python -m bot db respaldo`: a consistent copy of a SQLite database while it is written."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from bot.cli import main


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
    # Never overwrite; and point PostgreSQL users to pg_dump.
    assert main(["db", "respaldo", str(copy)]) == 2
    assert "ya existe" in capsys.readouterr().err
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://minka@localhost/minka")
    assert main(["db", "respaldo", str(tmp_path / "otra.sqlite3")]) == 2
    assert "pg_dump" in capsys.readouterr().err
