"""The command line's grammar, in Spanish (argparse's own texts included): the orders without
a group here, each group's orders and arguments beside their code (`add_orders` in its module)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from bot.cli import admin_orders, meetings, publications, report, visits, workshops
from bot.cli import commands as general


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, prefix="uso: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse speaking Spanish: titles, the -h option and the common errors."""

    _ERRORS = (
        ("the following arguments are required:", "faltan argumentos:"),
        ("invalid choice:", "opción desconocida:"),
        ("invalid int value:", "debe ser un número entero:"),
        ("expected one argument", "falta su valor"),
        ("expected at least one argument", "falta al menos un valor"),
        ("ambiguous option:", "opción ambigua:"),
        (" could match ", " puede ser "),
        ("unrecognized arguments:", "argumentos no reconocidos:"),
        ("(choose from", "(elija entre"),
        ("one of the arguments ", "falta una de las opciones "),
        (" is required", ""),
        ("not allowed with argument", "no se puede usar junto con"),
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m bot",
        description=(
            "Minka: asistente de Telegram para la pequeña minería y minería artesanal. "
            "Sin orden, inicia el bot si hay TELEGRAM_BOT_TOKEN y, si no, la demostración local."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="<orden>")
    run = commands.add_parser(
        "run", help="inicia el bot con long polling (aplica antes las migraciones)"
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="recibe las actualizaciones por webhook (WEBHOOK_URL, WEBHOOK_SECRET, HOST, PORT)",
    )
    demo = commands.add_parser(
        "demo", help="chat de demostración en la terminal, sin token ni internet"
    )
    demo.add_argument(
        "--db",
        metavar="ARCHIVO",
        help="archivo SQLite de la demostración (por defecto uno temporal, nuevo cada vez)",
    )
    general.add_db_orders(commands)
    general.add_kb_orders(commands)
    report.add_orders(commands)
    admin_orders.add_orders(commands)
    workshops.add_orders(commands)
    meetings.add_orders(commands)
    publications.add_orders(commands)
    visits.add_orders(commands)
    return parser
