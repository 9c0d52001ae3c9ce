"""What each CLI order does. Orders that touch the database migrate it first."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.config import ConfigError, Settings
from bot.i18n import format_number
from bot.services.dates import FIRST_YEAR, LAST_YEAR, plausible
from knowledge.loader import ContentError
from storage.db import Database
from storage.migrate import upgrade

if TYPE_CHECKING:
    from telegram.error import InvalidToken, NetworkError


@asynccontextmanager
async def migrated(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings.database_url, settings.db_timeouts)
    try:
        await upgrade(db.engine)
        yield db
    finally:
        await db.dispose()


def minka_now(settings: Settings) -> datetime:
    """Now on Minka's clock (the running bot's, CLOCK_OFFSET_SECONDS), for an order that
    stamps a record, checks a deadline or reads a period: as the bot would at this moment."""
    return Clock(settings.clock_offset).now()


def kb_check(folder: str | Path, today: str | None = None) -> int:
    """Content checks need no database: a specialist runs them right after editing a file.

    `today` (AAAA-MM-DD) moves the calendar, to see which deadlines will have passed by then.
    """
    try:
        when = date.fromisoformat(today) if today else None
    except ValueError:
        when = date.min
    if when is not None and not plausible(when):  # 9999-12-31: the deadlines overflowed
        print(
            f"--hoy debe ser una fecha AAAA-MM-DD entre {FIRST_YEAR} y {LAST_YEAR}, no «{today}».",
            file=sys.stderr,
        )
        return 2
    if _report_problems(Path(folder), when):
        return 1
    print("El Tool Kit está en orden.")
    return 0


async def kb_statistics(settings: Settings, folder: str | Path) -> int:
    """Articles per topic, then the errors officials reported per article (a to-do list)."""
    from knowledge.check import statistics
    from knowledge.loader import read
    from storage.repositories.toolkit import report_counts

    content = Path(folder)
    rows = statistics(content)
    width = max(len(name) for name, _count in rows)
    for name, count in rows:
        print(f"{name:<{width}}  {count:>3}")
    print(f"{'Total':<{width}}  {sum(count for _name, count in rows):>3}")
    async with migrated(settings) as db, db.session() as session:
        reports = await report_counts(session)
    if not reports:
        print("\nNo hay reportes de error sobre los artículos.")
        return 0
    kit, _problems = read(content)
    print()
    for line in table(
        ("reportes", "pendientes", "artículo"),
        [
            (
                format_number(total),
                format_number(pending),
                kit.articles[a].title if a in kit.articles else a,
            )
            for a, total, pending in reports
        ],
        right={0, 1},
    ):
        print(line)
    return 0


def _report_problems(content: Path, today: date | None = None) -> bool:
    """Print `kb revisar`'s problems, one file:line each; True when there are any.

    Dates are judged on `today`, Lima's by default: an expired deadline is a problem too.
    """
    from knowledge.check import review

    problems, notices = review(content, today)
    for problem in problems:
        print(problem)
    for notice in notices:
        print(f"aviso: {notice}")
    if problems:
        print(f"{plural(len(problems), 'problema', 'problemas')} en el Tool Kit.", file=sys.stderr)
    return bool(problems)


async def kb_reload(settings: Settings) -> int:
    """Check KB_DIR, then ask every running Minka to publish it (each checks it again)."""
    from bot import kb_reload as reloading
    from knowledge.check import check_dates, check_structure

    problems = check_structure(settings.content_dir)
    for problem in problems:
        print(problem)
    if problems:
        print("No se pidió la recarga: Minka sigue mostrando la versión anterior.")
        return 1
    for stale in check_dates(settings.content_dir):
        print(f"aviso: {stale}", file=sys.stderr)
    async with migrated(settings) as db:
        await reloading.request(db)
    print(
        f"El Tool Kit de {settings.content_dir} está en orden. Minka en marcha lo publicará "
        f"en unos {settings.kb_reload_seconds:g} segundos."
    )
    return 0


def run(settings: Settings, *, webhook: bool = False) -> int:
    # Here, not at the top: the other orders never load python-telegram-bot (0.1-0.2 CPU s).
    from telegram.error import InvalidToken, NetworkError

    from bot.runner import run_until_signal
    from bot.startup import Stopped
    from bot.webhook import run_webhook_until_signal

    if settings.token is None:
        raise ConfigError(
            "Falta TELEGRAM_BOT_TOKEN: pida un token a @BotFather y defínalo en el entorno o en "
            ".env, o pruebe Minka sin token con `python -m bot demo`."
        )
    try:
        asyncio.run(run_webhook_until_signal(settings) if webhook else run_until_signal(settings))
    except ContentError as error:
        print(error, file=sys.stderr)
        print(
            f"Minka no arrancó: corrija el Tool Kit de {settings.content_dir} "
            "(python -m bot kb revisar).",
            file=sys.stderr,
        )
        return 2
    except Stopped:
        print("Minka se detuvo mientras esperaba la base de datos.", file=sys.stderr)
        return 0
    except (InvalidToken, NetworkError) as error:
        print(telegram_unreachable(error, settings), file=sys.stderr)
        return 2
    return 0


def telegram_unreachable(error: InvalidToken | NetworkError, settings: Settings) -> str:
    """The line an order prints when Telegram refused the token or could not be reached.
    aiohttp's error may quote the whole URL, which holds the token: never printed."""
    from telegram.error import InvalidToken

    if isinstance(error, InvalidToken):
        return "Telegram rechazó TELEGRAM_BOT_TOKEN: revise el token que le dio @BotFather."
    reason, token = error.message, settings.token or ""
    for secret in filter(None, (token, token.partition(":")[2])):
        reason = reason.replace(secret, "[TOKEN]")
    return (
        f"No se pudo conectar con {settings.telegram_api_base_url} ({reason}): "
        "revise la conexión o TELEGRAM_API_BASE_URL."
    )


