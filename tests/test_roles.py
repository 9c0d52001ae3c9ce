"""End to end: roles, the audit log, and the command menus Telegram shows."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.config import Settings
from bot.local_api import Fault, LocalBotApi
from bot.runtime import Runtime
from storage.db import Database
from storage.models import AuditEntry, OutboxMessage, Person, RoleGrant
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.helpers import register, registered_last_month


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
    api: LocalBotApi, ana: Chatter, admin: Chatter, runtime: Runtime
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

    await registered_last_month(runtime)  # /registrados reads the latest month's end
    (counts,) = await ana.say("/registrados")
    # One person: her sex is not shown (the small-cell rule), her count is.
    assert "Puno: 1 (—)" in counts.text and "Mujer: 1" not in counts.text
    assert "Total: 1" in counts.text
    (help_message,) = await ana.say("/ayuda")
    assert "/registrados" in help_message.text and "/coordinador" not in help_message.text

    (audit,) = await admin.say("/auditoria")
    assert "Rol asignado: " in audit.text and str(ana.id) in audit.text
    assert "grant_coordinator" not in audit.text and "done" not in audit.text  # words, not codes


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


@pytest.fixture
def flooded(api: LocalBotApi) -> LocalBotApi:
    """Telegram's flood control on setMyCommands before Minka starts (past its rate
    limiter's retries: 429 with retry_after)."""
    api.inject("setMyCommands", Fault.too_many_requests(1), times=5)
    return api


async def test_command_menus_are_set_at_start_even_under_flood_control(
    flooded: LocalBotApi, bot: Settings
) -> None:
    """Everyone's menu is set once Telegram allows, not left for the next start."""
    for _ in range(300):
        if flooded.commands({"type": "all_private_chats"}):
            break
        await asyncio.sleep(0.1)
    everyone = [c["command"] for c in flooded.commands({"type": "all_private_chats"})]
    assert everyone[:1] == ["start"]


async def test_command_menus_are_set_at_start(api: LocalBotApi, bot: Settings) -> None:
    # Set by a job, start-up does not wait for it; then English apps' menu is deleted (an
    # official's phone in English reads Spanish: tests/test_phone_language.py).
    await api.wait_for_call("deleteMyCommands", lambda p: p.get("language_code") == "en")
    everyone = [c["command"] for c in api.commands({"type": "all_private_chats"})]
    assert everyone[:1] == ["start"]
    assert {"menu", "privacidad", "mis_datos", "borrar_mis_datos", "ayuda"} <= set(everyone)
    assert "coordinador" not in everyone and "registrados" not in everyone
    assert "perfil" not in everyone  # a newcomer's menu: the profile comes with registering
    assert api.commands({"type": "all_private_chats"}, language_code="en") == []
    spanish = api.commands({"type": "all_private_chats"})
    assert any(c["description"] == "Recorrer el Tool Kit por temas" for c in spanish)
    # The admin from BOT_ADMIN_IDS has never written to the bot: Telegram answers
    # "chat not found", which must not stop Minka (this test running proves it).
    assert api.commands({"type": "chat", "chat_id": ADMIN_ID}) in ([], None)


async def test_admin_takes_a_role_away_even_mid_form_and_cancels_a_waiting_grant(
    api: LocalBotApi, ana: Chatter, admin: Chatter, bot: Settings
) -> None:
    await register(ana)
    (done,) = await admin.say("/coordinador @anaq Puno")
    assert "ahora tiene el rol de coordinador/a (Puno)" in done.text
    await ana.reply()  # the notice of the new role
    _heading, title = await ana.say("/nueva_reunion", 2)
    assert "Paso 1 de" in title.text

    (usage,) = await admin.say("/quitar_rol")
    assert usage.text == "Uso: /quitar_rol <id de Telegram o @usuario>"
    (done,) = await admin.say("/quitar_rol @anaq")
    assert done.text == "Listo: Ana Quispe Mamani ya no tiene el rol de coordinador/a."
    notice = await ana.reply()
    assert "le quitó el rol de coordinador/a" in notice.text
    scoped = [c["command"] for c in api.commands({"type": "chat", "chat_id": ana.id})]
    assert "reunion" not in scoped and "perfil" in scoped

    (stopped,) = await ana.say("Reunión que ya no podrá crear")  # typed into the open form
    assert (
        stopped.text
        == "Ya no tiene el rol que pide este formulario: se detuvo y no se guardó nada."
    )
    (refused,) = await ana.say("/reunion")
    assert refused.text == "Solo los coordinadores pueden hacer eso."
    (nothing,) = await admin.say("/quitar_rol @anaq")
    assert nothing.text == "Ana Quispe Mamani no tiene un rol que quitar."

    (waiting,) = await admin.say("/coordinador 777002 nacional")
    assert "tendrá el rol de coordinador/a (nacional)" in waiting.text
    (cancelled,) = await admin.say("/quitar_rol 777002")
    assert cancelled.text == "Listo: se canceló el rol de coordinador/a que esperaba a 777002."
    newcomer = Chatter(api, 777002, "Luis", last_name="Mamani")
    await register(newcomer)
    (refused,) = await newcomer.say("/indicadores")
    assert refused.text == "Solo los coordinadores pueden hacer eso."
    (configured,) = await admin.say(f"/quitar_rol {ADMIN_ID}")
    assert CONFIGURED_REVOKE in configured.text

    entries = await _audit(bot)
    done_actions = [(e.action, e.target) for e in entries if e.outcome == "done"]
    assert ("revoke_role", str(ana.id)) in done_actions
    assert ("cancel_grant", "777002") in done_actions
    assert any(e.action == "form new_meeting" and e.outcome == "denied" for e in entries)


