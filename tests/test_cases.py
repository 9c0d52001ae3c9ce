"""End to end: the case register. A formalization case registered with buttons and a typed
province (with a typo), followed in «Mis casos» (open → in progress → resolved with notes, the
step updated, the history with who and when), the form abandoned or cancelled (nothing saved),
validation messages, forged buttons refused, and what coordinators of a region or of MINEM see.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.i18n import translator
from bot.local_api import BotEvent, LocalBotApi
from bot.runtime import Runtime
from bot.services import cases as rules
from storage.models import Case, CaseEvent, ConversationState
from storage.repositories import people
from tests.chat import Person as Chatter
from tests.helpers import register
from tests.test_case_rules import PIURA, _fields

LIMA = translator("es", ZoneInfo("America/Lima"))
NOT_YOURS = "Ese caso no existe o no está entre los casos que usted puede ver."


async def _count(runtime: Runtime, model: type) -> int:
    async with runtime.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def _open_form(person: Chatter) -> BotEvent:
    (menu,) = await person.say("/casos")
    await person.press(menu, "Registrar caso")
    heading, question = await person.replies(2)
    assert "Registrar caso" in heading.text and "Paso 1 de 7" in question.text
    return question


async def _case(runtime: Runtime, telegram_id: int, **changes: object) -> int:
    """A case registered directly through the rules (setup for the permission tests)."""
    async with runtime.db.session() as session:
        person = await people.get(session, telegram_id)
        assert person is not None
        fields = _fields(person.id, now=runtime.clock.now(), **changes)
        return (await rules.create(session, **fields)).id


async def test_register_follow_and_resolve_a_formalization_case(
    api: LocalBotApi, runtime: Runtime
) -> None:
    ana = Chatter(api, 7001, "Ana", last_name="Quispe")
    await register(ana, region="Puno")

    (menu,) = await ana.say("/casos")
    assert menu.button_texts() == ["📝 Registrar caso", "📁 Mis casos", "« Menú principal"]
    kind = await _open_form(ana)
    await ana.send("una mina")  # not one of the choices
    problem, kind = await ana.replies(2)
    assert problem.text == "Responda con uno de los botones, por favor."
    await ana.choose(kind, "Formalización")
    region = await ana.reply()
    assert region.button_texts()[0] == "📍 Puno (su región)"
    assert not any("Nacional" in b or "MINEM" in b for b in region.button_texts())
    await ana.choose(region, "su región")
    province = await ana.reply()
    assert {"Azángaro", "San Román", "Omitir"} <= set(province.button_texts())
    await ana.send("Azangaroo")  # a typo, without the accent
    await ana.choose(await ana.reply(), "proceso de formalización")
    await ana.choose(await ana.reply(), "Sí")
    await ana.reply()
    await ana.send("x" * 501)
    assert (await ana.reply()).text == "Escriba entre 1 y 500 caracteres, por favor."
    await ana.send("Minero de Ananea pide orientación para su IGAFOM <correctivo>")
    await ana.choose(await ana.reply(), "REINFO")
    summary = await ana.reply()
    for line in (
        "Tipo: Formalización",
        "Región: Puno",
        "Provincia: Azángaro",
        "Estrato: Minero en proceso de formalización",
        "Apoyo del Equipo Regional: Sí",
        "Paso de formalización: Inscripción en el REINFO",
        "IGAFOM <correctivo>",
    ):
        assert line in summary.text, line
    assert await _count(runtime, Case) == 0  # nothing stored before confirming
    await ana.press(summary, "Registrar el caso")
    saved = await ana.reply()
    async with runtime.db.session() as session:
        case = await session.scalar(select(Case))
        assert case is not None
    assert f"Caso N.º {case.id} registrado" in saved.text
    assert (case.region_code, case.province, case.kind) == ("puno", "Azángaro", "formalization")
    assert (case.stratum, case.supported, case.status) == ("in_formalization", True, "open")
    assert case.formalization_step == "reinfo"

    (menu,) = await ana.say("/menu")
    await ana.press(menu, "Mis casos")
    listing = await ana.reply()
    assert "Mis casos (1)" in listing.text
    await ana.press(listing, f"#{case.id} ")
    view = await ana.reply()
    assert f"Caso N.º {case.id}" in view.text and "Estado: 🆕 Abierto" in view.text
    assert "registrado por Ana Quispe" in view.text
    assert view.button_texts()[:3] == ["➡️ En trámite", "➡️ Archivado", "🔄 Actualizar paso"]

    runtime.clock.advance(timedelta(hours=2))
    await ana.press(view, "En trámite")
    prompt = await ana.reply()
    assert "«Abierto» → «En trámite»" in prompt.text
    (refused,) = await ana.say("y" * 501)
    assert refused.text == "La nota debe tener entre 1 y 500 caracteres."
    (view,) = await ana.say("Expediente recibido en la DREM")
    assert "ahora está «En trámite»" in view.text and "Expediente recibido" in view.text
    assert "➡️ Resuelto" in view.button_texts()

    await ana.press(view, "Actualizar paso")
    steps = await ana.reply()
    assert "✓ Inscripción en el REINFO" in steps.button_texts()
    answer = await ana.press(steps, "Instrumento ambiental")
    assert answer["text"] == "Guardado."
    view = await ana.reply()
    assert "Paso de formalización: Instrumento ambiental (IGAFOM/IGAC)" in view.text

    runtime.clock.advance(timedelta(days=3))
    await ana.press(view, "Resuelto")
    await ana.reply()
    await ana.send("IGAFOM aprobado")
    view = await ana.reply()
    assert "Estado: ✅ Resuelto" in view.text
    assert "IGAFOM aprobado" in view.text and "Expediente recibido en la DREM" in view.text
    assert view.button_texts() == ["« Mis casos"]  # closed: no more changes, no step
    answer = await ana.press_forged(view, f"cs:setstep:{case.id}:formalized")
    assert (
        answer["text"] == "Solo los casos de formalización abiertos tienen un paso que actualizar."
    )
    answer = await ana.press_forged(view, f"cs:status:{case.id}:archived")
    assert answer["text"] == "Ese cambio de estado no es posible para este caso."

    async with runtime.db.session() as session:
        events = list(await session.scalars(select(CaseEvent).order_by(CaseEvent.id)))
        stored = await session.get(Case, case.id)
    assert [(e.kind, e.from_value, e.to_value, e.note) for e in events] == [
        ("created", None, "open", None),
        ("status", "open", "in_progress", "Expediente recibido en la DREM"),
        ("step", "reinfo", "environmental_instrument", None),
        ("status", "in_progress", "resolved", "IGAFOM aprobado"),
    ]
    assert stored is not None and stored.closed_at == events[-1].at
    # The history, in Lima time, with who made each change.
    assert f"{LIMA.datetime(events[1].at)}: «Abierto» → «En trámite», por Ana Quispe" in view.text
    assert f"{LIMA.datetime(events[3].at)}: «En trámite» → «Resuelto», por Ana" in view.text
    assert events[3].at - events[1].at > timedelta(days=3)


async def test_cancelled_or_abandoned_forms_save_nothing(
    api: LocalBotApi, runtime: Runtime
) -> None:
    ana = Chatter(api, 7001, "Ana", last_name="Quispe")
    await register(ana, region="Lima")
    kind = await _open_form(ana)
    await ana.choose(kind, "Conflicto social")
    region = await ana.reply()
    await ana.send("piura")
    province = await ana.reply()
    assert "Sullana" in province.button_texts()
    await ana.send("Provincia desconocida")
    problem, province = await ana.replies(2)
    assert problem.text == "Responda con uno de los botones, por favor."
    (cancelled, _menu) = await ana.say("/cancelar", 2)
    assert "Cancelado" in cancelled.text
    assert await _count(runtime, ConversationState) == 0
    answer = await ana.press(province, "Sullana")
    assert answer["text"] == "Ese botón ya no está vigente."
    assert region.button_texts()[0] == "📍 Lima (Gobierno Regional) (su región)"

    kind = await _open_form(ana)
    await ana.choose(kind, "Consulta técnica")
    region = await ana.reply()
    await ana.choose(region, "su región")
    province = await ana.reply()
    assert "Huarochirí" in province.button_texts() and "Lima" not in province.button_texts()
    await ana.choose(province, "Omitir")
    stratum = await ana.reply()
    await ana.press(stratum, "Cancelar")
    assert (await ana.reply()).text == "Cancelado. No se registró ningún caso."

    kind = await _open_form(ana)
    await ana.choose(kind, "Promoción")
    await ana.reply()
    await ana.say("/reuniones")  # walks away: the form stays unanswered
    assert await _count(runtime, Case) == 0 and await _count(runtime, CaseEvent) == 0


async def test_forged_buttons_and_what_coordinators_see(api: LocalBotApi, runtime: Runtime) -> None:
    ana = Chatter(api, 7001, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    luis = Chatter(api, 7002, "Luis", last_name="Mamani")
    await register(luis, region="Piura", sex="Hombre")
    carla = Chatter(api, 7003, "Carla", last_name="Apaza")
    await register(carla, region="Puno")
    rosa = Chatter(api, 7004, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    puno = await _case(runtime, ana.id, step="concession")
    piura = await _case(runtime, luis.id, description="Operativo en Sullana", **PIURA)
    async with runtime.db.session() as session:
        # Puno's, and a national one (granted by an admin, whatever their profile says)
        for coordinator, granted in ((carla, "puno"), (rosa, "*")):
            await people.set_role(session, coordinator.id, "coordinator", granted)

    (menu,) = await luis.say("/casos")
    for data in (f"cs:view:{puno}", f"cs:status:{puno}:in_progress", f"cs:step:{puno}"):
        answer = await luis.press_forged(menu, data)
        assert answer["text"] == NOT_YOURS, data
    for data in ("cs:view:99999", "cs:view:²", "cs:view:" + "9" * 30, "cs:mine:" + "9" * 30):
        answer = await luis.press_forged(menu, data)  # no such case; not even a number
        assert answer.get("text") in (NOT_YOURS, "Ese botón ya no está vigente."), data
    answer = await luis.press_forged(menu, "cs:regions:0")
    assert answer["text"] == "Solo los coordinadores pueden hacer eso."
    assert api.drain(luis.id) == []

    (menu,) = await carla.say("/casos")
    await carla.press(menu, "Casos de mis regiones")
    listing = await carla.reply()
    assert "Casos de Puno (1)" in listing.text
    assert any(t.startswith(f"#{puno} ") for t in listing.button_texts())
    assert not any(t.startswith(f"#{piura} ") for t in listing.button_texts())
    answer = await carla.press_forged(listing, f"cs:view:{piura}")
    assert answer["text"] == NOT_YOURS
    await carla.press(listing, f"#{puno} ")
    view = await carla.reply()
    assert "Provincia: Sandia" in view.text and "registrado por Ana Quispe" in view.text
    assert "« Casos de mis regiones" in view.button_texts()
    await carla.press(view, "Archivado")
    await carla.reply()
    await carla.send("Registrado por error")
    view = await carla.reply()
    assert "«Abierto» → «Archivado», por Carla Apaza" in view.text

    (menu,) = await ana.say("/casos")  # Ana sees the change made by her coordinator
    await ana.press(menu, "Mis casos")
    mine = await ana.reply()
    assert f"#{puno} 🗄" in " ".join(mine.button_texts())

    (menu,) = await rosa.say("/casos")
    await rosa.press(menu, "Casos de mis regiones")
    listing = await rosa.reply()
    assert "Casos de todas las regiones (2)" in listing.text
    labels = " ".join(listing.button_texts())
    assert f"#{puno} " in labels and f"#{piura} " in labels
    await rosa.press(listing, f"#{piura} ")
    assert "Operativo en Sullana" in (await rosa.reply()).text
