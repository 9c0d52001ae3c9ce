"""Every command and button prefix that needs a role, tried by an official: refused with a
clear Spanish message and written to the audit log. The list comes from the registry, so a
new staff command is covered (and must declare its role) without touching this test."""

from __future__ import annotations

import pytest
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
    } <= names
    assert {b.prefix for b in STAFF_BUTTONS} >= {"ws", "nw", "ma", "nm", "em", "ex"}


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


@pytest.mark.parametrize("command", ["difundir", "nueva_reunion", "nuevo_taller"])
async def test_unregistered_person_is_refused(ana: Chatter, bot: Settings, command: str) -> None:
    (reply,) = await ana.say(f"/{command}")
    assert reply.text == "Solo los coordinadores pueden hacer eso."
