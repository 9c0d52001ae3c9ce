"""`admin`'s orders and their arguments, apart from what they do (`bot/cli/roles.py`, which
loads the roles' rules and storage): the parser, built for every order (`--help`, `kb
revisar`), reads only this."""

from __future__ import annotations

import argparse

from bot.cli.commands import telegram_number


def add_orders(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`admin`: its orders and their arguments."""
    admin = commands.add_parser("admin", help="administración").add_subparsers(
        dest="admin_command", metavar="<orden>", required=True
    )
    coordinator = _person_order(
        admin,
        "agregar-coordinador",
        help="da el rol de coordinador a una persona, con las regiones que cubre",
        description=(
            "Da el rol de coordinador con su cobertura: las regiones cuyos casos, talleres, "
            "reuniones e indicadores verá (--region, repetible) o todo el país (--nacional). "
            "La cobertura la fija usted, nunca la región del perfil de la persona. Si la "
            "persona aún no usa Minka, el rol y la cobertura se aplican cuando acepte el aviso "
            "de privacidad. Repetir la orden reemplaza la cobertura anterior. A un "
            "administrador de BOT_ADMIN_IDS no se le da otro rol: ya puede hacerlo todo."
        ),
    )
    scope = coordinator.add_mutually_exclusive_group(required=True)
    scope.add_argument(
        "--region",
        action="append",
        metavar="NOMBRE",
        help="una región que cubre (repetible: --region Puno --region Cusco)",
    )
    scope.add_argument("--nacional", action="store_true", help="cubre todas las regiones")
    _person_order(
        admin,
        "agregar-especialista",
        help="da el rol de especialista a una persona",
        description=(
            "Da el rol de especialista: responde las preguntas derivadas a los especialistas. "
            "Si la persona aún no usa Minka, el rol se aplica cuando acepte el aviso de "
            "privacidad. A un administrador de BOT_ADMIN_IDS no se le da otro rol: ya puede "
            "hacerlo todo."
        ),
    )
    _person_order(
        admin,
        "quitar-rol",
        help="quita el rol (vuelve a funcionario) o cancela un rol pendiente",
        description=(
            "Quita el rol de especialista o coordinador (y su cobertura): la persona vuelve a "
            "ser funcionario. Si la persona aún no usa Minka, cancela el rol que la esperaba. "
            "Los administradores de BOT_ADMIN_IDS se cambian en la configuración."
        ),
    )
    team = _person_order(
        admin,
        "agregar-equipo",
        help="hace a una persona registrada parte del Equipo Regional de una región",
        description=(
            "Los miembros del Equipo Regional envían el informe mensual de su región. La "
            "pertenencia la fija usted, nunca la institución del perfil de la persona. "
            "Repetir la orden cambia la región."
        ),
    )
    team.add_argument("--region", required=True, metavar="NOMBRE", help="la región del equipo")
    _person_order(admin, "quitar-equipo", help="quita a una persona de su Equipo Regional")
    admin.add_parser(
        "listar-roles", help="personas con rol de especialista, coordinador o administrador"
    )
    _person_order(
        admin,
        "restablecer-menu",
        help="deja el menú de órdenes de un chat con lo que la persona puede usar hoy",
        description=(
            "Vuelve a fijar el menú de órdenes del chat privado de una persona (el suyo propio "
            "si está registrada o tiene un rol; si no, el de todos) y su botón de menú por "
            "defecto. Para quien dejó BOT_ADMIN_IDS y aún ve las órdenes de administrador en el "
            "menú. Sin efecto en un chat que no tiene menú propio."
        ),
    )


def _person_order(
    orders: argparse._SubParsersAction, name: str, **options: str
) -> argparse.ArgumentParser:
    """An admin order about one person, named by their numeric Telegram id."""
    order = orders.add_parser(name, **options)
    order.add_argument("telegram_id", type=telegram_number, help="id numérico de Telegram")
    return order
