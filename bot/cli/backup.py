"""`python -m bot db respaldo ARCHIVO`: a consistent copy of the SQLite database, taken with
SQLite's online backup API, so the bot can keep running (and writing) meanwhile."""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings
from storage.sqlite import create_private

PAGES_PER_STEP = 1024  # copy in steps so writers are never held up for long


def backup(settings: Settings, target: str) -> int:
    url = make_url(settings.database_url)
    if not url.drivername.startswith("sqlite"):
        print(
            "error: «db respaldo» copia bases SQLite. Para PostgreSQL use pg_dump "
            "(vea «Copias de seguridad» en el README).",
            file=sys.stderr,
        )
        return 2
    source = Path(url.database or "")
    if not url.database or not source.is_file():
        print(f"error: no existe la base de datos {source}", file=sys.stderr)
        return 2
    destination = Path(target)
    if destination.exists():
        print(f"error: {destination} ya existe; elija otro nombre", file=sys.stderr)
        return 2
    if not destination.parent.is_dir():
        print(f"error: la carpeta {destination.parent} no existe", file=sys.stderr)
        return 2
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)  # left by an interrupted run
    create_private(partial)  # a copy of personal data: the owner's alone (0600)
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(partial)) as copy:
        live.backup(copy, pages=PAGES_PER_STEP)
        result = copy.execute("PRAGMA integrity_check").fetchone()
    if result != ("ok",):
        partial.unlink(missing_ok=True)
        print(f"error: la copia no pasó la verificación de integridad: {result}", file=sys.stderr)
        return 1
    partial.rename(destination)  # never leave a half-written file under the chosen name
    print(f"Copia de seguridad escrita en {destination} ({destination.stat().st_size} bytes).")
    return 0