async def _cli(*args: str) -> int:
    """`python -m bot admin ...` (in a thread: the CLI runs its own event loop); its exit code,
    also when argparse stops it."""
    try:
        return await asyncio.to_thread(main, ["admin", *args])
    except SystemExit as stop:
        return int(stop.code or 0)


async def test_cli_gives_lists_and_takes_away_roles(
    ana: Chatter, bot: Settings, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    await register(ana, region="Cusco")
    monkeypatch.setenv("DATABASE_URL", bot.database_url)
    monkeypatch.setenv("BOT_ADMIN_IDS", str(ADMIN_ID))
    assert await _cli("agregar-coordinador", str(ana.id)) == 2
    assert "falta una de las opciones --region --nacional" in capsys.readouterr().err
    assert await _cli("agregar-coordinador", str(ana.id), "--region", "Narnia") == 2
    assert "No reconozco la región «Narnia»" in capsys.readouterr().err
    code = await _cli("agregar-coordinador", str(ana.id), "--region", "Puno", "--region", "tacna")
    assert code == 0
    assert "Ana Quispe Mamani ahora tiene el rol de coordinador/a (Puno, Tacna)" in (
        capsys.readouterr().out
    )
    (menu,) = await ana.say("/casos")  # the grant, not her profile's Cusco, is what she covers
    await ana.press(menu, "Casos de mis regiones")
    assert "Casos de Puno, Tacna (0)" in (await ana.reply()).text
    (periods,) = await ana.say("/indicadores")
    await ana.press(periods, periods.button_texts()[0])  # any period: its scopes are the point
    scope = await ana.reply()
    assert "Puno" in scope.button_texts() and "Tacna" in scope.button_texts()
    assert len(scope.button_texts()) == 2  # no «Todas las regiones», no Cusco

    assert await _cli("agregar-especialista", "777003") == 0
    assert "777003 tendrá el rol de especialista cuando empiece" in capsys.readouterr().out
    assert await _cli("listar-roles") == 0
    listing = capsys.readouterr().out
    assert f"Administradores (BOT_ADMIN_IDS): {ADMIN_ID}" in listing
    assert any(
        str(ana.id) in line and "Ana Quispe Mamani" in line and "Puno, Tacna" in line
        for line in listing.splitlines()
    ), listing
    assert any("777003" in line and "pendiente" in line for line in listing.splitlines())

    assert await _cli("quitar-rol", "777003") == 0
    assert "se canceló el rol de especialista que esperaba a 777003" in capsys.readouterr().out
    assert await _cli("quitar-rol", str(ana.id)) == 0
    assert "Ana Quispe Mamani ya no tiene el rol de coordinador/a" in capsys.readouterr().out
    assert await _cli("quitar-rol", str(ana.id)) == 1
    assert "no tiene un rol que quitar" in capsys.readouterr().err
    (refused,) = await ana.say("/indicadores")
    assert refused.text == "Solo los coordinadores pueden hacer eso."

    entries = [(e.actor_telegram_id, e.action, e.target) for e in await _audit(bot)]
    for action, target in (
        ("grant_coordinator", str(ana.id)),
        ("grant_specialist", "777003"),
        ("cancel_grant", "777003"),
        ("revoke_role", str(ana.id)),
    ):
        assert (None, action, target) in entries, action


async def test_a_new_coordinators_menu_waits_out_flood_control(
    api: LocalBotApi, ana: Chatter, admin: Chatter
) -> None:
    """The command menu of someone given a role is set after the reply; under Telegram's
    flood control past the rate limiter's retries (429 with retry_after) it is set once
    Telegram allows, instead of the person keeping the menu of their old role."""
    await register(ana)
    api.drain(ana.id)
    api.inject("setMyCommands", Fault.too_many_requests(1), times=5)
    (done,) = await admin.say("/coordinador @anaq Puno")
    assert "ahora tiene el rol de coordinador/a" in done.text
    scope = {"type": "chat", "chat_id": ana.id}
    for _ in range(300):
        if "registrados" in [c["command"] for c in api.commands(scope)]:
            break
        await asyncio.sleep(0.1)
    assert "registrados" in [c["command"] for c in api.commands(scope)]


CONFIGURED_REVOKE = (
    "es administrador/a por la configuración del servidor (BOT_ADMIN_IDS): su rol solo se "
    "cambia allí"
)
AHEAD_ADMIN = 777_004  # in BOT_ADMIN_IDS for the CLI below; never wrote to Minka
CONFIGURED = (
    "es administrador/a por la configuración del servidor (BOT_ADMIN_IDS) y ya puede hacerlo "
    "todo: no se guardó ningún rol. Para darle otro rol, primero hay que retirar su id de "
    "BOT_ADMIN_IDS."
)


async def _stored_for(settings: Settings, telegram_id: int) -> tuple[str | None, int, int]:
    """The person's stored role, the grants waiting for them and the messages owed to them."""
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            role = await session.scalar(
                select(Person.role).where(Person.telegram_id == telegram_id)
            )
            grants = await session.scalar(
                select(func.count()).where(RoleGrant.telegram_id == telegram_id)
            )
            owed = await session.scalar(
                select(func.count()).where(OutboxMessage.chat_id == telegram_id)
            )
    finally:
        await db.dispose()
    return role, grants or 0, owed or 0


async def test_a_configured_administrator_is_given_no_role(
    admin: Chatter, bot: Settings, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """An administrator of BOT_ADMIN_IDS given a role had it stored and announced («Un
    administrador le asignó el rol de especialista») although the configuration overrides it,
    so listings of staff and the audit log told of a specialist or a regional coordinator who
    could in fact do everything. Now it is refused as /quitar_rol is, from the chat and the
    CLI, registered or named ahead: nothing stored, nothing owed, the refusal audited."""
    await register(admin)
    before = await _stored_for(bot, ADMIN_ID)
    (refused,) = await admin.say(f"/especialista {ADMIN_ID}")
    assert refused.text == f"Rosa Huamán {CONFIGURED}"
    (refused,) = await admin.say("/coordinador @rosa_admin Puno")
    assert refused.text == f"Rosa Huamán {CONFIGURED}"
    (configured,) = await admin.say(f"/quitar_rol {ADMIN_ID}")
    assert CONFIGURED_REVOKE in configured.text

    monkeypatch.setenv("DATABASE_URL", bot.database_url)
    monkeypatch.setenv("BOT_ADMIN_IDS", f"{ADMIN_ID},{AHEAD_ADMIN}")
    assert await _cli("agregar-especialista", str(AHEAD_ADMIN)) == 1
    assert f"{AHEAD_ADMIN} {CONFIGURED}" in capsys.readouterr().err
    assert await _cli("agregar-coordinador", str(ADMIN_ID), "--nacional") == 1
    assert f"Rosa Huamán {CONFIGURED}" in capsys.readouterr().err

    assert before[0] == "official" and await _stored_for(bot, ADMIN_ID) == before
    assert await _stored_for(bot, AHEAD_ADMIN) == (None, 0, 0)
    entries = [(e.actor_telegram_id, e.action, e.target, e.outcome) for e in await _audit(bot)]
    assert [entry for entry in entries if entry[1].startswith(("grant_", "revoke_"))] == [
        (ADMIN_ID, "grant_specialist", str(ADMIN_ID), "denied"),
        (ADMIN_ID, "grant_coordinator", str(ADMIN_ID), "denied"),
        (ADMIN_ID, "revoke_role", str(ADMIN_ID), "denied"),
        (None, "grant_specialist", str(AHEAD_ADMIN), "denied"),
        (None, "grant_coordinator", str(ADMIN_ID), "denied"),
    ]
