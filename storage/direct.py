"""Statements every update makes, run at the driver: SQLAlchemy's work for one statement (the
ORM's execution state, the execution context, the result object, a greenlet to cross) cost
70-80 µs of the event loop against 10 µs for sqlite3 to run it (#17: an update made two to
four of them); on PostgreSQL it was most of the third of the bot's CPU that went to
SQLAlchemy at full load (py-spy), run at asyncpg by `storage.pg_direct`. The statement is
compiled once per dialect by SQLAlchemy, and its values and rows go through the same type
conversions (`UTCDateTime`, booleans, JSON) as when SQLAlchemy runs it; it runs in the
session's transaction, on its connection, taking SQLite's write turn as any statement does
(`TurnTakingConnection.statement`). When the session holds changes not yet flushed (which a
statement run by the session would flush first), it is run by the session as usual. A
driver's error is raised as SQLAlchemy raises it (a DBAPIError of the same class, parameters
hidden), as `storage.pg_begin` does.

The compiled form is read through SQLAlchemy's private attributes (`_bind_processors`,
`_result_columns`, `TypeEngine._cached_result_processor`, `Session._is_clean`, and on
PostgreSQL the asyncpg adapter's prepared statements and lock), which a
release may change: pyproject allows any 2.x below 2.2. So before a dialect's first statement
at the driver a probe (a datetime, a boolean, JSON, a NULL, a fixed value) is run both ways
on the session's connection; unless both give the same values of the same types, or if
reading the compiled form fails later, one warning is logged and every statement of that
engine is run by the session: slower (#17), never wrong (tests/test_direct_fallback.py).
"""

from __future__ import annotations

import logging
import sqlite3
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy
from sqlalchemy import JSON, Boolean, String, bindparam, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import Executable

from storage.pg_direct import PgDriver
from storage.sqlite_turns import TurnTakingConnection
from storage.types import UTCDateTime

log = logging.getLogger(__name__)

_DRIVER = "minka_driver"  # session.info: (the transaction, its connection's driver connection)
# Per dialect (one per engine): whether statements may run at the driver (the probe's
# verdict; absent: not probed yet).
_verdicts: weakref.WeakKeyDictionary[Dialect, bool] = weakref.WeakKeyDictionary()
_sound: list[Dialect | None] = [None]  # the last dialect found sound (one engine: no lookup)
_DRIVERS = ("sqlite", "postgresql")  # dialects whose statements may run at the driver
Driver = TurnTakingConnection | PgDriver


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
    implicit: bool  # an INSERT whose key SQLAlchemy asks back (RETURNING), not lastrowid

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
        self._compiled: dict[str, _Compiled] = {}  # by dialect name

    async def run(self, session: AsyncSession, values: Mapping[str, Any]) -> Outcome:
        dialect = session.bind.dialect
        sound = dialect is _sound[0]
        if sound or (dialect.name in _DRIVERS and _verdicts.get(dialect) is not False):
            driver = await driver_of(session)
            if (
                driver is not None
                and (sound or await _probe(session, driver))
                and session.sync_session._is_clean()
                and (compiled := self._compiled.get(dialect.name) or self._compile(dialect))
                is not None
            ):
                parameters = compiled.parameters(values)
                try:
                    rows, rowcount, lastrowid = await driver.run(compiled.sql, parameters)
                except sqlite3.Error as error:
                    raise DBAPIError.instance(
                        compiled.sql, None, error, sqlite3.Error, hide_parameters=True
                    ) from error
                if rows and compiled.results:
                    rows = [compiled.converted(row) for row in rows]
                if compiled.implicit:  # PostgreSQL's INSERT … RETURNING its key
                    return Outcome([], rowcount, rows[0][0] if rows else None)
                return Outcome(rows, rowcount, lastrowid if self._inserts else None)
        result = await session.execute(self.statement, values)
        if result.returns_rows:  # a SELECT, or a RETURNING of the statement's own
            return Outcome([tuple(row) for row in result], result.rowcount)
        inserted = result.inserted_primary_key[0] if self._inserts else None
        return Outcome([], result.rowcount, inserted)

    async def run_alone(self, connection: AsyncConnection, values: Mapping[str, Any]) -> int:
        """On a connection of its own, outside any session (bot/inbox.py's autocommit write):
        at asyncpg once a session's probe found the dialect sound, else by the connection.
        Returns the row count."""
        dialect = connection.dialect
        if (
            dialect is _sound[0]
            and dialect.name == "postgresql"
            and (compiled := self._compiled.get(dialect.name) or self._compile(dialect)) is not None
        ):
            raw = await connection.get_raw_connection()
            driver = PgDriver(raw.dbapi_connection, dialect)
            return (await driver.run(compiled.sql, compiled.parameters(values)))[1]
        return (await connection.execute(self.statement, values)).rowcount

    def _compile(self, dialect: Dialect) -> _Compiled | None:
        """None (the dialect's statements run by the session from now on) if SQLAlchemy's
        compiled form is not what it was when this was written."""
        try:
            compiled = self._compiled[dialect.name] = _compiled(self.statement, dialect)
        except Exception as error:  # any change of SQLAlchemy's internals
            _disable(dialect, f"{self.statement}: {type(error).__name__}: {error}")
            return None
        return compiled


