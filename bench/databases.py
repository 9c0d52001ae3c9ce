"""The databases a micro-benchmark runs on: a SQLite file in a temporary folder and, when
asked, a PostgreSQL started for it (tests/postgres.py), stopped after."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def bench_urls(name: str, postgres: bool) -> Iterator[dict[str, str]]:
    """{"SQLite": its URL, "PostgreSQL": its URL if `postgres`}; `name` the SQLite file's."""
    with tempfile.TemporaryDirectory() as folder:
        urls = {"SQLite": f"sqlite+aiosqlite:///{Path(folder) / name}"}
        server = None
        if postgres:
            from tests.postgres import start_server

            server = start_server()
            if isinstance(server, str):
                raise SystemExit(server)
            urls["PostgreSQL"] = server.url("postgres")
        try:
            yield urls
        finally:
            if server is not None:
                server.stop()
