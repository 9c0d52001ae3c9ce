"""storage/sqlite_turns.py extends aiosqlite through attributes and methods that are not its
public API (pinned: aiosqlite>=0.22.1,<0.23). If a new aiosqlite renames or changes one of them,
this test fails first, naming what moved, instead of Minka misbehaving under load."""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
import threading
from pathlib import Path

import aiosqlite
from aiosqlite.context import contextmanager

from storage.sqlite_turns import TurnTakingConnection, WriteTurns, _Cursor
from storage.sqlite_wal import WalSync

MOVED = (
    "aiosqlite changed what storage/sqlite_turns.py relies on ({}): review that module before "
    "moving the pin"
)


def test_the_private_interface_storage_sqlite_uses_is_there() -> None:
    assert aiosqlite.__version__.startswith("0.22."), MOVED.format(
        f"version {aiosqlite.__version__}"
    )
    init = inspect.signature(aiosqlite.Connection.__init__).parameters
    assert list(init)[:3] == ["self", "connector", "iter_chunk_size"], MOVED.format(
        f"Connection.__init__{tuple(init)}"
    )
    for name in ("_connect", "_execute"):
        method = getattr(aiosqlite.Connection, name, None)
        assert inspect.iscoroutinefunction(method), MOVED.format(f"Connection.{name}")
    assert list(inspect.signature(aiosqlite.Connection._execute).parameters) == [
        "self",
        "fn",
        "args",
        "kwargs",
    ], MOVED.format("Connection._execute(fn, *args, **kwargs)")
    assert isinstance(inspect.getattr_static(aiosqlite.Connection, "_conn"), property), (
        MOVED.format("Connection._conn")
    )
    assert callable(getattr(aiosqlite.Connection, "stop", None)), MOVED.format("Connection.stop")
    cursor = inspect.signature(aiosqlite.Cursor.__init__).parameters
    assert list(cursor) == ["self", "conn", "cursor"], MOVED.format(
        f"Cursor.__init__{tuple(cursor)}"
    )
    assert callable(contextmanager), MOVED.format("aiosqlite.context.contextmanager")


async def test_a_connection_behaves_as_storage_sqlite_expects(tmp_path: Path) -> None:
    """The attributes exist on a live connection, and `_execute` runs on aiosqlite's thread
    unless the connection holds the write turn (then in place, on the loop's thread)."""
    path = tmp_path / "smoke.sqlite3"
    connection = TurnTakingConnection(
        lambda: sqlite3.connect(path, check_same_thread=False), WriteTurns(), WalSync()
    )
    await connection
    try:
        assert isinstance(connection._thread, threading.Thread), MOVED.format("Connection._thread")
        assert isinstance(connection._connection, sqlite3.Connection), MOVED.format(
            "Connection._connection"
        )
        assert connection._conn is connection._connection, MOVED.format("Connection._conn")
        loop_thread = threading.get_ident()
        assert await connection._execute(threading.get_ident) != loop_thread, MOVED.format(
            "Connection._execute no longer runs on the connection's thread"
        )
        async with connection.cursor() as cursor:
            assert isinstance(cursor, _Cursor) and isinstance(cursor._cursor, sqlite3.Cursor), (
                MOVED.format("Cursor._cursor")
            )
            await cursor.execute("CREATE TABLE t (x INTEGER)")
            await cursor.execute("INSERT INTO t VALUES (1)")  # the first write takes the turn
            assert await connection._execute(threading.get_ident) == loop_thread
            await cursor.execute("SELECT x FROM t")
            assert await cursor.fetchall() == [(1,)]
        await connection.commit()
    finally:
        await connection.close()
    stopped = connection.stop()
    assert stopped is None or isinstance(stopped, asyncio.Future), MOVED.format("Connection.stop")
