"""Statements every update makes, run on SQLite at the driver: SQLAlchemy's work for one
statement (the ORM's execution state, the execution context, the result object, a greenlet
to cross) cost 70-80 µs of the event loop against 10 µs for sqlite3 to run it (#17: an update
made two to four of them). The statement is compiled once by SQLAlchemy, and its values and
rows go through the same type conversions (`UTCDateTime`, booleans, JSON) as when SQLAlchemy
runs it; it runs in the session's transaction, on its connection, taking the write turn as
any statement does (`TurnTakingConnection.statement`). On PostgreSQL, or when the session
holds changes not yet flushed (which a statement run by the session would flush first), it
is run by the session as usual. A driver's error is raised as SQLAlchemy raises it (a
DBAPIError of the same class, parameters hidden), as `storage.pg_begin` does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from storage.sqlite_turns import TurnTakingConnection

_DRIVER = "minka_driver"  # session.info: (the transaction, its connection's driver connection)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a statement gave: its rows (converted), the rows it changed, an INSERT's new
    row's primary key."""

    rows: list[tuple[Any, ...]]
    rowcount: int
    inserted: Any = None

    def one(self) -> tuple[Any, ...]:
        """The only row, or SQLAlchemy's error, as `Result.one()`."""
        if len(self.rows) != 1:
            if self.rows:
                raise MultipleResultsFound("Multiple rows were found when exactly one was required")
            raise NoResultFound("No row was found when one was required")
        return self.rows[0]


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the values' names, in the order of the SQL's placeholders
    fixed: dict[str, Any]  # the values the statement holds itself (`.values(source="search")`)
    binds: tuple[Callable[[Any], Any] | None, ...]
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column, its conversion)

    def converted(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for column, convert in self.results:
            values[column] = convert(values[column])
        return tuple(values)

    def parameters(self, values: Mapping[str, Any]) -> list[Any]:
        """The values in the SQL's order, converted for the driver as SQLAlchemy would."""
        fixed = self.fixed
        return [
            value if bind is None else bind(value)
            for value, bind in zip(
                (values[name] if name in values else fixed[name] for name in self.names),
                self.binds,
                strict=True,
            )
        ]


class Direct:
    """One Core statement (values by name, as `session.execute` takes them)."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._inserts = bool(getattr(statement, "is_insert", False))
        self._compiled: _Compiled | None = None

    async def run(self, session: AsyncSession, values: Mapping[str, Any]) -> Outcome:
        driver = await _driver(session) if session.bind.dialect.name == "sqlite" else None
        if driver is None or not session.sync_session._is_clean():
            result = await session.execute(self.statement, values)
            rows = [tuple(row) for row in result] if result.returns_rows else []
            inserted = result.inserted_primary_key[0] if self._inserts else None
            return Outcome(rows, result.rowcount, inserted)
        compiled = self._compiled or self._compile(session.bind.dialect)
        parameters = compiled.parameters(values)
        try:
            rows, rowcount, lastrowid = await driver.run(compiled.sql, parameters)
        except sqlite3.Error as error:
            raise DBAPIError.instance(
                compiled.sql, None, error, sqlite3.Error, hide_parameters=True
            ) from error
        if rows and compiled.results:
            rows = [compiled.converted(row) for row in rows]
        return Outcome(rows, rowcount, lastrowid if self._inserts else None)

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        processors = compiled._bind_processors
        names = tuple(compiled.positiontup or ())
        self._compiled = _Compiled(
            sql=compiled.string,
            names=names,
            fixed={
                name: bind.effective_value
                for name, bind in compiled.binds.items()
                if not bind.required
            },
            binds=tuple(processors.get(name) for name in names),
            results=tuple(
                (number, convert)
                for number, column in enumerate(compiled._result_columns)
                if (convert := column[3]._cached_result_processor(dialect, None)) is not None
            ),
        )
        return self._compiled


async def _driver(session: AsyncSession) -> TurnTakingConnection | None:
    """The driver connection of the session's transaction (its connection is checked out
    and its transaction begun for SQLAlchemy, which commits or rolls it back)."""
    transaction = session.sync_session.get_transaction()
    known = session.info.get(_DRIVER)
    if known is not None and transaction is not None and known[0] is transaction:
        return known[1]
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    if not isinstance(driver, TurnTakingConnection):
        return None  # an SQLite connection not made by storage.sqlite (none in Minka)
    session.info[_DRIVER] = (session.sync_session.get_transaction(), driver)
    return driver
