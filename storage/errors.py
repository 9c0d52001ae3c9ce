"""Which database failures a person can simply retry, told apart for the apology they get and
for the metrics: the database was unreachable (a restart, a network cut), or busy (a statement
cancelled by DB_LOCK_TIMEOUT / DB_STATEMENT_TIMEOUT). Either way the transaction was rolled
back and nothing was saved."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# How an unreachable database shows in OperationalError (PostgreSQL restarting, a network
# cut, SQLite's file locked or gone); "no such table" and the like are real faults.
_UNREACHABLE = (
    "connect",
    "connection",
    "server closed",
    "terminat",
    "shutting down",
    "timeout",
    "database is locked",
    "unable to open",
    "disk i/o",
)


def _sqlstate(error: DBAPIError) -> str:
    cause = error.orig.__cause__ if error.orig is not None else None
    return str(getattr(cause, "sqlstate", None) or getattr(error.orig, "sqlstate", "") or "")


def _lost(error: DBAPIError) -> bool:
    """PostgreSQL's own word that the connection is gone: SQLSTATE class 08 (connection
    exception) or 57P (the server shutting down or starting), e.g. during a restart."""
    return _sqlstate(error).startswith(("08", "57P"))


def database_busy(error: BaseException | None) -> bool:
    """A statement gave up waiting (DB_LOCK_TIMEOUT, DB_STATEMENT_TIMEOUT): SQLSTATE 55P03
    lock_not_available or 57014 query_canceled. Rolled back; trying again later works."""
    return isinstance(error, DBAPIError) and _sqlstate(error) in ("55P03", "57014")


def database_down(error: BaseException | None) -> bool:
    """The database could not be reached (a restart, a network cut): the transaction was
    rolled back, so the person only needs to try again."""
    if isinstance(error, DBAPIError) and (error.connection_invalidated or _lost(error)):
        return True
    if isinstance(error, InterfaceError | OSError | TimeoutError):
        return True
    message = str(error).lower()
    return isinstance(error, OperationalError) and any(sign in message for sign in _UNREACHABLE)


def outcome(error: BaseException) -> str:
    """The metrics' name for how an update failed."""
    if database_busy(error):
        return "busy"
    return "database_down" if database_down(error) else "error"
