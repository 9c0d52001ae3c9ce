"""End to end: roles, the audit log, and the command menus Telegram shows."""

from __future__ import annotations

from sqlalchemy import select

from bot.config import Settings
from bot.local_api import LocalBotApi
from storage.db import Database
from storage.models import AuditEntry, Person
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.helpers import register


async def _audit(settings: Settings) -> list[AuditEntry]:
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            return list((await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())
    finally:
        await db.dispose()


async def test_official_cannot_name_coordinators_and_is_audited(
    ana: Chatter, bot: Settings
) -> None:
    await register(ana)
    (refusal,) = await ana.say("/coordinador 12345")
    assert refusal.text == "Solo los administradores pueden hacer eso."
    (refusal,) = await ana.say("/registrados")
    assert refusal.text == "Solo los coordinadores pueden hacer eso."
    entries = [e for e in await _audit(bot) if e.outcome == "denied"]
    assert [(e.actor_telegram_id, e.action) for e in entries] == [
        (ana.id, "/coordinador"),
        (ana.id, "/registrados"),
    ]
    assert all(e.at is not None for e in entries)


async def test_unregistered_person_is_refused_too(ana: Chatter, bot: Settings) -> None:
    (refusal,) = await ana.say("/auditoria")
    assert refusal.text == "Solo los administradores pueden hacer eso."
    assert [e.action for e in await _audit(bot)] == ["/auditoria"]


async def test_admin_names_a_coordinator_by_username(
    api: LocalBotApi, ana: Chatter, admin: Chatter, bot: Settings
) -> None:
    await register(ana)
    api.drain(ana.id)
    (usage,) = await admin.say("/coordinador")
    assert "Uso: /coordinador" in usage.text
    (unknown,) = await admin.say("/coordinador @nadie Puno")
    assert "No conozco a «@nadie»" in unknown.text
    (unknown,) = await admin.say("/coordinador @anaq Narnia")
    assert unknown.text == "No reconozco la región «Narnia». Para todo el país escriba «nacional»."

    (done,) = await admin.say("/coordinador @anaq Puno")
    assert "Ana Quispe Mamani ahora tiene el rol de coordinador/a (Puno)" in done.text
    notice = await ana.reply()
    assert "le asignó el rol de coordinador/a" in notice.text
    scoped = api.commands({"type": "chat", "chat_id": ana.id})
    assert "registrados" in [c["command"] for c in scoped]
    assert "coordinador" not in [c["command"] for c in scoped]

    (counts,) = await ana.say("/registrados")
    assert "Puno" in counts.text and "Mujer: 1" in counts.text and "Total: 1" in counts.text
    (help_message,) = await ana.say("/ayuda")
    assert "/registrados" in help_message.text and "/coordinador" not in help_message.text

    (audit,) = await admin.say("/auditoria")
    assert "grant_coordinator" in audit.text and str(ana.id) in audit.text


async def test_coordinator_named_before_first_contact(
    api: LocalBotApi, admin: Chatter, bot: Settings
) -> None:
    (done,) = await admin.say("/coordinador 777001 nacional")
    assert "tendrá el rol de coordinador/a (nacional) en cuanto empiece a usar Minka" in done.text
    newcomer = Chatter(api, 777001, "Luis", last_name="Mamani")
    await register(newcomer)
    db = Database(bot.database_url)
    try:
        async with db.session() as session:
            row = await session.scalar(select(Person).where(Person.telegram_id == 777001))
    finally:
        await db.dispose()
    assert row is not None and (row.role, row.coverage) == ("coordinator", "*")


async def test_command_menus_are_set_at_start(api: LocalBotApi, bot: Settings) -> None:
    everyone = [c["command"] for c in api.commands({"type": "all_private_chats"})]
    assert everyone[:1] == ["start"]
    assert {"menu", "perfil", "privacidad", "mis_datos", "borrar_mis_datos", "ayuda"} <= set(
        everyone
    )
    assert "coordinador" not in everyone and "registrados" not in everyone
    english = api.commands({"type": "all_private_chats"}, language_code="en")
    assert any(c["description"] == "See and edit my profile" for c in english)
    # The admin from BOT_ADMIN_IDS has never written to the bot: Telegram answers
    # "chat not found", which must not stop Minka (this test running proves it).
    assert api.commands({"type": "chat", "chat_id": ADMIN_ID}) in ([], None)
