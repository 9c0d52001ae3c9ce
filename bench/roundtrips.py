"""`python -m bench.roundtrips ARGS`: the bot (`python -m bot ARGS`) with its requests to
PostgreSQL counted, for bench.throughput's «round trips per update».

Each time asyncpg sends the server a request it waits on (a statement, BEGIN, COMMIT, a
prepare, a ping) it writes it to the socket in one call: those calls are counted, into an
8-byte file (`BENCH_ROUNDTRIPS`) that the bench reads while the bot runs, so the figure is
counted, not guessed. Nothing of Minka is changed; the count costs a Python call per request.
"""

from __future__ import annotations

import mmap
import os
import struct
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg.connection


def read(path: Path) -> int:
    """The requests counted so far (0 before the bot's first connection)."""
    data = path.read_bytes() if path.exists() else b""
    return struct.unpack("<Q", data)[0] if len(data) == 8 else 0


class Requests:
    """Requests written to one asyncpg connection's socket since it was wrapped: for tests
    that count an update's round trips."""

    def __init__(self, connection: asyncpg.connection.Connection) -> None:
        self.count = 0
        _wrap(connection._transport, self._add)  # asyncpg has no public way to its socket

    def _add(self) -> None:
        self.count += 1


def _wrap(transport: Any, add: Callable[[], None]) -> None:
    write, writelines = transport.write, transport.writelines

    def counted_write(data: Any) -> None:
        add()
        write(data)

    def counted_writelines(data: Any) -> None:
        add()
        writelines(data)

    transport.write, transport.writelines = counted_write, counted_writelines


def _count_into(path: str) -> None:
    with open(path, "a+b") as file:
        file.truncate(8)
        cells = mmap.mmap(file.fileno(), 8)
    counted = memoryview(cells).cast("Q")
    original = asyncpg.connection.Connection.__init__

    def add() -> None:
        counted[0] += 1

    def init(self: Any, protocol: Any, transport: Any, *args: Any, **kwargs: Any) -> None:
        original(self, protocol, transport, *args, **kwargs)
        _wrap(transport, add)

    asyncpg.connection.Connection.__init__ = init  # type: ignore[method-assign]


if __name__ == "__main__":
    _count_into(os.environ["BENCH_ROUNDTRIPS"])
    from bot.cli import main

    sys.argv[0] = "bot"
    sys.exit(main())
