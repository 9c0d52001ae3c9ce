"""Every command and button prefix that needs a role, tried by an official: refused with a
clear Spanish message and written to the audit log. The list comes from the registry, so a
new staff command is covered (and must declare its role) without touching this test."""

from __future__ import annotations

from sqlalchemy import select

import handlers
from bot.config import Settings
from bot.services.roles import Role
from storage.db import Database
from storage.models import AuditEntry
from tests.chat import Person as Chatter
from tests.helpers import register

REFUSALS = {
    Role.ADMIN: "Solo los administradores pueden hacer eso.",
    Role.COORDINATOR: "Solo los coordinadores pueden hacer eso.",
    Role.SPECIALIST: "Solo especialistas y coordinadores pueden hacer eso.",
}
STAFF_COMMANDS = [c for c in handlers.all_commands() if c.role not in (None, Role.OFFICIAL)]
STAFF_BUTTONS = [b for b in handlers.all_buttons() if b.role not in (None, Role.OFFICIAL)]


def test_the_registry_declares_staff_entries() -> None:
    names = {c.name for c in STAFF_COMMANDS}
    assert {
        "coordinador",
        "taller",
        "nuevo_taller",
        "reunion",
        "nueva_reunion",
        "difundir",
        "indicadores",
    } <= names
    assert {b.prefix for b in STAFF_BUTTONS} >= {"ws", "nw", "ma", "nm", "em", "ex", "ind"}


async def _denied(settings: Settings, telegram_id: int) -> list[str]:
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            rows = await session.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.actor_telegram_id == telegram_id, AuditEntry.outcome == "denied"
                )
            )
            return list(rows)
    finally:
        await db.dispose()


async def test_an_official_is_refused_everywhere(ana: Chatter, bot: Settings) -> None:
    await register(ana)
    for command in STAFF_COMMANDS:
        (reply,) = await ana.say(f"/{command.name} X")
        assert reply.text == REFUSALS[command.role], command.name
    (menu,) = await ana.say("/menu")
    for route in STAFF_BUTTONS:
        answer = await ana.press_forged(menu, f"{route.prefix}:xlsx:1:0")
        assert answer["text"] == REFUSALS[route.role], route.prefix
    denied = await _denied(bot, ana.id)
    assert {f"/{c.name}" for c in STAFF_COMMANDS} <= set(denied)
    assert {f"button {b.prefix}" for b in STAFF_BUTTONS} <= set(denied)


async def test_an_unregistered_person_is_refused_everywhere(ana: Chatter, bot: Settings) -> None:
    """Someone who never accepted the notice (no row in people) is refused and audited too."""
    for command in STAFF_COMMANDS:
        (reply,) = await ana.say(f"/{command.name} X")
        assert reply.text == REFUSALS[command.role], command.name
    _greeting, notice = await ana.say("/start", 2)
    for route in STAFF_BUTTONS:
        answer = await ana.press_forged(notice, f"{route.prefix}:go:1")
        assert answer["text"] == REFUSALS[route.role], route.prefix
    denied = await _denied(bot, ana.id)
    assert {f"/{c.name}" for c in STAFF_COMMANDS} <= set(denied)
    assert {f"button {b.prefix}" for b in STAFF_BUTTONS} <= set(denied)


# Open to everyone (each handler checks registration or ownership itself). A new command or
# button prefix must either declare the role it needs or be added here on purpose.
PUBLIC_COMMANDS = {
    "asistencia", "ayuda", "borrar_mis_datos", "buscar", "calificar", "cancelar", "casos",
    "glosario", "menu", "mis_datos", "mis_preguntas", "perfil", "privacidad", "reuniones",
    "start", "talleres", "temas",
}  # fmt: skip
PUBLIC_BUTTONS = {"ask", "consent", "cs", "kb", "menu", "mt", "nc", "priv", "prof", "rate", "reg"}


def test_nothing_is_public_by_accident() -> None:
    assert {c.name for c in handlers.all_commands() if c.role is None} == PUBLIC_COMMANDS
    assert {b.prefix for b in handlers.all_buttons() if b.role is None} == PUBLIC_BUTTONS