async def db_upgrade(settings: Settings) -> int:
    """Migrate, and say which database it was: run from the wrong folder, a relative SQLite
    path silently makes a new, empty database."""
    from sqlalchemy.engine import make_url

    from storage.problems import redacted, sqlite_path

    url = make_url(settings.database_url)
    path = sqlite_path(url) if url.drivername.startswith("sqlite") else None
    new = path is not None and not path.exists()
    async with migrated(settings):
        shown = redacted(settings.database_url) + (f" (archivo {path})" if path else "")
        print(f"Base de datos al día: {shown}.")
    if new:
        print(
            f"Aviso: {path} no existía y se creó vacía; si esperaba datos, revise DATABASE_URL "
            "y la carpeta desde la que ejecuta la orden.",
            file=sys.stderr,
        )
    return 0


async def unanswered(settings: Settings, limit: int) -> int:
    """The specialists' to-do list: frequent questions without a sure answer, and how many
    error reports on articles still wait for them."""
    from storage.repositories.toolkit import report_counts
    from storage.repositories.toolkit import unanswered as most_unanswered

    async with migrated(settings) as db, db.session() as session:
        rows = await most_unanswered(session, limit)
        pending = sum(open_ for _article, _total, open_ in await report_counts(session))
    if not rows:
        print("No hay preguntas sin respuesta registradas.")
    else:
        print(f"{'veces':>5}  pregunta (último texto tal como se escribió)")
        for _normalized, count, example in rows:
            print(f"{count:>5}  {example}")
    if pending:
        print(
            f"\nAdemás, {plural(pending, 'reporte', 'reportes')} de error en artículos "
            f"{'espera' if pending == 1 else 'esperan'} respuesta: "
            "/preguntas en Telegram; por artículo, python -m bot kb estadisticas."
        )
    return 0


MAX_ROW_NUMBER = 2**31 - 1  # a row's number (an example, a publication) is 32-bit in PostgreSQL
# `db respaldo --conservar`: a hundred years keeps every copy there can be. Far larger ones
# (400 digits) ended in an OverflowError once the copy was written.
MAX_KEEP_DAYS = 36_500


def row_number(text: str) -> int:
    """argparse type of a listed item's number or a count: a whole number from 1 to
    `MAX_ROW_NUMBER`. A larger one failed the query with a traceback (SQLite: «Python int too
    large to convert to SQLite INTEGER»; PostgreSQL: out of range)."""
    return _whole_number(text, MAX_ROW_NUMBER, "un número entero")


def keep_days(text: str) -> int:
    """argparse type of `db respaldo --conservar`: days from 1 to `MAX_KEEP_DAYS`, refused
    before the copy is written (0 and negatives were refused only then, by `backup`)."""
    return _whole_number(text, MAX_KEEP_DAYS, "un número de días")


def _whole_number(text: str, highest: int, what: str) -> int:
    """ASCII digits from 1 to `highest` (int() would also read «٣» or « 5_0 »)."""
    text = text.strip()
    short = text.isascii() and text.isdigit() and len(text) <= len(str(highest))
    if short and 1 <= int(text) <= highest:
        return int(text)
    raise argparse.ArgumentTypeError(f"«{text}» debe ser {what} de 1 a {format_number(highest)}")


