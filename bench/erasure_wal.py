"""How long an erased person's text stays in PostgreSQL's WAL (`pg_wal`) after the erasure,
`Database.wipe_erased` (VACUUM FULL) and a CHECKPOINT. The tables' files hold it no more
(tests/erasure/test_erasure.py), but the WAL records of the inserts that wrote it are still in
the segment files. Each step greps every file of pg_wal for her texts and tells the files
(by inode: a segment recycled is renamed, not zeroed), then `pg_switch_wal()` plus a
CHECKPOINT, twice; then new WAL is written (other people's rows) until no file holds them.

    python -m bench.erasure_wal               # the tests' server (tests/postgres.py)
    python -m bench.erasure_wal --defaults    # restarted with PostgreSQL's defaults (fsync,
                                              # full_page_writes, max_wal_size 1 GB)
    python -m bench.erasure_wal --no-recycle  # wal_recycle = off
    python -m bench.erasure_wal --history-mb 300  # a server that wrote WAL before
    python -m bench.erasure_wal --defaults --history-mb 800 --checkpoint-mb 200
                                  # checkpoints further apart: more recycled segments wait
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bench.postgres_copy import server as postgres_server
from bot.services import privacy
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Person, Question
from storage.repositories.erasure import WIPED
from tests.postgres import PostgresServer

TELEGRAM_ID = 7919350413
TEXTS = ("Zoila Quispecahuana Wal", "Pregunta sobre el relave de Tintamarca en pg_wal")
FILLER = "x" * 900  # another person's row: ~1 KB of WAL each


def _holding(folder: Path, among: dict[int, str] | None = None) -> dict[int, str]:
    """Inode -> file name of the WAL segments that hold any of TEXTS (only those files whose
    inode is `among`'s: new WAL does not hold them, only a file that held them may)."""
    needles = [text.encode() for text in TEXTS]
    found = {}
    for path in sorted(folder.iterdir()):
        inode = os.stat(path).st_ino
        if path.is_file() and (among is None or inode in among):
            data = path.read_bytes()
            if any(needle in data for needle in needles):
                found[inode] = path.name
    return found


async def _story(url: str) -> None:
    """She registers and asks; she is erased; the tables she was in rewritten."""
    database = Database(url)
    try:
        await upgrade(database.engine)
        now = datetime.now(UTC)
        async with database.session() as session:
            person = Person(
                telegram_id=TELEGRAM_ID, full_name=TEXTS[0], region_code="puno", sex="female"
            )
            session.add(person)
            await session.flush()
            session.add(
                Question(person_id=person.id, text=TEXTS[1], normalized="", confident=False, at=now)
            )
            await session.commit()
        async with database.session() as session:
            assert await privacy.erase(session, TELEGRAM_ID, key=b"k" * 32, now=now)
            await session.commit()
        assert await database.wipe_erased(WIPED)
    finally:
        await database.dispose()


async def _write_wal(
    connection: asyncpg.Connection,
    limit: int,
    every: int,
    until: Callable[[], object] = lambda: True,
) -> int:
    """Others' rows written (~8 MB of WAL at a time), a CHECKPOINT after each `every` bytes,
    until `until()` is falsy or `limit` bytes of WAL were written; returns how many were."""
    written = checkpointed = 0
    start = await connection.fetchval("SELECT pg_current_wal_lsn()")
    while until() and written < limit:
        await connection.execute(
            "INSERT INTO filler (text) SELECT $1 FROM generate_series(1, 8000)", FILLER
        )
        written = await connection.fetchval(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)", start
        )
        if written - checkpointed >= every:
            await connection.execute("CHECKPOINT")
            checkpointed = written
    return int(written)


def _restart_with_defaults(server: PostgresServer) -> None:
    """The server again without the tests' settings (fsync, full_page_writes, max_wal_size
    off or lowered): as a production server runs."""
    server.pause()
    command = [
        str(server.bindir / "pg_ctl"), "-D", str(server.datadir), "-l",
        str(server.root / "server.log"), "-w", "start", "-o",
        f"-p {server.port} -k {server.root} -c listen_addresses=127.0.0.1",
    ]  # fmt: skip
    if os.geteuid() == 0:  # as tests/postgres.py runs it
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def _show(step: str, found: dict[int, str], before: dict[int, str]) -> None:
    files = ", ".join(
        f"{name} (was {before[inode]})" if before.get(inode, name) != name else name
        for inode, name in found.items()
    )
    print(f"{step:<46} {len(found)} segment(s) hold her texts: {files or '-'}")


async def _run(server: PostgresServer, options: argparse.Namespace) -> None:
    admin = await asyncpg.connect(
        host="127.0.0.1", port=server.port, user=server.user, database="postgres"
    )
    try:
        await admin.execute(f"ALTER SYSTEM SET wal_recycle = {not options.no_recycle}")
        await admin.execute("SELECT pg_reload_conf()")
        await admin.execute("CREATE DATABASE wal_bench")
        settings = await admin.fetch(
            "SELECT name, setting FROM pg_settings WHERE name IN ('full_page_writes',"
            " 'wal_recycle', 'min_wal_size', 'max_wal_size', 'wal_segment_size',"
            " 'checkpoint_timeout', 'server_version')"
        )
        print(", ".join(f"{row['name']}={row['setting']}" for row in settings))
    finally:
        await admin.close()
    folder = server.datadir / "pg_wal"
    connection = await asyncpg.connect(
        host="127.0.0.1", port=server.port, user=server.user, database="wal_bench"
    )
    try:
        await connection.execute("CREATE TABLE filler (id serial, text text)")
        every = options.checkpoint_mb * 2**20
        await _write_wal(connection, options.history_mb * 2**20, every)
        waiting = len([path for path in folder.iterdir() if path.is_file()])
        print(f"{options.history_mb} MB of WAL written before: {waiting} files in pg_wal")
        await _story(server.url("wal_bench"))
        await connection.execute("CHECKPOINT")
        first = _holding(folder)
        _show("erasure + VACUUM FULL + CHECKPOINT", first, first)
        for round_ in (1, 2):
            await connection.execute("SELECT pg_switch_wal()")
            await connection.execute("CHECKPOINT")
            _show(f"pg_switch_wal() + CHECKPOINT, {round_}", _holding(folder, first), first)
        started = time.perf_counter()
        limit = options.limit_mb * 2**20
        written = await _write_wal(connection, limit, every, lambda: _holding(folder, first))
        found = _holding(folder, first)
        _show(f"then {written / 2**20:.0f} MB of others' WAL + CHECKPOINTs", found, first)
        print(f"({time.perf_counter() - started:.1f} s to write it here)")
    finally:
        await connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--defaults", action="store_true")
    parser.add_argument("--no-recycle", action="store_true")
    parser.add_argument("--limit-mb", type=int, default=1200, help="stop writing WAL past this")
    parser.add_argument("--history-mb", type=int, default=0, help="WAL written before her story")
    parser.add_argument(
        "--checkpoint-mb", type=int, default=8, help="a CHECKPOINT after each this much WAL"
    )
    options = parser.parse_args(argv)
    with postgres_server() as server:
        if options.defaults:
            _restart_with_defaults(server)
        asyncio.run(_run(server, options))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
