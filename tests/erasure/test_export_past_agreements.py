"""/mis_datos lists the agreements a person answered for before a change of them
(`meeting_agreement_changes`, migration 0034: indicator 2 reads an ended period's agreements as
they stood then): given to someone else, it is no longer hers, but that she was responsible
for it until then is her data. Her erasure keeps those rows as it keeps the agreements
themselves: tied to the anonymous `people` row (region, institution, sex), which indicator 2
counts; they hold no text. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import agreements
from storage.db import Database
from storage.models import MeetingAgreementChange, Person
from storage.repositories import agreements as repo
from storage.repositories import personal_meetings
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.erasure.sweep import dump_database
from tests.helpers import puno_coordination, register
from tests.test_agreement_changed_after_end import _agreements
from tests.two_readings import CHANGED

AGREEMENT = "Enviar el padrón de mineros de Ananea"
PAST = "acuerdos_a_su_cargo_antes_de_un_cambio"
ANA_ID = 7919357101  # long enough not to be found by chance in a dumped time


async def _export(person: Chatter, api: LocalBotApi) -> dict[str, Any]:
    _intro, document = await person.say("/mis_datos", 2)
    return json.loads(api.files[document.params["file_id"]])


async def test_an_agreement_given_to_someone_else_stays_in_her_export(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    ana = Chatter(api, ANA_ID, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    luis = Chatter(api, 7102, "Luis", last_name="Mamani")
    await register(luis, region="Puno", sex="Hombre")
    meeting = await puno_coordination(runtime, days=0.05, hours=2, reminders=False)
    assert await tick(app) == 2
    await ana.replies(2)
    await luis.replies(2)
    zone = runtime.settings.timezone
    t = translator("es", zone)
    first_due = runtime.clock.now().astimezone(zone).date() + timedelta(days=10)
    async with runtime.db.session() as session:
        ana_id = await session.scalar(select(Person.id).where(Person.telegram_id == ana.id))
        assert ana_id is not None
        await agreements.record(
            session, meeting, text=AGREEMENT, responsible_id=ana_id, due_on=first_due,
            created_by=None, now=runtime.clock.now(), zone=zone,
        )  # fmt: skip
    assert (await _export(ana, api))[PAST] == []  # hers, unchanged: only «a su cargo»

    # A day later the coordinator gives it to Luis, due two days earlier (✏️).
    runtime.clock.advance(timedelta(days=1))
    handed_over = runtime.clock.now()
    (report,) = await rosa.say(f"/reunion {meeting.code}")
    await rosa.press(report, "Seguimiento de acuerdos")
    await rosa.press(await rosa.reply(), "1 · ✏️")
    _heading, who = await rosa.replies(2)
    await rosa.choose(who, "Luis Mamani")
    await rosa.reply()
    (summary,) = await rosa.say((first_due - timedelta(days=2)).strftime("%d/%m/%Y"))
    await rosa.press(summary, "Guardar los cambios")
    await rosa.replies(2)
    # Then marks it fulfilled: a change of Luis's terms, not of Ana's.
    runtime.clock.advance(timedelta(hours=3))
    fulfilled = runtime.clock.now()
    (report,) = await rosa.say(f"/reunion {meeting.code}")
    await rosa.press(report, "Seguimiento de acuerdos")
    await rosa.press(await rosa.reply(), "1 · ✅")
    assert "✅ Cumplido" in (await rosa.reply()).text

    data = await _export(ana, api)
    assert data["acuerdos_a_su_cargo"] == []
    meeting_name = f"{meeting.title} ({meeting.code})"
    assert data[PAST] == [
        {
            "resumen": f"Fue responsable de un acuerdo de la reunión {meeting_name} hasta el "
            f"{t.datetime(handed_over)}.",
            "reunion": meeting_name,
            "acuerdo": AGREEMENT,
            "fecha_limite": t.date(first_due),
            "cumplido": None,
            "hasta": t.datetime(handed_over),
            "cambio": ["Cambio de responsable", "Cambio de fecha límite"],
        }
    ]
    data = await _export(luis, api)
    (now_his,) = data["acuerdos_a_su_cargo"]
    assert now_his["acuerdo"] == AGREEMENT and now_his["estado"] == "Cumplido"
    (before_done,) = data[PAST]
    assert before_done["resumen"] == (
        f"Un acuerdo a su cargo de la reunión {meeting_name} tuvo estos términos hasta el "
        f"{t.datetime(fulfilled)}."
    )
    assert before_done["fecha_limite"] == t.date(first_due - timedelta(days=2))
    assert before_done["cambio"] == ["Cambio de estado"]

    # Ana erases her data: the record of her responsibility stays, as the agreement would
    # have, tied to her anonymous row; nothing in it or anywhere names her.
    (question,) = await ana.say("/borrar_mis_datos")
    await ana.press(question, "Sí, borrar")
    assert "fueron borrados" in (await ana.reply()).text
    async with runtime.db.session() as session:
        kept = (
            await session.scalars(
                select(MeetingAgreementChange.responsible_id).order_by(MeetingAgreementChange.id)
            )
        ).all()
        erased = await session.get(Person, ana_id)
    assert kept == [ana_id, await _person_id(runtime, luis.id)]
    assert erased is not None and erased.telegram_id is None and erased.full_name is None
    assert erased.sex == "female" and erased.region_code == "puno"
    assert [line for line in await dump_database(runtime) if str(ANA_ID) in line] == []


async def _person_id(runtime: Runtime, telegram_id: int) -> int | None:
    async with runtime.db.session() as session:
        return await session.scalar(select(Person.id).where(Person.telegram_id == telegram_id))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_press_that_changes_nothing_is_no_change_of_her_terms(db: Database) -> None:
    """⏳ or ✅ pressed on an agreement already so (both buttons are on every reminder and
    list, a double tap presses twice) changes nothing: her export lists no «Cambio de estado»
    for it, nor does indicator 2 keep terms from it (on main before: one entry per press, each
    saying her agreement «tuvo estos términos hasta» then)."""
    people = await _agreements(db, "reopened")  # Puno's man's agreement, fulfilled on 18 March
    his = people["puno"][1].id
    async with db.session() as session:
        for status in ("done", "done", "in_progress", "in_progress"):
            agreement = await repo.get(session, 1)
            assert agreement is not None
            await agreements.change_status(session, agreement, status, CHANGED)
        await session.commit()
    async with db.session() as session:
        changes = await personal_meetings.agreements_before_changes(session, his)
    assert [(c["done_at"] is not None, c["handed_over"], c["redated"]) for c in changes] == [
        (True, False, False)  # the one change: fulfilled, then reopened
    ]