def telegram_number(text: str) -> int:
    """argparse type of a person's numeric Telegram id, read as the chat's /coordinador reads
    it (`parse_telegram_id`): «-5» or 20 digits are no one's id, not a role granted ahead nor
    a traceback."""
    from bot.telegram_limits import parse_telegram_id

    if (number := parse_telegram_id(text)) is not None:
        return number
    if parse_telegram_id(text.strip().removeprefix("-")) is not None:  # a group's or channel's
        raise argparse.ArgumentTypeError(
            f"«{text.strip()}» no es el id de una persona: un chat privado tiene id positivo"
        )
    raise argparse.ArgumentTypeError(f"«{text.strip()}» no es un id numérico de Telegram")


def plural(number: int, one: str, many: str) -> str:
    """«1 fila», «3 filas», «1,200 filas»: Spanish agrees in number, so no «fila(s)»."""
    return f"{format_number(number)} {one if number == 1 else many}"


def table(header: tuple[str, ...], rows: list[tuple[str, ...]], right: set[int]) -> list[str]:
    """Columns padded to their widest cell; `right` holds the columns of numbers."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [header, *rows]
    ]


def add_db_orders(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`db`: its orders and their arguments (`respaldo` runs in backup.py, `migrar-a` in
    transfer.py)."""
    db = commands.add_parser("db", help="base de datos").add_subparsers(
        dest="db_command", metavar="<orden>", required=True
    )
    db.add_parser("upgrade", help="aplica las migraciones pendientes")
    move = db.add_parser(
        "migrar-a",
        help="copia toda la base (DATABASE_URL) a otra nueva y vacía (de SQLite a PostgreSQL)",
        description=(
            "Copia cada tabla de la base de DATABASE_URL a la base URL, que debe estar vacía "
            "(recién creada), y compara las cantidades de filas. Detenga Minka antes."
        ),
    )
    move.add_argument(
        "url", metavar="URL", help="postgresql+asyncpg://usuario:clave@host/base de destino"
    )
    backup = db.add_parser(
        "respaldo",
        help="copia de seguridad consistente (SQLite o PostgreSQL), con el bot en marcha",
    )
    backup.add_argument(
        "archivo", metavar="ARCHIVO", nargs="?", help="archivo nuevo donde escribir la copia"
    )
    backup.add_argument(
        "--carpeta",
        metavar="DIR",
        help=(
            "en vez de ARCHIVO: escribe minka-AAAA-MM-DD_HHMMSS.sqlite3 (o .dump, con "
            "PostgreSQL) en esta carpeta"
        ),
    )
    backup.add_argument(
        "--conservar",
        type=keep_days,
        metavar="DÍAS",
        help="con --carpeta: borra las copias minka-* de esa carpeta de más de DÍAS días",
    )


def add_kb_orders(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`kb`: the Tool Kit orders and their arguments."""
    kb = commands.add_parser("kb", help="contenido del Tool Kit").add_subparsers(
        dest="kb_command", metavar="<orden>", required=True
    )
    check = kb.add_parser("revisar", help="valida artículos y glosario (error si hay fallas)")
    check.add_argument(
        "--hoy",
        metavar="AAAA-MM-DD",
        help="juzgar los plazos como si hoy fuera esta fecha (por defecto, hoy en Lima)",
    )
    stats = kb.add_parser(
        "estadisticas", help="artículos por tema y errores reportados por artículo"
    )
    for sub in (check, stats):
        sub.add_argument(
            "--carpeta",
            metavar="DIR",
            help="carpeta del contenido (por defecto KB_DIR, o la del paquete)",
        )
    kb.add_parser(
        "recargar",
        help="revisa KB_DIR y pide a Minka en marcha que publique los cambios, sin reiniciar",
    )
    unanswered = kb.add_parser(
        "sin-respuesta", help="preguntas frecuentes sin respuesta segura o marcadas como no útiles"
    )
    unanswered.add_argument(
        "--limite", type=row_number, default=20, metavar="N", help="cuántas mostrar"
    )
    taught = kb.add_parser(
        "ejemplos",
        help="preguntas que los especialistas enseñaron desde /preguntas: revisarlas y "
        "agregarlas a examples.yaml de KB_DIR",
    )
    taught.add_argument(
        "--aceptar",
        type=row_number,
        nargs="*",
        metavar="N",
        help="agrega a examples.yaml las indicadas (todas si no indica números) y pide a "
        "Minka en marcha que las use",
    )
    taught.add_argument(
        "--descartar", type=row_number, nargs="+", metavar="N", help="deja de lado las indicadas"
    )
