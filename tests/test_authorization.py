"""Every command and button prefix that needs a role, tried by an official: refused with a
clear Spanish message and written to the audit log. The list comes from the registry, so a
new staff command is covered (and must declare its role) without touching this test."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from telegram.ext import Application

import handlers
from bot.config import Settings
from bot.local_api import BotEvent, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import cases
from bot.services import meetings as meeting_rules
from bot.services.meetings import Audience
from bot.services.roles import Role
from storage.db import Database
from storage.models import AuditEntry, Broadcast, Meeting, Workshop
from storage.repositories import meetings as meeting_repo
from storage.repositories import people
from storage.repositories import workshops as workshop_repo
from tests.chat import Person as Chatter
from tests.helpers import puno_coordinator, register, registered_last_month, registered_official

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
PUBLIC_BUTTONS = {
    "ask", "consent", "cs", "kb", "menu", "mt", "nc", "priv", "prof", "rate", "reg", "rep"
}  # fmt: skip


def test_staff_forms_check_the_role_again_on_every_message() -> None:
    """Typed answers skip the command/button role check, so staff forms declare their role."""
    for feature in handlers.FEATURES:
        roles = {c.role for c in feature.commands} | {b.role for b in feature.buttons}
        if feature.forms and None not in roles:
            assert feature.forms_role is not None, sorted(feature.forms)


def test_nothing_is_public_by_accident() -> None:
    assert {c.name for c in handlers.all_commands() if c.role is None} == PUBLIC_COMMANDS
    assert {b.prefix for b in handlers.all_buttons() if b.role is None} == PUBLIC_BUTTONS


# --- Scope: a regional coordinator sees and changes only the regions an admin granted ----------

OUT_OF_SCOPE = "Eso pertenece a una región que usted no coordina."
NOT_YOUR_REGION = "Usted no coordina esa región."
CREATE_ELSEWHERE = (
    "Solo puede invitar o escribir a las personas de las regiones que coordina: elija «Una "
    "región» y una de las suyas. No se creó ni se envió nada."
)
WORKSHOP_ELSEWHERE = "Solo puede crear talleres en las regiones que coordina. No se creó el taller."
NOT_YOUR_CASE = "Ese caso no existe o no está entre los casos que usted puede ver."
YEAR = "20260101-20261231"


async def _grant(admin: Chatter, who: str, scope: str) -> None:
    """An admin names a coordinator with the regions they will cover (or «nacional»)."""
    (done,) = await admin.say(f"/coordinador {who} {scope}")
    assert done.text.startswith("Listo"), done.text


async def _cusco_and_puno(
    runtime: Runtime, app: Application, invited: Chatter | None = None
) -> dict[str, Any]:
    """Luis (Cusco) with a case, a Cusco workshop and a meeting inviting Cusco; a Puno workshop
    and a Puno meeting. Returns their ids and codes. The invitations are sent now (the outbox
    also wakes for role notices, so they would otherwise arrive amid the test's replies);
    `invited`, registered in one of the two regions, gets theirs: the message and its .ics."""
    now = runtime.clock.now()
    starts = now + timedelta(days=10)
    async with runtime.db.session() as session:
        luis = await registered_official(session, 5101, "Luis Mamani")
        await people.update(session, 5101, full_name="Luis Mamani", region_code="cusco")
        case = await cases.create(
            session,
            person_id=luis,
            region_code="cusco",
            province=None,
            kind="other",
            stratum="ppm",
            supported=True,
            description="Denuncia de Juan Pérez, DNI 41234567",
            step=None,
            now=now,
        )
        made = {}
        for region in ("cusco", "puno"):
            workshop = await workshop_repo.create(
                session,
                code=f"T{region[:3].upper()}2",
                title=f"Taller en {region}",
                starts_at=starts,
                ends_at=starts + timedelta(hours=4),
                survey_closes_at=starts + timedelta(days=7),
                region_code=region,
            )
            meeting, _count = await meeting_rules.create(
                session,
                title=f"Reunión {region}",
                kind="coordinacion",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                audience=Audience(regions={region}),
                offsets=[],
                now=now,
            )
            made[region] = (workshop, meeting)
    await tick(app)
    if invited is not None:
        await invited.replies(2)
    return {"case": case.id, **made}


async def test_regional_coordinator_is_refused_other_regions_everything(
    api: LocalBotApi, app: Application, runtime: Runtime, admin: Chatter, bot: Settings
) -> None:
    """Matrix: a Puno coordinator × Cusco's case, meeting, workshop and indicators."""
    carla = await puno_coordinator(api, admin)
    made = await _cusco_and_puno(runtime, app, carla)
    cusco_workshop, cusco_meeting = made["cusco"]
    puno_workshop, puno_meeting = made["puno"]

    (menu,) = await carla.say("/casos")
    answer = await carla.press_forged(menu, f"cs:view:{made['case']}")
    assert answer["text"] == NOT_YOUR_CASE
    await registered_last_month(runtime)  # /registrados reads the latest month's end
    (counts,) = await carla.say("/registrados")
    assert "Puno" in counts.text and "Cusco" not in counts.text

    (listing,) = await carla.say("/taller")
    assert puno_workshop.code in listing.text and cusco_workshop.code not in listing.text
    (refused,) = await carla.say(f"/taller {cusco_workshop.code}")
    assert refused.text == OUT_OF_SCOPE
    (report,) = await carla.say(f"/taller {puno_workshop.code}")
    assert "Taller en puno" in report.text  # her own region's workshop she does see
    for data in (f"ws:xlsx:{cusco_workshop.id}", f"ws:qr:{cusco_workshop.id}"):
        answer = await carla.press_forged(report, data)
        assert answer["text"] == OUT_OF_SCOPE, data

    (listing,) = await carla.say("/reunion")
    assert puno_meeting.code in listing.text and cusco_meeting.code not in listing.text
    (refused,) = await carla.say(f"/reunion {cusco_meeting.code}")
    assert refused.text == OUT_OF_SCOPE
    (report,) = await carla.say(f"/reunion {puno_meeting.code}")
    assert "Reunión puno" in report.text
    m = cusco_meeting.id
    for data in (
        f"ma:view:{m}", f"ma:xlsx:{m}", f"ma:qr:{m}", f"ma:att:{m}:0", f"ma:tog:{m}:1:0",
        f"ma:agr:{m}", f"ma:edit:{m}", f"ma:cancel:{m}", f"ma:cancelok:{m}",
    ):  # fmt: skip
        answer = await carla.press_forged(report, data)
        assert answer["text"] == OUT_OF_SCOPE, data

    for region in ("cusco", "all"):
        answer = await carla.press_forged(report, f"ind:go:{YEAR}:{region}")
        assert answer["text"] == NOT_YOUR_REGION, region
    assert carla.no_more() == []

    async with runtime.db.session() as session:
        still = await meeting_repo.get(session, cusco_meeting.id)
        assert still is not None and still.status == "scheduled"
    denied = await _denied(bot, carla.id)
    assert denied.count("scope") == 14 and denied.count("indicators") == 2


async def test_changing_the_profile_region_does_not_widen_coverage(
    api: LocalBotApi, app: Application, runtime: Runtime, admin: Chatter, bot: Settings
) -> None:
    """The attack: a Puno coordinator sets their /perfil region to MINEM's central level."""
    carla = await puno_coordinator(api, admin)
    made = await _cusco_and_puno(runtime, app, carla)
    (profile,) = await carla.say("/perfil")
    await carla.press(profile, "Región")
    await carla.reply()
    await carla.send("MINEM")
    *_saved, updated = await carla.replies(3)
    assert "Región: MINEM (nivel central)" in updated.text

    (menu,) = await carla.say("/casos")
    await carla.press(menu, "Casos de mis regiones")
    listing = await carla.reply()
    assert "Casos de Puno (0)" in listing.text, listing.text
    answer = await carla.press_forged(listing, f"cs:view:{made['case']}")
    assert answer["text"] == NOT_YOUR_CASE
    (refused,) = await carla.say(f"/reunion {made['cusco'][1].code}")
    assert refused.text == OUT_OF_SCOPE
    for region in ("cusco", "all"):
        answer = await carla.press_forged(listing, f"ind:go:{YEAR}:{region}")
        assert answer["text"] == NOT_YOUR_REGION, region


async def test_a_coordinator_granted_before_registering_gets_only_the_grant(
    api: LocalBotApi, app: Application, runtime: Runtime, admin: Chatter, bot: Settings
) -> None:
    """Between accepting the notice and choosing a region (and after choosing another region
    than the granted one) nobody gets all regions."""
    await _grant(admin, "5002", "Puno")
    early = Chatter(api, 5002, "Pedro", last_name="Condori")
    _greeting, notice = await early.say("/start", 2)
    await early.press(notice, "Acepto")
    early.no_more()
    for region in ("all", "cusco"):
        answer = await early.press_forged(notice, f"ind:go:{YEAR}:{region}")
        assert answer["text"] == NOT_YOUR_REGION, region

    await _grant(admin, "5003", "Puno")
    later = Chatter(api, 5003, "Luz", last_name="Ramos")
    await register(later, region="Cusco")
    made = await _cusco_and_puno(runtime, app, later)
    (menu,) = await later.say("/casos")
    await later.press(menu, "Casos de mis regiones")
    listing = await later.reply()
    assert "Casos de Puno (0)" in listing.text, listing.text
    answer = await later.press_forged(listing, f"cs:view:{made['case']}")
    assert answer["text"] == NOT_YOUR_CASE
    answer = await later.press_forged(listing, f"ind:go:{YEAR}:cusco")
    assert answer["text"] == NOT_YOUR_REGION


async def test_a_regional_coordinator_creates_and_writes_only_within_their_regions(
    api: LocalBotApi, app: Application, runtime: Runtime, admin: Chatter, bot: Settings
) -> None:
    """/difundir to everyone, to another region or to another region's workshop, a meeting
    for everyone, and a workshop outside her regions (offered only hers; checked again when
    confirmed): refused, nothing created or sent."""
    carla = await puno_coordinator(api, admin)
    made = await _cusco_and_puno(runtime, app, carla)
    cusco_workshop = made["cusco"][0]

    async def broadcast(choice: str, answer: str | None) -> BotEvent:
        await carla.say("/difundir", 2)
        await carla.send("Aviso para todos")
        await carla.choose(await carla.reply(), choice)
        if answer is not None:
            await carla.reply()
            await carla.send(answer)
        return await carla.reply()

    when = await broadcast("Todas las personas", None)
    await carla.choose(when, "Ahora")
    _preview, summary = await carla.replies(2)
    await carla.press(summary, "Enviar")
    assert (await carla.reply()).text == CREATE_ELSEWHERE
    refused = await broadcast("Una región", "Cusco")  # only her regions are offered
    assert refused.text == "Elija la región con los botones, por favor."
    region = await carla.reply()
    assert "Puno" in region.button_texts()
    assert not {"Cusco", "Nacional / virtual"} & set(region.button_texts())
    for data in ("bc:audience_region:cusco", "bc:audience_region:-"):
        answer = await carla.press_forged(region, data)
        assert answer["text"] == "Ese botón ya no está vigente.", data
    await carla.say("/cancelar", 2)  # «Cancelado» and the menu
    unknown = await broadcast("Participantes de un taller", cusco_workshop.code)
    assert f"No encontré nada con el código «{cusco_workshop.code}»" in unknown.text
    await carla.say("/cancelar", 2)

    async def answer(question: BotEvent, answers: list[str | None]) -> BotEvent:
        """Answer a guided form: a text is typed, None presses «Omitir», «=label» a button."""
        for typed in answers:
            if typed is None:
                await carla.choose(question, "Omitir")
            elif typed.startswith("="):
                await carla.choose(question, typed[1:])
            else:
                await carla.send(typed)
            question = await carla.reply()
        return question

    _intro, title = await carla.say("/nuevo_taller", 2)
    region = await answer(title, ["Taller", None, "3/12/2099 9:00", "4h"])
    assert "Puno" in region.button_texts()
    assert not {"Cusco", "Nacional / virtual"} & set(region.button_texts())
    for data in ("nw:region:cusco", "nw:region:-"):
        answer_ = await carla.press_forged(region, data)
        assert answer_["text"] == "Ese botón ya no está vigente.", data
    summary = await answer(region, ["=Puno", None, None, None, None])
    await _grant(admin, "@carla_puno", "Cusco")  # her coverage changes before she confirms
    await carla.reply()
    await carla.press(summary, "Crear taller")
    assert (await carla.reply()).text == WORKSHOP_ELSEWHERE
    await _grant(admin, "@carla_puno", "Puno")
    await carla.reply()

    _intro, title = await carla.say("/nueva_reunion", 2)
    meeting = ["Reunión nacional", "=Coordinación", "3/12/2099 9:00", "2h", None, None, None]
    summary = await answer(title, [*meeting, "=Todas las personas"])
    await carla.press(summary, "Crear e invitar")
    assert (await carla.reply()).text == CREATE_ELSEWHERE

    async with runtime.db.session() as session:
        assert await session.scalar(select(func.count(Broadcast.id))) == 0
        assert await session.scalar(select(func.count(Workshop.id))) == 2  # only the seeded ones
        assert await session.scalar(select(func.count(Meeting.id))) == 2
    assert (await _denied(bot, carla.id)).count("scope") == 3
