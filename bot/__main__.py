"""Minka's command line: `python -m bot <orden>` (also installed as `minka`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from telegram.error import InvalidToken, NetworkError

from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, prefix="uso: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse speaking Spanish: titles, the -h option and the common errors."""

    _ERRORS = (
        ("the following arguments are required:", "faltan argumentos:"),
        ("invalid choice:", "opción desconocida:"),
        ("invalid int value:", "debe ser un número entero:"),
        ("unrecognized arguments:", "argumentos no reconocidos:"),
        ("(choose from", "(elija entre"),
        ("argument ", "argumento "),
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("add_help", False)
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumentos"
        self._optionals.title = "opciones"
        self.add_argument("-h", "--help", action="help", help="muestra esta ayuda y termina")

    def error(self, message: str) -> NoReturn:
        for english, spanish in self._ERRORS:
            message = message.replace(english, spanish)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m bot",
        description=(
            "Minka: asistente de Telegram para la pequeña minería y minería artesanal. "
            "Sin orden, inicia el bot si hay TELEGRAM_BOT_TOKEN y, si no, la demostración local."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="<orden>")
    commands.add_parser("run", help="inicia el bot con long polling (aplica antes las migraciones)")
    demo = commands.add_parser(
        "demo", help="chat de demostración en la terminal, sin token ni internet"
    )
    demo.add_argument(
        "--db",
        metavar="ARCHIVO",
        help="archivo SQLite de la demostración (por defecto uno temporal, nuevo cada vez)",
    )
    db = commands.add_parser("db", help="base de datos").add_subparsers(
        dest="db_command", metavar="<orden>", required=True
    )
    db.add_parser("upgrade", help="aplica las migraciones pendientes")
    kb = commands.add_parser("kb", help="contenido del Tool Kit").add_subparsers(
        dest="kb_command", metavar="<orden>", required=True
    )
    check = kb.add_parser("revisar", help="valida artículos y glosario (error si hay fallas)")
    stats = kb.add_parser("estadisticas", help="cantidad de artículos por tema")
    for sub in (check, stats):
        sub.add_argument(
            "--carpeta", metavar="DIR", help="carpeta del contenido (por defecto la del paquete)"
        )
    unanswered = kb.add_parser(
        "sin-respuesta", help="preguntas frecuentes sin respuesta segura o marcadas no útiles"
    )
    unanswered.add_argument("--limite", type=int, default=20, metavar="N", help="cuántas mostrar")
    admin = commands.add_parser("admin", help="administración").add_subparsers(
        dest="admin_command", metavar="<orden>", required=True
    )
    coordinator = admin.add_parser(
        "agregar-coordinador", help="da el rol de coordinador a una persona"
    )
    coordinator.add_argument("telegram_id", type=int, help="id numérico de Telegram")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "kb" and args.kb_command != "sin-respuesta":
        return _kb(args.kb_command, args.carpeta)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    command = args.command or ("run" if settings.token else "demo")
    setup_logging(
        logging.WARNING if command == "demo" else logging.INFO,
        secrets=[settings.token] if settings.token else [],
    )
    try:
        if command == "run":
            return _run(settings)
        if command == "demo":
            from bot.demo import run_demo

            return asyncio.run(run_demo(settings, getattr(args, "db", None)))
        if command == "db":
            return asyncio.run(_db_upgrade(settings))
        if command == "admin":
            return asyncio.run(_add_coordinator(settings, args.telegram_id))
        if command == "kb":
            return asyncio.run(_unanswered(settings, args.limite))
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 1


def _kb(command: str, folder: str | None) -> int:
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


def _run(settings: Settings) -> int:
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


async def _db_upgrade(settings: Settings) -> int:
    from storage.db import Database
    from storage.migrate import upgrade

    db = Database(settings.database_url)
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()
    print("Base de datos al día.")
    return 0


async def _unanswered(settings: Settings, limit: int) -> int:
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.repositories.toolkit import unanswered

    db = Database(settings.database_url)
    try:
        await upgrade(db.engine)
        async with db.session() as session:
            rows = await unanswered(session, limit)
    finally:
        await db.dispose()
    if not rows:
        print("No hay preguntas sin respuesta registradas.")
        return 0
    print(f"{'veces':>5}  pregunta (último texto tal como se escribió)")
    for _normalized, count, example in rows:
        print(f"{count:>5}  {example}")
    return 0


async def _add_coordinator(settings: Settings, telegram_id: int) -> int:
    from bot.services import staff
    from bot.services.roles import Role
    from storage.db import Database
    from storage.migrate import upgrade

    db = Database(settings.database_url)
    try:
        await upgrade(db.engine)
        async with db.session() as session:
            grant = await staff.grant_role(session, telegram_id, Role.COORDINATOR, granted_by=None)
    finally:
        await db.dispose()
    if grant.applied_now:
        print(f"Listo: {grant.name or telegram_id} ahora es coordinador(a).")
    else:
        print(
            f"Listo: {telegram_id} será coordinador(a) cuando empiece a usar Minka y acepte "
            "el aviso de privacidad."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
