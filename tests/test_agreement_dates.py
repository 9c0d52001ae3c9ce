"""An agreement's due date typed as Peruvians write it, as every other date prompt reads it
(bot/services/dates.py): «15/1», «15 de enero», «mañana», «el viernes». The form read only
ISO or dd/mm/yyyy and answered «el viernes» with «No pude leer esa fecha»; a day already gone
is refused in words that say today's date and what may be written."""

from __future__ import annotations

from datetime import date, timedelta

from telegram.ext import Application

from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import meetings as rules
from tests.chat import Person
from tests.conftest import ADMIN_ID
from tests.helpers import register

MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto")
MONTHS += ("setiembre", "octubre", "noviembre", "diciembre")


def _next_friday(today: date) -> date:
    return today + timedelta(days=(4 - today.weekday()) % 7 or 7)


async def test_a_due_date_is_read_as_peruvians_write_it(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    ana = Person(api, 7101, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    zone = runtime.settings.timezone
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        meeting, _invited = await rules.create(
            session, title="Coordinación MINEM–GR Puno", kind="coordinacion",
            starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=3),
            audience=await rules.parse_audience(session, ["region:Puno"]), offsets=[], now=now,
        )  # fmt: skip
    assert await tick(app) == 1
    await ana.replies(2)
    today = now.astimezone(zone).date()
    t = translator("es", zone)

    async def form_until_due() -> None:
        (report,) = await rosa.say(f"/reunion {meeting.code}")
        await rosa.press(report, "Seguimiento de acuerdos")
        await rosa.press(await rosa.reply(), "Nuevo acuerdo")
        await rosa.replies(2)
        await rosa.say("Enviar el padrón")
        (due,) = await rosa.say("quispe")
        assert "15 de enero" in due.text and "el viernes" in due.text  # the examples

    await form_until_due()
    yesterday = today - timedelta(days=1)
    (past,) = await rosa.say(f"{yesterday.day}/{yesterday.month}")
    assert past.text == (
        f"Esa fecha ya pasó: hoy es {t.date(today)}. "
        "La fecha límite puede ser hoy o un día posterior."
    )
    (summary,) = await rosa.say("el viernes")
    assert f"Fecha límite: {t.date(_next_friday(today))}" in summary.text
    await rosa.press(summary, "Cancelar")
    await rosa.reply()

    in_a_month = today + timedelta(days=30)
    for typed, meant in (
        ("mañana", today + timedelta(days=1)),
        (f"{in_a_month.day} de {MONTHS[in_a_month.month - 1]}", in_a_month),
        (f"{in_a_month.day}/{in_a_month.month}", in_a_month),
        ("Hoy", today),  # today is not past
    ):
        await form_until_due()
        (summary,) = await rosa.say(typed)
        assert f"Fecha límite: {t.date(meant)}" in summary.text, typed
        await rosa.press(summary, "Cancelar")
        await rosa.reply()
    await form_until_due()
    (summary,) = await rosa.say("mañana")
    await rosa.press(summary, "Registrar el acuerdo")
    _done, listing = await rosa.replies(2)
    assert f"vence el {t.date(today + timedelta(days=1))}" in listing.text
