"""End to end: check-in by deep link before registration, the survey after the end (time is
moved forward, never slept), changing a rating, one reminder, results, forged buttons."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from telegram.ext import Application

from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services.workshops import SURVEY_OPEN_FOR
from storage.models import OutboxMessage, WorkshopAttendance, WorkshopRating
from storage.repositories import workshops as repo
from storage.repositories.workshops import WorkshopRecord
from tests.chat import WORKBOOK_WAIT
from tests.chat import Person as Chatter
from tests.helpers import accept_and_register, rate_workshop, register

CODE = "K7M2QX"


async def _workshop(runtime: Runtime, *, starts_in: timedelta, hours: float = 1) -> WorkshopRecord:
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        return await repo.create(
            session,
            code=CODE,
            title="Formalización minera para funcionarios regionales",
            topic="Formalización",
            starts_at=now + starts_in,
            ends_at=now + starts_in + timedelta(hours=hours),
            survey_closes_at=now + starts_in + timedelta(hours=hours) + SURVEY_OPEN_FOR,
            region_code="puno",
            place="Auditorio de la DREM Puno",
            facilitator="Equipo Regional",
        )


async def _count(runtime: Runtime, model: type, **where: object) -> int:
    async with runtime.db.session() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return await session.scalar(query) or 0


async def test_deep_link_check_in_before_registration_then_survey(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    workshop = await _workshop(runtime, starts_in=timedelta(minutes=-30))
    luz = Chatter(api, 5001, "Luz", last_name="Condori")
    greeting, notice = await luz.say(f"/start taller-{CODE}", 2)
    assert "¡Hola, Luz!" in greeting.text
    assert "registrar su asistencia" in notice.text
    await accept_and_register(luz, notice)
    done, checked_in = await luz.replies(2)
    assert "Registro completo" in done.text
    assert checked_in.text.startswith("✅ Asistencia registrada: «Formalización minera")
    assert await _count(runtime, WorkshopAttendance, workshop_id=workshop.id) == 1

    ana = Chatter(api, 5002, "Ana", last_name="Quispe")
    await register(ana)
    (first,) = await ana.say(f"/asistencia {CODE.lower()}")
    assert first.text.startswith("✅ Asistencia registrada")
    (again,) = await ana.say(f"/asistencia {CODE}")
    assert "ya estaba registrada" in again.text
    (wrong,) = await ana.say("/asistencia ZZZZZZ")
    assert "No encontré un taller con el código «ZZZZZZ»" in wrong.text
    assert await _count(runtime, WorkshopAttendance, workshop_id=workshop.id) == 2

    (nothing,) = await ana.say("/calificar")
    assert "No tiene encuestas" in nothing.text
    assert await tick(app) == 0  # not ended: no survey yet

    runtime.clock.advance(timedelta(minutes=31))  # the workshop has ended
    assert await tick(app) == 2
    survey = await ana.reply()
    assert "Encuesta del taller" in survey.text
    assert survey.button_texts() == ["1", "2", "3", "4", "5"]
    luz_survey = await luz.reply()
    assert "Encuesta del taller" in luz_survey.text
    assert await tick(app) == 0  # nothing is sent twice

    for value in ("5", "4", "4", "5", "3"):
        await ana.press(survey, value)
        survey = await ana.reply()
    assert "comentario" in survey.text
    await ana.send("Muy útil para <mi trabajo> & la DREM")
    thanks = await ana.reply()
    assert "¡Gracias! Su calificación de «Formalización minera" in thanks.text
    assert "Calificación general: 5" in thanks.text and "Organización: 3" in thanks.text

    await ana.press(thanks, "Cambiar mi calificación")
    question = await ana.reply()
    await ana.press(question, "2")
    for value in ("2", "2", "2", "2"):
        question = await ana.reply()
        await ana.press(question, value)
    skip = await ana.reply()
    await ana.press(skip, "Omitir")
    changed = await ana.reply()
    assert "Calificación general: 2" in changed.text
    assert await _count(runtime, WorkshopRating, workshop_id=workshop.id) == 1

    runtime.clock.advance(timedelta(hours=24))  # one reminder, to Luz only
    assert await tick(app) == 1
    reminder = await luz.reply()
    assert "Aún no calificó" in reminder.text
    assert await tick(app) == 0
    assert api.drain(ana.id) == []

    runtime.clock.advance(SURVEY_OPEN_FOR)  # the survey closes: everyone sees the results
    assert await tick(app) == 2
    results = await ana.reply()
    assert "cerró con 1 respuesta" in results.text
    await luz.reply()
    answer = await luz.press(reminder, "Calificar ahora")
    assert answer["text"] == "La encuesta de este taller ya cerró."
    assert await _count(runtime, OutboxMessage) == 5


async def test_rating_rules_and_forged_buttons(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    workshop = await _workshop(runtime, starts_in=timedelta(minutes=10))
    ana = Chatter(api, 5002, "Ana", last_name="Quispe")
    await register(ana)
    (early,) = await ana.say(f"/asistencia {CODE}")
    assert early.text.startswith("✅ Asistencia registrada")
    (menu,) = await ana.say("/menu")
    answer = await ana.press_forged(menu, f"rate:{workshop.id}:overall:5")
    assert answer["text"] == "Podrá calificar el taller cuando haya terminado."

    intruder = Chatter(api, 5003, "Otro")
    await register(intruder)
    (menu,) = await intruder.say("/menu")
    answer = await intruder.press_forged(menu, f"rate:{workshop.id}:overall:1")
    assert answer["text"] == "Solo quienes asistieron al taller pueden calificarlo."
    assert await _count(runtime, WorkshopRating) == 0

    runtime.clock.advance(timedelta(hours=2))
    (late,) = await intruder.say(f"/asistencia {CODE}")  # after the end: survey at once
    assert "La encuesta llega ahora" in late.text
    survey = await intruder.reply()
    assert "Encuesta del taller" in survey.text
    answer = await intruder.press_forged(survey, f"rate:{workshop.id}:overall:9")
    assert answer["text"] == "Ese botón ya no está vigente."

    runtime.clock.advance(timedelta(hours=30))
    (closed,) = await intruder.say(f"/asistencia {CODE}")
    assert "ya estaba registrada" in closed.text
    newcomer = Chatter(api, 5004, "Nuevo")
    await register(newcomer)
    (closed,) = await newcomer.say(f"/asistencia {CODE}")
    assert "cerró 24 horas después" in closed.text


async def test_coordinator_creates_a_workshop_and_reads_its_report(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    from tests.conftest import ADMIN_ID

    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    intro, title = await rosa.say("/nuevo_taller", 2)
    assert "Nuevo taller" in intro.text and "Paso 1 de 9" in title.text
    await rosa.send("Cierre de minas para la pequeña minería")
    topic = await rosa.reply()
    await rosa.choose(topic, "Omitir")
    start = await rosa.reply()
    await rosa.send("3/12/2099 25:00")
    assert "No pude leer esa fecha" in (await rosa.reply()).text
    await rosa.send("3/12/2099 9:00")
    end = await rosa.reply()
    await rosa.send("8:00")
    assert "después del inicio" in (await rosa.reply()).text
    await rosa.send("4h")
    region = await rosa.reply()
    await rosa.send("moquegua")
    place = await rosa.reply()
    await rosa.send("https://meet.example.org/cierre")
    await rosa.send("Equipo Regional Moquegua")
    capacity = await rosa.replies(2)
    await rosa.send("cuarenta")
    assert "número entero" in (await rosa.reply()).text
    await rosa.send("40")
    material = await rosa.reply()
    await rosa.choose(material, "Omitir")  # no material (tests/test_materials.py sends one)
    summary = await rosa.reply()
    assert "Revise, por favor" in summary.text
    assert "Inicio: jueves 3 de diciembre de 2099, 09:00" in summary.text
    assert "Fin: jueves 3 de diciembre de 2099, 13:00" in summary.text
    assert "Región: Moquegua" in summary.text and "Tema: —" in summary.text
    assert "Material: —" in summary.text
    await rosa.press(summary, "Crear taller")
    created = await rosa.reply()
    assert "Taller creado" in created.text
    assert "https://t.me/minka_test_bot?start=taller-" in created.text
    qr = await rosa.reply()
    assert qr.method == "sendPhoto" and "Código QR" in qr.text
    assert api.files[qr.params["file_id"]].startswith(b"\x89PNG")
    assert [e.text for e in (start, end, region, place, *capacity)]  # every step was asked

    async with runtime.db.session() as session:
        workshops = await repo.list_all(session)
    assert len(workshops) == 1 and workshops[0].region_code == "moquegua"
    code = workshops[0].code
    assert all(ch not in code for ch in "01OIL")

    # Four people attend and rate: the man's cell is hidden, and so is the women's, which beside
    # the total would give his rating (4 × 3.5 − 3 × 4.0 = 2).
    runtime.clock.advance(workshops[0].starts_at - runtime.clock.now())
    people = []
    for number, sex in enumerate(["Mujer", "Mujer", "Mujer", "Hombre"]):
        person = Chatter(api, 6100 + number, f"Persona{number}")
        await register(person, region="Puno", sex=sex)
        await person.say(f"/asistencia {code}")
        people.append(person)
    runtime.clock.advance(timedelta(hours=5))
    assert await tick(app) == 4
    for person, score in zip(people, ["5", "4", "3", "2"], strict=True):
        await rate_workshop(person, score)

    (open_report,) = await rosa.say(f"/taller {code.lower()}")
    assert (
        "Respuestas: 4" in open_report.text and "Calificación general: <b>—</b>" in open_report.html
    )
    assert "Las respuestas se muestran cuando cierra la encuesta" in open_report.text
    runtime.clock.advance(SURVEY_OPEN_FOR)  # closed: the answers are shown
    (report,) = await rosa.say(f"/taller {code.lower()}")
    es, scores = translator("es", runtime.settings.timezone), [5, 4, 3, 2]
    rate = es.share(len(scores) / len(people), 0)
    assert f"Asistentes: 4 · Respuestas: 4 · Tasa de respuesta: {rate}" in report.text
    assert f"Calificación general: <b>{es.number(sum(scores) / len(scores), 1)}</b>" in report.html
    # «Hombre: — (1)» told the one man's response: no breakdown by sex.
    assert "Mujer" not in report.text and "Hombre" not in report.text
    await rosa.press(report, "Descargar XLSX")
    document = await rosa.reply(WORKBOOK_WAIT)
    assert document.method == "sendDocument"
    assert api.files[document.params["file_id"]][:2] == b"PK"

    (listing,) = await rosa.say("/talleres")
    assert f"{code} Cierre de minas para la pequeña minería" in listing.text
    assert "(4 · 4)" in listing.text
    official = people[0]
    (mine,) = await official.say("/talleres")
    assert "Talleres a los que asistió" in mine.text and "Cierre de minas" in mine.text
    assert "(4 · 4)" not in mine.text
    (refused,) = await official.say(f"/taller {code}")
    assert refused.text == "Solo los coordinadores pueden hacer eso."
    answer = await official.press_forged(refused, "ws:xlsx:1")
    assert answer["text"] == "Solo los coordinadores pueden hacer eso."


async def test_junk_for_a_code_before_registration_still_gets_the_notice(
    api: LocalBotApi, app: Application
) -> None:
    """Found by the replicas storm: the typed code rode in the consent button, and junk
    longer than Telegram's 64 bytes of callback data raised instead of answering. A possible
    (mistyped) code still rides along, to be checked after registration."""
    luz = Chatter(api, 5003, "Luz")
    (notice,) = await luz.say("/asistencia 9999999999999999999999<SCRIPT>Ę")
    assert "registrar su asistencia" in notice.text
    assert notice.find_button("Acepto")["callback_data"] == "consent:yes"
    (typo,) = await luz.say("/asistencia k7m2ql")
    assert typo.find_button("Acepto")["callback_data"] == "consent:yes:taller-K7M2QL"
