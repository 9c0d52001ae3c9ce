"""`db respaldo` on PostgreSQL: `pg_dump --format=custom` (a consistent snapshot while Minka
keeps writing), checked with `pg_restore --list` before it takes its final name."""

from __future__ import annotations

import asyncio
import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.startup import wait_until_reachable
from storage.db import Database

# pg_dump refuses a server newer than itself: "server version: 16.4; pg_dump version: 15.8".
MISMATCH = re.compile(r"server version: (\d+)[^;]*; pg_dump version: (\d+)")


def find_tool(name: str) -> str | None:
    """A PostgreSQL client program: on PATH (Debian's wrapper picks the right version), or
    the newest under /usr/lib/postgresql."""
    on_path = shutil.which(name)
    if on_path:
        return on_path
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4])
    )
    return found[-1] if found else None


async def _reachable(settings: Settings) -> None:
    """Open a connection first: a wrong password, a missing database or a server that is down
    then raise what `python -m bot` turns into the deployer's one Spanish line (pg_dump's own
    message would be libpq's English, and the nightly timer's log is where it is read)."""
    db = Database(settings.database_url, settings.db_timeouts)
    try:
        await wait_until_reachable(db, 0)
    finally:
        await db.dispose()


def dump(settings: Settings, partial: Path) -> int:
    """Write and check the dump in `partial` (created, owner-only, by `db respaldo`)."""
    pg_dump, pg_restore = find_tool("pg_dump"), find_tool("pg_restore")
    if pg_dump is None or pg_restore is None:
        print(
            "error: no se encuentra pg_dump: instale el cliente de PostgreSQL "
            "(sudo apt install postgresql-client)",
            file=sys.stderr,
        )
        return 2
    asyncio.run(_reachable(settings))
    url = make_url(settings.database_url)
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # never on the command line (ps shows it)
    command = [
        pg_dump,
        "--format=custom",
        f"--file={partial}",
        f"--host={url.host or 'localhost'}",
        f"--port={url.port or 5432}",
        *([f"--username={url.username}"] if url.username else []),
        # No name: PostgreSQL's default, the user's own database (as asyncpg connects).
        *([f"--dbname={url.database}"] if url.database else []),
    ]
    made = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    if made.returncode == 0:
        listed = subprocess.run(
            [pg_restore, "--list", str(partial)], capture_output=True, text=True, timeout=600
        )
        if listed.returncode != 0:
            made = listed
    if made.returncode != 0:
        versions = MISMATCH.search(made.stderr)
        if versions:  # Debian 12's client is 15; a newer server needs its own pg_dump
            server, client = versions.groups()
            print(
                f"error: pg_dump {client} no puede copiar un servidor PostgreSQL {server}, más "
                f"nuevo: instale su cliente (sudo apt install postgresql-client-{server}) y "
                "vuelva a intentarlo.",
                file=sys.stderr,
            )
            return 2
        reason = (made.stderr.strip().splitlines() or ["sin detalle"])[-1]
        print(f"error: la copia de PostgreSQL falló: {reason}", file=sys.stderr)
        return 1
    return 0
