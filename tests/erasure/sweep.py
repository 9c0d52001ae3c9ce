"""The sweep erasure tests read the database with: every table and column (reflected from the
database, whatever the models say), what its values carry encoded, and its raw files."""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, select, text

from bot.runtime import Runtime
from tests.postgres import PostgresServer


async def dump_database(runtime: Runtime) -> list[str]:
    """Every value of every column of every table in the database (reflected: whatever the
    models say), as 'table.column: text'; and, as 'table.column (encoded): text', what a
    value carries encoded: bytes as text, base64 in a text or JSON decoded, a zip's (a
    workbook's) files."""
    metadata = MetaData()
    async with runtime.db.engine.connect() as connection:
        await connection.run_sync(metadata.reflect)
        lines = []
        for table in metadata.sorted_tables:
            for row in (await connection.execute(select(table))).mappings():
                for column, value in row.items():
                    if value is not None:
                        shown = json.dumps(value, ensure_ascii=False, default=str)
                        lines.append(f"{table.name}.{column}: {shown}")
                        lines += [f"{table.name}.{column} (encoded): {t}" for t in _encoded(value)]
    assert any(line.startswith("alembic_version.") for line in lines)  # really every table
    return lines


_BASE64 = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")


def _encoded(value: Any) -> list[str]:
    """The texts `value` carries encoded (see dump_database)."""
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        texts = [data.decode("utf-8", errors="replace")]
        with contextlib.suppress(ValueError):  # JSON's escapes (\\u00f3) read as the letters
            texts.append(json.dumps(json.loads(data), ensure_ascii=False))
        if data.startswith(b"PK"):
            with contextlib.suppress(zipfile.BadZipFile), zipfile.ZipFile(io.BytesIO(data)) as zip_:
                texts += [zip_.read(name).decode("utf-8", "replace") for name in zip_.namelist()]
        return texts
    if isinstance(value, dict):
        return [text for item in value.values() for text in _encoded(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _encoded(item)]
    if isinstance(value, str):
        texts = []
        for token in _BASE64.findall(value):
            try:
                decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
            except binascii.Error:
                continue
            texts += _encoded(decoded)
        if value[:1] in "[{":  # JSON kept as text (inbox_replies.replies)
            with contextlib.suppress(ValueError):
                texts += _encoded(json.loads(value))
        return texts
    return []


def sqlite_files(path: str) -> bytes:
    """The database file and its WAL, as bytes."""
    return b"".join(Path(path + end).read_bytes() for end in ("", "-wal"))


async def postgresql_files(runtime: Runtime, server: PostgresServer) -> bytes:
    """The database's own files (tables and indexes, not the server's shared WAL), as bytes,
    once every changed page is written to them (CHECKPOINT, as the server does every few
    minutes anyway)."""
    async with runtime.db.engine.connect() as connection:
        await connection.exec_driver_sql("CHECKPOINT")
        oid = await connection.scalar(
            text("SELECT oid FROM pg_database WHERE datname = current_database()")
        )
    folder = server.datadir / "base" / str(oid)
    return b"".join(path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file())
