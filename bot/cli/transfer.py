"""`python -m bot db migrar-a URL`: copy this Minka's database (DATABASE_URL) into a new, empty
one, typically from SQLite to PostgreSQL (storage/transfer.py does the copying)."""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy import text

from bot.cli.commands import minka_now, plural
from bot.config import Settings, database_url_problem
from bot.i18n import format_number
from storage.db import create_engine
from storage.problems import explain, redacted
from storage.transfer import Copied, TransferError, transfer


def migrate_to(settings: Settings, url: str) -> int:
    problem = database_url_problem(url)
    if problem:
        print(f"error: la URL de destino {problem}", file=sys.stderr)
        return 2
    if url == settings.database_url:
        print("error: el destino es la misma base que DATABASE_URL", file=sys.stderr)
        return 2
    return asyncio.run(_migrate(settings, url))


async def _migrate(settings: Settings, url: str) -> int:
    source, target = create_engine(settings.database_url), create_engine(url)
    try:
        try:  # the target's own problems, named as the target's (not DATABASE_URL's)
            async with target.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            problem = explain(error, url)
            if problem is None:
                raise
            line = problem.line.replace("DATABASE_URL", "la URL de destino")
            print(line[0].upper() + line[1:], file=sys.stderr)
            return 2

        async def progress(copied: Copied) -> None:
            rows = "fila" if copied.rows == 1 else "filas"  # «1 fila», not «1 filas»
            print(f"  {copied.table:<22} {format_number(copied.rows):>10} {rows}")

        print(f"Copiando {redacted(settings.database_url)} → {redacted(url)}")
        try:
            copied = await transfer(source, target, minka_now(settings), progress)
        except TransferError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    finally:
        await source.dispose()
        await target.dispose()
    total = plural(sum(item.rows for item in copied), "fila", "filas")
    print(
        f"Listo: {len(copied)} tablas, {total}, las mismas cantidades en ambas bases. "
        "Ahora ponga la URL nueva en DATABASE_URL (/etc/minka/minka.env) y reinicie Minka."
    )
    return 0
