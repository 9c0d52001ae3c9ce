"""What each CLI order does. Orders that touch the database migrate it first."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.error import InvalidToken, NetworkError

from bot.config import ConfigError, Settings
from storage.db import Database
from storage.migrate import upgrade


@asynccontextmanager
async def migrated(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings.database_url)
    try:
        await upgrade(db.engine)
        yield db
    finally:
        await db.dispose()


def kb_check(command: str, folder: str | None) -> int:
    """Content checks need no settings: a coordinator runs them right after editing a file."""
    from pathlib import Path

    from knowledge.check import check, statistics
    from knowledge.loader import CONTENT_DIR

    content = Path(folder) if folder else CONTENT_DIR
    if command == "estadisticas":
        rows = statistics(content)
        width = max(len(name) for name, _count in rows)
        for name, count in rows:
            print(f"{name:<{width}}  {count:>3}")
        print(f"{'Total':<{width}}  {sum(count for _name, count in rows):>3}")
        return 0
    problems = check(content)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problema(s) en el Tool Kit.", file=sys.stderr)
        return 1
    print("El Tool Kit está en orden.")
    return 0


def run(settings: Settings) -> int:
    from bot.runner import run_until_signal

    if settings.token is None:
        raise ConfigError(
            "Falta TELEGRAM_BOT_TOKEN: pida un token a @BotFather y defínalo en el entorno o en "
            ".env, o pruebe Minka sin token con `python -m bot demo`."
        )
    try:
        asyncio.run(run_until_signal(settings))
    except InvalidToken:
        print(
            "Telegram rechazó TELEGRAM_BOT_TOKEN: revise el token que le dio @BotFather.",
            file=sys.stderr,
        )
        return 2
    except NetworkError as error:
        print(
            f"No se pudo conectar con {settings.telegram_api_base_url} ({error.message}): "
            "revise la conexión o TELEGRAM_API_BASE_URL.",
            file=sys.stderr,
        )
        return 2
    return 0


async def db_upgrade(settings: Settings) -> int:
    async with migrated(settings):
        print("Base de datos al día.")
    return 0


async def unanswered(settings: Settings, limit: int) -> int:
    from storage.repositories.toolkit import unanswered as most_unanswered

    async with migrated(settings) as db, db.session() as session:
        rows = await most_unanswered(session, limit)
    if not rows:
        print("No hay preguntas sin respuesta registradas.")
        return 0
    print(f"{'veces':>5}  pregunta (último texto tal como se escribió)")
    for _normalized, count, example in rows:
        print(f"{count:>5}  {example}")
    return 0


async def add_coordinator(settings: Settings, telegram_id: int) -> int:
    from bot.services import staff
    from bot.services.roles import Role

    async with migrated(settings) as db, db.session() as session:
        grant = await staff.grant_role(session, telegram_id, Role.COORDINATOR, granted_by=None)
    if grant.applied_now:
        print(f"Listo: {grant.name or telegram_id} ahora es coordinador(a).")
    else:
        print(
            f"Listo: {telegram_id} será coordinador(a) cuando empiece a usar Minka y acepte "
            "el aviso de privacidad."
        )
    return 0


_OUTCOMES = {"created": "nuevo", "updated": "actualizado", "unchanged": "sin cambios"}
_NO_USERNAME = "<usuario_del_bot>"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], right: set[int]) -> list[str]:
    """Columns padded to their widest cell; `right` holds the columns of numbers."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [header, *rows]
    ]


def import_workshops(settings: Settings, path: str) -> int:
    """A coordinator's spreadsheet in, the codes and check-in links to print or share out.

    The file is read first, so a mistyped name costs no database connection."""
    from pathlib import Path

    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        print(f"No existe el archivo {path}.", file=sys.stderr)
        return 2
    except IsADirectoryError:
        print(f"{path} es una carpeta; indique el archivo CSV.", file=sys.stderr)
        return 2
    except PermissionError:
        print(f"No tiene permiso para leer el archivo {path}.", file=sys.stderr)
        return 2
    except OSError:
        print(f"No se pudo leer el archivo {path}.", file=sys.stderr)
        return 2
    return asyncio.run(_import_workshops(settings, path, data))


async def _import_workshops(settings: Settings, path: str, data: bytes) -> int:
    from bot.services import workshop_import
    from bot.services.workshops import deep_link

    async with migrated(settings) as db, db.session() as session:
        result = await workshop_import.import_workshops(session, data)
        username = await workshop_import.stored_bot_username(session)
    if result.problems:
        for problem in result.problems:
            print(f"{path}:{problem.line}: {problem.reason}")
        bad_rows = len({problem.line for problem in result.problems})
        print(f"{bad_rows} fila(s) con errores; no se importó nada.", file=sys.stderr)
        return 1
    tz = workshop_import.LIMA
    rows = [
        (
            item.code,
            item.title,
            item.starts_at.astimezone(tz).strftime(workshop_import.TIME_FORMAT),
            _OUTCOMES[item.outcome],
            deep_link(username or _NO_USERNAME, item.code),
        )
        for item in result.imported
    ]
    header = ("código", "título", "inicio", "estado", "enlace de asistencia")
    for line in _table(header, rows, right=set()):
        print(line)
    tally = {outcome: 0 for outcome in _OUTCOMES}
    for item in result.imported:
        tally[item.outcome] += 1
    print(
        f"{len(rows)} taller(es): {tally['created']} nuevo(s), {tally['updated']} "
        f"actualizado(s), {tally['unchanged']} sin cambios."
    )
    if any(item.generated for item in result.imported):
        print(
            "Los códigos generados dependen del título, el inicio y la región: para poder "
            "corregirlos sin crear otro taller, copie cada código en la columna codigo."
        )
    if username is None:
        print(
            f"{_NO_USERNAME}: los enlaces quedan completos cuando Minka se haya iniciado una vez; "
            "entonces vuelva a importar el archivo (no cambia nada) para verlos."
        )
    return 0


async def list_workshops(settings: Settings) -> int:
    """What is scheduled and how it went: check-ins and completed surveys per workshop."""
    from bot.services.workshop_import import LIMA, TIME_FORMAT
    from storage.repositories import workshops as repo

    async with migrated(settings) as db, db.session() as session:
        workshops = await repo.list_all(session)
        counts = await repo.counts(session)
    if not workshops:
        print(
            "No hay talleres registrados. Impórtelos con "
            "`python -m bot talleres importar ARCHIVO.csv`."
        )
        return 0
    rows = []
    for workshop in workshops:
        starts, ends = workshop.starts_at.astimezone(LIMA), workshop.ends_at.astimezone(LIMA)
        attendees, responses = counts.get(workshop.id, (0, 0))
        title = workshop.title if len(workshop.title) <= 50 else workshop.title[:49] + "…"
        rows.append(
            (
                workshop.code,
                starts.strftime(TIME_FORMAT),
                ends.strftime("%H:%M" if ends.date() == starts.date() else TIME_FORMAT),
                workshop.region_name or "Nacional/virtual",
                title,
                str(attendees),
                str(responses),
            )
        )
    header = ("código", "inicio", "fin", "región", "título", "asistentes", "encuestas")
    for line in _table(header, rows, right={5, 6}):
        print(line)
    return 0
