"""`python -m bot db respaldo ARCHIVO`: a consistent copy of the database while the bot keeps
running (and writing): SQLite's online backup API, or pg_dump for PostgreSQL (pg_backup.py).

`--carpeta DIR --conservar DÍAS` is what the nightly timer runs: a dated copy in DIR, and the
copies older than DÍAS days deleted (deploy/minka-respaldo.timer)."""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
import time
from contextlib import closing
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.cli.commands import plural
from bot.config import Settings

PAGES_PER_STEP = 1024  # copy in steps so writers are never held up for long
# Why a copy cannot be written, in Spanish (the error's own text is English).
UNWRITABLE = {
    errno.EACCES: "permiso denegado",
    errno.EPERM: "permiso denegado",
    # Under systemd's ProtectSystem=strict, any folder missing from ReadWritePaths=.
    errno.EROFS: "de solo lectura: con systemd, póngala en ReadWritePaths= del servicio",
}
# The dated copies `--carpeta` writes, and the only files it deletes.
ROTATED = ("minka-*.sqlite3", "minka-*.dump")


def backup(
    settings: Settings,
    target: str | None,
    *,
    folder: str | None = None,
    keep_days: int | None = None,
) -> int:
    """Copy to `target`, or to a dated file in `folder`, then delete that folder's copies
    older than `keep_days` days."""
    if (target is None) == (folder is None):
        print("error: indique un ARCHIVO o --carpeta DIR (uno de los dos)", file=sys.stderr)
        return 2
    if keep_days is not None and folder is None:  # its range: bot.cli.commands.keep_days
        print("error: --conservar va con --carpeta", file=sys.stderr)
        return 2
    if folder is not None:
        stamp = datetime.now(settings.timezone).strftime("%Y-%m-%d_%H%M%S")
        postgres = make_url(settings.database_url).drivername.startswith("postgresql")
        target = str(Path(folder) / f"minka-{stamp}.{'dump' if postgres else 'sqlite3'}")
    assert target is not None
    written = _copy(settings, target)
    if written != 0 or folder is None or keep_days is None:
        return written
    removed = prune(Path(folder), keep_days, keep=Path(target))
    if removed:
        verb = "Se borró" if removed == 1 else "Se borraron"
        print(
            f"{verb} {plural(removed, 'copia', 'copias')} de más de {keep_days} días de {folder}."
        )
    return 0


def prune(folder: Path, keep_days: int, *, keep: Path) -> int:
    """Delete the dated copies in `folder` older than `keep_days` days (never `keep`)."""
    limit = time.time() - keep_days * 86400
    copies = [path for pattern in ROTATED for path in folder.glob(pattern)]
    old = [p for p in copies if p != keep and p.stat().st_mtime < limit]
    for path in old:
        path.unlink()
    return len(old)


def _copy(settings: Settings, target: str) -> int:
    url = make_url(settings.database_url)
    destination = Path(target)
    if destination.exists():
        print(f"error: {destination} ya existe; elija otro nombre", file=sys.stderr)
        return 2
    if not destination.parent.is_dir():
        print(f"error: la carpeta {destination.parent} no existe", file=sys.stderr)
        return 2
    postgres = not url.drivername.startswith("sqlite")
    source = Path(url.database or "").absolute()
    if not postgres and (not url.database or not source.is_file()):
        print(
            f"DATABASE_URL: no existe la base de datos SQLite {source}: corrija la ruta en "
            "DATABASE_URL (una ruta relativa cuenta desde la carpeta donde se ejecuta Minka).",
            file=sys.stderr,
        )
        return 2
    # Written under another name first: never a half-written file under the chosen one.
    partial = destination.with_name(destination.name + ".partial")
    try:
        partial.unlink(missing_ok=True)  # left by an interrupted run
        # A copy of personal data: the owner's alone (0600). Not storage.sqlite's
        # create_private, which leaves a missing folder to sqlite3's own error.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as error:
        print(
            f"error: no se puede escribir en la carpeta {destination.parent} "
            f"({UNWRITABLE.get(error.errno, 'no admite archivos nuevos')}): dé permiso de "
            "escritura al usuario que ejecuta Minka (las copias nocturnas: sudo install -d "
            "-m 0700 -o minka -g minka /var/backups/minka).",
            file=sys.stderr,
        )
        return 2
    try:
        if postgres:
            from bot.cli.pg_backup import dump

            written = dump(settings, partial)
        else:
            written = _sqlite_copy(source, partial)
        if written != 0:
            return written
        partial.rename(destination)
    finally:
        partial.unlink(missing_ok=True)  # a failed copy; after the rename, nothing
    print(f"Copia de seguridad escrita en {destination} ({destination.stat().st_size} bytes).")
    return 0


def _sqlite_copy(source: Path, partial: Path) -> int:
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(partial)) as copy:
        live.backup(copy, pages=PAGES_PER_STEP)
        result = copy.execute("PRAGMA integrity_check").fetchone()
    if result != ("ok",):
        print(f"error: la copia no pasó la verificación de integridad: {result}", file=sys.stderr)
        return 1
    return 0