def _compiled(statement: Executable, dialect: Dialect) -> _Compiled:
    """`statement` as SQLAlchemy compiles it for `dialect`, with its values' and columns'
    conversions (SQLAlchemy's private attributes: `_probe` checks them)."""
    compiled = statement.compile(dialect=dialect)
    processors = compiled._bind_processors
    names = tuple(compiled.positiontup or ())
    return _Compiled(
        sql=compiled.string,
        names=names,
        fixed={
            name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
        },
        binds=tuple(processors.get(name) for name in names),
        results=tuple(
            (number, convert)
            for number, column in enumerate(compiled._result_columns)
            if (convert := column[3]._cached_result_processor(dialect, None)) is not None
        ),
        implicit=bool(compiled.implicit_returning),
    )


# The probe: a value of each conversion the update path's statements use, and a fixed one.
_PROBE = select(
    bindparam("at", type_=UTCDateTime),
    bindparam("flag", type_=Boolean),
    bindparam("data", type_=JSON),
    bindparam("fixed", "sí", type_=String),
    bindparam("none", type_=UTCDateTime),
)
_PROBE_VALUES = {
    "at": datetime(2026, 12, 6, 9, 30, 15, 123456, tzinfo=UTC),
    "flag": True,
    "data": {"n": [1, "ñ"], "ok": False},
    "none": None,
}


async def _probe(session: AsyncSession, driver: Driver) -> bool:
    """Whether the probe gives the same values of the same types at the driver as through
    the session (which runs it first: it flushes what a statement run there would), and
    `Session._is_clean` answers; the verdict kept for the dialect. The probe reads no table."""
    dialect = session.bind.dialect
    if _verdicts.get(dialect):
        _sound[0] = dialect  # another engine's was probed since
        return True
    usual = [tuple(row) for row in await session.execute(_PROBE, _PROBE_VALUES)]
    try:
        clean = session.sync_session._is_clean()
        probe = _compiled(_PROBE, dialect)
        rows, _, _ = await driver.run(probe.sql, probe.parameters(_PROBE_VALUES))
        direct = [probe.converted(row) for row in rows]
    except Exception as error:  # any change of SQLAlchemy's internals
        return _disable(dialect, f"{type(error).__name__}: {error}")
    if not isinstance(clean, bool):
        return _disable(dialect, f"Session._is_clean() gave {clean!r}")
    if _typed(direct) != _typed(usual):
        return _disable(dialect, f"the probe gave {direct!r}, not {usual!r}")
    _verdicts[dialect] = True
    _sound[0] = dialect
    return True


def _typed(rows: list[tuple[Any, ...]]) -> list[list[tuple[type, Any]]]:
    return [[(type(value), value) for value in row] for row in rows]


def _disable(dialect: Dialect, reason: str) -> bool:
    """Statements of `dialect` run by the session from now on; logged once. False."""
    if _verdicts.get(dialect) is not False:
        _verdicts[dialect] = False
        if _sound[0] is dialect:
            _sound[0] = None
        log.warning(
            "SQLAlchemy %s: statements no longer run at the driver (storage.direct), "
            "SQLAlchemy's compiled form is not as expected: %s",
            sqlalchemy.__version__,
            reason,
        )
    return False


async def driver_of(session: AsyncSession) -> Driver | None:
    """The driver connection of the session's transaction (its connection is checked out
    and its transaction begun for SQLAlchemy, which commits or rolls it back)."""
    transaction = session.sync_session.get_transaction()
    known = session.info.get(_DRIVER)
    if known is not None and transaction is not None and known[0] is transaction:
        return known[1]
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Driver
    if isinstance(raw.driver_connection, TurnTakingConnection):
        driver = raw.driver_connection
    elif connection.dialect.name == "postgresql" and raw.dbapi_connection is not None:
        driver = PgDriver(raw.dbapi_connection, connection.dialect)
    else:
        return None  # an SQLite connection not made by storage.sqlite (none in Minka)
    session.info[_DRIVER] = (session.sync_session.get_transaction(), driver)
    return driver
