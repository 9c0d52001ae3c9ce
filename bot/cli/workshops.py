"""CLI orders for workshops: `talleres importar` and `talleres listar`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli.commands import migrated, minka_now, plural, table
from bot.config import Settings
from bot.i18n import format_number

_OUTCOMES = {"created": "nuevo", "updated": "actualizado", "unchanged": "sin cambios"}
_NO_USERNAME = "<usuario_del_bot>"


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
        result = await workshop_import.import_workshops(session, data, minka_now(settings))
        username = await workshop_import.stored_bot_username(session)
    if result.problems:
        for problem in result.problems:
            print(f"{path}:{problem.line}: {problem.reason}")
        bad_rows = len({problem.line for problem in result.problems})
        print(
            f"{plural(bad_rows, 'fila', 'filas')} con errores; no se importó nada.", file=sys.stderr
        )
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
    for line in table(header, rows, right=set()):
        print(line)
    tally = {outcome: 0 for outcome in _OUTCOMES}
    for item in result.imported:
        tally[item.outcome] += 1
    print(
        f"{plural(len(rows), 'taller', 'talleres')}: "
        f"{plural(tally['created'], 'nuevo', 'nuevos')}, "
        f"{plural(tally['updated'], 'actualizado', 'actualizados')}, "
        f"{tally['unchanged']} sin cambios."
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
                format_number(attendees),
                format_number(responses),
            )
        )
    header = ("código", "inicio", "fin", "región", "título", "asistentes", "encuestas")
    for line in table(header, rows, right={5, 6}):
        print(line)
    return 0


# --- meetings -----------------------------------------------------------------------------------


MATERIAL_MAX_BYTES = 50 * 1024 * 1024  # the Bot API's limit for a document a bot uploads


def material(settings: Settings, code: str, path: str | None) -> int:
    """Add a file to a workshop, or list its materials with the people who received each."""
    from pathlib import Path

    content = None
    if path is not None:
        try:
            content = Path(path).read_bytes()
        except OSError:
            print(f"No se pudo leer el archivo {path}.", file=sys.stderr)
            return 2
        if not content:
            print(f"{path} está vacío.", file=sys.stderr)
            return 2
        if len(content) > MATERIAL_MAX_BYTES:
            print(
                f"{path} pesa más de 50 MB; Telegram no acepta archivos más grandes.",
                file=sys.stderr,
            )
            return 2
    return asyncio.run(_material(settings, code, path, content))


async def _material(settings: Settings, code: str, path: str | None, content: bytes | None) -> int:
    from pathlib import PurePath

    from bot.services.workshops import normalize_code
    from storage.repositories import materials
    from storage.repositories import workshops as repo

    async with migrated(settings) as db, db.session() as session:
        workshop = await repo.get_by_code(session, normalize_code(code))
        if workshop is None:
            print(
                f"No existe un taller con el código {code}; vea los códigos con "
                "`python -m bot talleres listar`.",
                file=sys.stderr,
            )
            return 1
        if path is not None and content is not None:
            name = PurePath(path).name[:200]
            await materials.add(session, workshop.id, name, content)
            print(
                f"Material «{name}» agregado al taller {workshop.code} («{workshop.title}»): "
                "sus participantes lo recibirán con la encuesta y desde /talleres."
            )
            return 0
        items = await materials.of_workshops(session, [workshop.id])
        reached = await materials.recipients(session, workshop.id)
    if not items:
        print(f"El taller {workshop.code} no tiene materiales.")
        return 0
    rows = [
        (
            item.filename,
            f"{format_number(item.size / 1024)} KB",
            format_number(reached.get(item.id, 0)),
        )
        for item in items
    ]
    for line in table(("archivo", "tamaño", "personas"), rows, right={1, 2}):
        print(line)
    return 0


def add_orders(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`talleres`: its orders and their arguments."""
    workshops = commands.add_parser("talleres", help="talleres de capacitación").add_subparsers(
        dest="workshops_command", metavar="<orden>", required=True
    )
    load = workshops.add_parser(
        "importar",
        help="crea o actualiza talleres desde un CSV (todo o nada; repetirlo no duplica)",
        description=(
            "Importa talleres desde un archivo CSV en UTF-8 (separado por comas o por punto y "
            "coma) con el encabezado codigo,titulo,tema,inicio,fin,region,lugar,facilitador. "
            "Las fechas van como AAAA-MM-DD HH:MM en hora de Lima; una región vacía significa "
            "taller nacional o virtual; un código vacío se genera a partir del título, el "
            "inicio y la región. Si alguna fila tiene errores, no se importa nada."
        ),
    )
    load.add_argument("archivo", metavar="ARCHIVO", help="archivo CSV con los talleres")
    workshops.add_parser(
        "listar", help="talleres registrados, con asistentes y encuestas completadas"
    )
    material = workshops.add_parser(
        "material",
        help="agrega un material (presentación, PDF) a un taller, o lista los que tiene",
        description=(
            "Con ARCHIVO, lo agrega al taller (hasta 50 MB): quienes registraron su asistencia "
            "lo reciben con la encuesta al terminar el taller y luego desde /talleres. Sin "
            "ARCHIVO, lista los materiales del taller y cuántas personas recibieron cada uno."
        ),
    )
    material.add_argument("codigo", metavar="CÓDIGO", help="código del taller")
    material.add_argument("archivo", metavar="ARCHIVO", nargs="?", help="el archivo a agregar")
