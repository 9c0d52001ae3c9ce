"""Why the database could not be used, in one Spanish line for the person who deploys Minka.

A deployer's first mistakes (PostgreSQL not started yet, a wrong password, a database never
created, a typo in the host, an SQLite file in a folder that does not exist) otherwise end in a
long traceback. `explain` names DATABASE_URL, the cause and the fix; `retryable` tells the
start-up loop which causes may go away by themselves (a server still starting).
"""

from __future__ import annotations

import errno
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url


@dataclass(frozen=True)
class DatabaseProblem:
    line: str
    retryable: bool  # the server may answer a little later (starting, network not up yet)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what SQLAlchemy wrapped (`.orig`) and its causes, each once."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [getattr(current, "orig", None), current.__cause__, current.__context__]


def redacted(url: str) -> str:
    """The URL with its password hidden: safe for logs and error lines."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_path(url: URL) -> Path | None:
    """The SQLite file as an absolute path (None for an in-memory database)."""
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        return None
    return Path(url.database).absolute()


def explain(error: BaseException, database_url: str) -> DatabaseProblem | None:
    """The deployer's line for a failure to reach or open the database; None if it is not one."""
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        return _explain_sqlite(error, url)
    return _explain_postgres(error, url)


def _explain_postgres(error: BaseException, url: URL) -> DatabaseProblem | None:
    import asyncpg  # here: a bot on SQLite never loads it (2.5 MB)

    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    user, name = url.username or "(sin usuario)", url.database or "(sin nombre)"
    for cause in _chain(error):
        if isinstance(
            cause,
            asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError,
        ):
            return DatabaseProblem(
                f"DATABASE_URL: PostgreSQL en {where} rechazó al usuario «{user}» o su "
                "contraseña: corrija usuario y contraseña en DATABASE_URL (o asígnela en "
                f"PostgreSQL con ALTER ROLE {user} PASSWORD '…').",
                retryable=False,
            )
        if isinstance(cause, asyncpg.InvalidCatalogNameError):
            return DatabaseProblem(
                f"DATABASE_URL: la base de datos «{name}» no existe en {where}: créela con "
                f"`createdb -O {user} {name}` (como usuario postgres) o corrija su nombre en "
                "DATABASE_URL.",
                retryable=False,
            )
        if isinstance(cause, asyncpg.InsufficientPrivilegeError):
            return DatabaseProblem(
                f"DATABASE_URL: el usuario «{user}» no puede crear ni cambiar tablas en la base "
                f"«{name}»: hágalo dueño de la base (ALTER DATABASE {name} OWNER TO {user}) o "
                "use en DATABASE_URL el usuario dueño.",
                retryable=False,
            )
        if isinstance(cause, asyncpg.CannotConnectNowError):
            return DatabaseProblem(
                f"DATABASE_URL: PostgreSQL en {where} todavía está arrancando o se está "
                "deteniendo: espere unos segundos y vuelva a intentarlo.",
                retryable=True,
            )
        if isinstance(cause, socket.gaierror):
            return DatabaseProblem(
                f"DATABASE_URL: no se encuentra el servidor «{url.host}» (nombre desconocido): "
                "corrija el host en DATABASE_URL o revise el DNS.",
                retryable=True,
            )
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return DatabaseProblem(
                f"DATABASE_URL: nada responde en {where} (conexión rechazada): compruebe que "
                "PostgreSQL esté en marcha (systemctl status postgresql) y que el host y el "
                "puerto de DATABASE_URL sean los suyos.",
                retryable=True,
            )
        if isinstance(cause, TimeoutError) or (
            isinstance(cause, OSError)
            and cause.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT)
        ):
            return DatabaseProblem(
                f"DATABASE_URL: no se puede llegar a {where} (sin respuesta o red "
                "inalcanzable): revise la red, el cortafuegos y el host y puerto de "
                "DATABASE_URL.",
                retryable=True,
            )
        if isinstance(cause, asyncpg.TooManyConnectionsError):
            return DatabaseProblem(
                f"DATABASE_URL: PostgreSQL en {where} no acepta más conexiones: espere, o "
                "aumente max_connections en PostgreSQL.",
                retryable=True,
            )
    # Nothing more specific: the connection was cut, or what answers is not PostgreSQL.
    for cause in _chain(error):
        if isinstance(cause, OSError):
            return DatabaseProblem(
                f"DATABASE_URL: la conexión con {where} falló ({cause}): compruebe que en ese "
                "host y puerto responda PostgreSQL y que la red lo permita.",
                retryable=True,
            )
    return None


def _explain_sqlite(error: BaseException, url: URL) -> DatabaseProblem | None:
    path = sqlite_path(url)
    if path is None:
        return None
    for cause in _chain(error):
        # Minka itself creates the file (owner-only) and a migration lock beside it before
        # SQLite opens it, so a missing folder can surface as an OSError as well.
        cannot_create = isinstance(cause, OSError) and cause.errno in (errno.ENOENT, errno.EACCES)
        if not (cannot_create or isinstance(cause, sqlite3.DatabaseError)):
            continue
        text = str(cause)
        if cannot_create or (
            isinstance(cause, sqlite3.OperationalError) and "unable to open" in text
        ):
            folder = path.parent
            reason = (
                f"la carpeta {folder} no existe"
                if not folder.is_dir()
                else f"no hay permiso para escribir en {folder}"
            )
            return DatabaseProblem(
                f"DATABASE_URL: no se puede abrir el archivo SQLite {path} ({reason}): cree la "
                "carpeta con permisos para el usuario que ejecuta Minka o corrija la ruta en "
                "DATABASE_URL.",
                retryable=False,
            )
        if "readonly" in text or "read-only" in text:
            return DatabaseProblem(
                f"DATABASE_URL: el archivo SQLite {path} es de solo lectura para este usuario: "
                "dé permiso de escritura sobre el archivo y su carpeta al usuario que ejecuta "
                "Minka.",
                retryable=False,
            )
        if "not a database" in text:
            return DatabaseProblem(
                f"DATABASE_URL: {path} no es una base de datos SQLite: corrija la ruta en "
                "DATABASE_URL.",
                retryable=False,
            )
    return None
