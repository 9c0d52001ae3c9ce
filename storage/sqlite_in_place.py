"""SQLite statements run on the event loop's thread without waiting: a statement that would
wait for another process's lock, or a read longer than `READ_STEPS`, is given up here and sent
to the database thread (`ELSEWHERE`), where waiting costs the loop nothing.

Apart from the connection that uses it (`storage.sqlite_turns`), because this is SQLite's side
alone: its busy timeout, its progress handler and what a statement is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

BUSY_TIMEOUT_MS = 5000  # how long a write waits for another process's lock, on the database thread
# A read is tried on the loop's thread and interrupted after this many steps of SQLite's
# virtual machine (a read by key takes tens; 10,000 is about 0.1-0.3 ms), then run again on
# the database thread: a short read costs less than the trip there, a long one holds the loop
# no longer than this.
READ_STEPS = 10_000
ELSEWHERE = object()  # a statement tried in place must go to the database thread
# A statement whose SQL carries this comment (`prefix_with(ON_THREAD)`) always runs on the
# database thread, where SQLite's own work does not hold the event loop (sqlite3 lets go of
# the GIL while it steps): a bulk write, such as 500 copies of a broadcast (5-9 ms of SQLite
# each, on the loop, with every reply waiting). The transaction still holds the write turn.
ON_THREAD = "/* on the database thread */"
_ROWS = ("INSERT", "UPDATE", "DELETE", "REPLACE")  # what SQLite's total_changes counts
_WRITES = (*_ROWS, "CREATE", "DROP", "ALTER")


def cheap(fn: Callable[..., Any]) -> bool:
    """Opening or closing a cursor: no I/O, never worth a trip to the database thread."""
    owner, name = getattr(fn, "__self__", None), getattr(fn, "__name__", "")
    return (isinstance(owner, sqlite3.Connection) and name == "cursor") or (
        isinstance(owner, sqlite3.Cursor) and name == "close"
    )


def _interrupt() -> int:
    """SQLite's progress handler: a non-zero answer interrupts the statement."""
    return 1


def is_select(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"


def is_write(sql: str) -> bool:
    return sql.lstrip()[:7].upper().startswith(_WRITES)


def writes_rows(sql: str) -> bool:
    """A write whose every change SQLite counts in `total_changes` (not the schema's)."""
    return sql.lstrip()[:7].upper().startswith(_ROWS)


def without_waiting(
    conn: sqlite3.Connection, fn: Callable[..., Any], *args: Any, steps: int = 0
) -> Any:
    """Run `fn` here, on the loop's thread, but never wait for a lock: `ELSEWHERE` if
    another process holds one (then the caller goes to the database thread, which waits),
    or if a read (`steps` > 0) needed more than `steps` steps of SQLite's machine.

    A transaction's first write: the turn is ours, so no transaction of this process
    holds the lock; unless another process does (the CLI), the write gets it at once,
    without a trip to the database thread while everyone waits for the turn. If it was
    refused, its BEGIN is undone (nothing was written). A read outside a write
    transaction (the person, the form in progress, a meeting and its invitation) reads a
    few cached pages: microseconds, less than the trip; a longer one is interrupted
    (a read: nothing to undo) and goes to the database thread."""
    began = not conn.in_transaction
    conn.execute("PRAGMA busy_timeout=0")
    if steps:
        conn.set_progress_handler(_interrupt, steps)
    try:
        return fn(*args)
    except sqlite3.OperationalError as error:
        code = error.sqlite_errorcode & 0xFF
        if code == sqlite3.SQLITE_INTERRUPT and steps:
            return ELSEWHERE
        if code != sqlite3.SQLITE_BUSY:
            raise
        if began and conn.in_transaction:
            conn.rollback()
        return ELSEWHERE
    finally:
        if steps:
            conn.set_progress_handler(None, 0)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
