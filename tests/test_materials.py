"""End to end: `python -m bot talleres material`, or the file a coordinator sends in
/nuevo_taller's last step, adds a material to a workshop; the participants
who checked in get the materials with the survey when it ends and later in /talleres; the
file is uploaded once and then sent by Telegram's file_id; each receiver counted once; someone
who did not attend is refused."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from telegram.ext import Application

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from storage.models import AuditEntry, MaterialDelivery
from storage.repositories import workshops as repo
from tests.chat import Person as Chatter
from tests.cli import cli
from tests.helpers import register
from tests.test_workshops import CODE, _workshop

SLIDES = b"PK\x03\x04 presentation of the workshop"


async def _delivered(runtime: Runtime, expected: int) -> int:
    """Deliveries are written just after Telegram accepted the file: wait for them."""
    found = 0
    for _attempt in range(100):
        async with runtime.db.session() as session:
            found = await session.scalar(select(func.count()).select_from(MaterialDelivery)) or 0
        if found >= expected:
            break
        await asyncio.sleep(0.05)
    return found


async def test_materials_with_the_survey_and_from_talleres(
    api: LocalBotApi, app: Application, bot: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    await _workshop(runtime, starts_in=timedelta(minutes=-30))
    ana = Chatter(api, 5002, "Ana", last_name="Quispe")
    await register(ana)
    await ana.say(f"/asistencia {CODE}")
    eva = Chatter(api, 5003, "Eva", last_name="Ccori")  # registered, did not attend
    await register(eva)
    slides = tmp_path / "formalizacion.pptx"
    slides.write_bytes(SLIDES)
    added = await cli(
        "talleres", "material", CODE, str(slides), database_url=bot.database_url, cwd=tmp_path
    )
    assert added.returncode == 0 and "Material «formalizacion.pptx» agregado" in added.stdout

    runtime.clock.advance(timedelta(hours=1))  # the workshop ends: survey and materials
    assert await tick(app) == 2
    survey, materials = await ana.replies(2)
    assert "Encuesta del taller" in survey.text
    assert "Materiales del taller" in materials.text
    assert materials.button_texts() == ["📎 formalizacion.pptx"]
    await ana.press(materials, "formalizacion.pptx")
    first = await ana.reply()
    assert first.method == "sendDocument" and api.files[first.params["file_id"]] == SLIDES

    (listing,) = await ana.say("/talleres")  # later: from /talleres, by file_id
    assert "Materiales de sus talleres" in listing.text
    await ana.press(listing, "formalizacion.pptx")
    assert (await ana.reply()).params["document"] == first.params["file_id"]
    assert await _delivered(runtime, 1) == 1  # one person, however often
    _intro, export = await ana.say("/mis_datos", 2)  # and in her own data
    (received,) = json.loads(api.files[export.params["file_id"]])[
        "materiales_de_talleres_recibidos"
    ]
    assert (received["taller"], received["archivo"]) == (CODE, "formalizacion.pptx")

    (eva_listing,) = await eva.say("/talleres")
    assert "Materiales" not in eva_listing.text
    data = materials.find_button("formalizacion")["callback_data"]
    forged = await eva.press_forged(eva_listing, data)
    assert forged["text"] == "Los materiales del taller son para quienes asistieron."
    listed = await cli("talleres", "material", CODE, database_url=bot.database_url, cwd=tmp_path)
    assert listed.returncode == 0
    (row,) = [line for line in listed.stdout.splitlines() if "formalizacion.pptx" in line]
    assert row.split()[-1] == "1"
    async with runtime.db.session() as session:
        denied = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "button wm")
        )
    assert denied == 1


async def test_a_material_sent_during_nuevo_taller(
    api: LocalBotApi, app: Application, bot: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    """The coordinator sends the presentation as a file in the form's last step; it is kept
    (downloaded once) and the participants get it like a material added from the shell."""
    from tests.conftest import ADMIN_ID

    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    _intro, question = await rosa.say("/nuevo_taller", 2)
    assert "Paso 1 de 9" in question.text
    for typed in ("Cierre de minas", None, "3/12/2099 9:00", "4h", "Puno", None, None, None):
        if typed is None:
            await rosa.choose(question, "Omitir")
        else:
            await rosa.send(typed)
        question = await rosa.reply()
    assert "Paso 9 de 9" in question.text and "material" in question.text
    (problem,) = await rosa.say("no tengo")  # text is not a file
    assert problem.text == "Envíe el archivo como documento (📎), o pulse «Omitir»."
    await rosa.send_file(SLIDES, "cierre de minas.pptx")
    summary = await rosa.reply()
    assert "Material: cierre de minas.pptx" in summary.text
    await rosa.press(summary, "Crear taller")
    created, added, qr = await rosa.replies(3)
    assert "Taller creado" in created.text and qr.method == "sendPhoto"
    assert added.text == (
        "📎 Material «cierre de minas.pptx» agregado: quienes registren su asistencia lo "
        "recibirán con la encuesta y en /talleres."
    )
    async with runtime.db.session() as session:
        (workshop,) = await repo.list_all(session)
    runtime.clock.advance(workshop.starts_at - runtime.clock.now())
    ana = Chatter(api, 5102, "Ana", last_name="Quispe")
    await register(ana)
    await ana.say(f"/asistencia {workshop.code}")

    runtime.clock.advance(timedelta(hours=4))  # the workshop ends: survey and materials
    assert await tick(app) == 2
    _survey, materials = await ana.replies(2)
    assert materials.button_texts() == ["📎 cierre de minas.pptx"]
    await ana.press(materials, "cierre de minas.pptx")
    sent = await ana.reply()
    assert sent.method == "sendDocument" and api.files[sent.params["file_id"]] == SLIDES
    assert await _delivered(runtime, 1) == 1
    await ana.press(materials, "cierre de minas.pptx")  # again: still one person
    await ana.reply()
    (report,) = await rosa.say(f"/taller {workshop.code}")  # the coordinator sees it in chat
    assert report.text.endswith("📎 Materiales\n• «cierre de minas.pptx»: lo recibió 1 persona")
    listed = await cli(
        "talleres", "material", workshop.code, database_url=bot.database_url, cwd=tmp_path
    )
    (row,) = [line for line in listed.stdout.splitlines() if "cierre de minas.pptx" in line]
    assert row.split()[-1] == "1"
