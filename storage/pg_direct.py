"""PostgreSQL: a statement run at asyncpg, in the session's transaction (storage.direct).

SQLAlchemy's path for one statement on asyncpg (the ORM's execution state, the execution
context, the result object, a greenlet to cross both ways) cost the bot more CPU than asyncpg
sending it and reading its answer (#17: py-spy, a third of the process's time at full load
went to SQLAlchemy on PostgreSQL, against SQLite's statements run at the driver). Here the
compiled SQL goes to the adapter's own prepared statement (SQLAlchemy's cache of them on that
connection: the same statement it would use, prepared once), under the adapter's lock, the
transaction begun first if it has not been (as the adapter does), and the status read for the
row count as the adapter reads it. Errors are raised as SQLAlchemy raises them
(`as_sqlalchemy`). Private attributes of the adapter are read: storage.direct's probe checks
the path before a dialect's first statement, and falls back to the session if anything fails.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

_COUNT = re.compile(r"(?:SELECT|UPDATE|DELETE|INSERT \d+) (\d+)")


class PgDriver:
    """One session's asyncpg connection, as SQLAlchemy's adapter holds it."""

    __slots__ = ("_adapted", "_dialect")

    def __init__(self, adapted: Any, dialect: Dialect) -> None:
        self._adapted, self._dialect = adapted, dialect

    @property
    def adapted(self) -> Any:
        """SQLAlchemy's adapter of the asyncpg connection (storage.pg_begin begins on it)."""
        return self._adapted

    async def run(self, sql: str, parameters: Sequence[Any]) -> tuple[list[Any], int, None]:
        """`sql`'s rows (tuples), its row count (-1 if its status tells none), no lastrowid."""
        adapted = self._adapted
        async with adapted._execute_mutex:
            try:
                if adapted._transaction is None:
                    await adapted._start_transaction()
                prepared, _ = await adapted._prepare(
                    sql,
                    self._dialect._invalidate_schema_cache_asof,  # type: ignore[attr-defined]
                )
                rows = await prepared.fetch(*parameters)
            except Exception as error:
                raised = as_sqlalchemy(adapted, sql, error, adapted._connection.is_closed())
                dbapi = adapted.dbapi  # a stale prepared statement: as SQLAlchemy's context does
                stale = (dbapi.InvalidCachedStatementError, dbapi.InternalServerError)
                if isinstance(getattr(raised, "orig", None), stale):
                    self._dialect._invalidate_schema_cache()  # type: ignore[attr-defined]
                raise raised from error
            counted = _COUNT.match(prepared.get_statusmsg() or "")
        return [tuple(row) for row in rows], int(counted.group(1)) if counted else -1, None


def as_sqlalchemy(adapted: Any, sql: str, error: Exception, lost: bool) -> BaseException:
    """The error as SQLAlchemy would raise it from a statement: asyncpg's error translated by
    the adapter, then wrapped in a DBAPIError (no parameters, PostgreSQL's DETAIL dropped as
    storage.db does)."""
    try:
        adapted._handle_exception(error)
    except Exception as translated:
        cause: BaseException | None = translated
        while cause is not None:
            if getattr(cause, "detail", None):
                cause.detail = None  # type: ignore[attr-defined]
            cause = cause.__cause__
        return DBAPIError.instance(
            sql,
            None,
            translated,
            adapted.dbapi.Error,
            hide_parameters=True,
            connection_invalidated=lost,
        )
    return error  # pragma: no cover - _handle_exception always raises
