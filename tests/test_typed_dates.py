"""Dates as a Peruvian coordinator types them into /nueva_reunion and /difundir: day first and
no year («15/01 10:00»), the month in words («15 de enero, 10 a. m.»), «mañana a las 9».
A date without its year that is long gone means next year's: in December, «15/01» was taken
as last January and the invitations went out for a meeting eleven months past («recibirá
recordatorios 7 días… antes»); a time already gone is refused, where a broadcast «programmed»
for it went out at once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from telegram.ext import Application

from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services.dates import parse_datetime, parse_end
from storage.models import Meeting, OutboxMessage
from tests.chat import Person
from tests.conftest import ADMIN_ID
from tests.helpers import register

LIMA = ZoneInfo("America/Lima")
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto")
MONTHS += ("setiembre", "octubre", "noviembre", "diciembre")


def _today(runtime: Runtime) -> date:
    return runtime.clock.now().astimezone(LIMA).date()


def _gone(runtime: Runtime) -> date:
    """A day two months ago (not 29 February, which next year may not have)."""
    day = _today(runtime) - timedelta(days=60)
    return day if (day.month, day.day) != (2, 29) else day - timedelta(days=1)


async def _new_meeting_until_start(rosa: Person) -> None:
    _intro, _title = await rosa.say("/nueva_reunion", 2)
    await rosa.send("Coordinación del plan regional")
    kind = await rosa.reply()
    await rosa.choose(kind, "Reunión técnica")
    start = await rosa.reply()
    assert "15/01 09:00" in start.text  # the example is written as Peruvians write dates
    assert start.text.endswith("o 15/01 09:00.")  # not «9 a. m..»


@pytest.mark.parametrize("how", ["digits", "words"])
async def test_a_date_without_its_year_is_the_next_one_not_one_long_gone(
    api: LocalBotApi, app: Application, runtime: Runtime, how: str
) -> None:
    rosa = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    ana = Person(api, 7001, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    gone = _gone(runtime)
    meant = gone.replace(year=gone.year + 1)
    typed = (
        f"{gone.day}/{gone.month} 10:00"
        if how == "digits"
        else f"{gone.day} de {MONTHS[gone.month - 1]}, 10 a. m."
    )

    await _new_meeting_until_start(rosa)
    await rosa.send(typed)
    end = await rosa.reply()
    assert "Cuándo termina" in end.text, end.text
    await rosa.send("12:00")
    await rosa.choose(await rosa.reply(), "Omitir")  # place
    await rosa.choose(await rosa.reply(), "Omitir")  # link
    await rosa.choose(await rosa.reply(), "Omitir")  # agenda
    await rosa.choose(await rosa.reply(), "Una región")
    await rosa.reply()
    await rosa.send("Puno")
    summary = await rosa.reply()
    spanish = translator("es", LIMA)
    starts = datetime(meant.year, meant.month, meant.day, 10, tzinfo=LIMA)
    assert f"Inicio: {spanish.datetime(starts)}" in summary.text, summary.text
    await rosa.press(summary, "Crear e invitar")
    assert "Reunión creada" in (await rosa.reply()).text
    async with runtime.db.session() as session:
        stored = await session.scalar(select(Meeting.starts_at))
    assert stored is not None and stored.astimezone(LIMA) == starts
    assert await tick(app) == 1
    invitation, _ics = await ana.replies(2)
    assert spanish.date(meant) in invitation.text


async def test_a_start_already_gone_is_refused_with_the_time_it_is(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    await _new_meeting_until_start(rosa)
    yesterday = _today(runtime) - timedelta(days=1)
    (refused,) = await rosa.say(f"{yesterday:%d/%m/%Y} 09:00")
    assert refused.text.startswith("Esa fecha y hora ya pasaron: ahora es "), refused.text
    (again,) = await rosa.say("mañana a las 9")  # asked again; the answer is read
    assert "Cuándo termina" in again.text
    async with runtime.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Meeting)) == 0


async def test_a_broadcast_for_a_time_gone_is_refused_not_sent_at_once(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    ana = Person(api, 7001, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await rosa.say("/difundir", 2)
    await rosa.send("Recuerden enviar el informe mensual.")
    await rosa.choose(await rosa.reply(), "Una región")
    await rosa.reply()
    await rosa.send("Puno")
    await rosa.choose(await rosa.reply(), "A una hora elegida")
    await rosa.reply()
    an_hour_ago = runtime.clock.now().astimezone(LIMA) - timedelta(hours=1)
    (refused,) = await rosa.say(f"{an_hour_ago:%d/%m/%Y %H:%M}")
    assert "ya pasaron" in refused.text
    await rosa.send("/cancelar")
    await rosa.replies(2)
    assert await tick(app) == 0
    assert ana.no_more() == []
    async with runtime.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2027-01-15 10:00", (2027, 1, 15, 10, 0)),
        ("2027-01-15T10:00", (2027, 1, 15, 10, 0)),
        ("15/01/2027 10:00", (2027, 1, 15, 10, 0)),
        ("15-01-27 10:00", (2027, 1, 15, 10, 0)),
        ("15/1 10:00", (2027, 1, 15, 10, 0)),
        ("15 de enero de 2027, 10:00", (2027, 1, 15, 10, 0)),
        ("jueves 15 de enero 10am", (2027, 1, 15, 10, 0)),
        ("15 ene 3 p. m.", (2027, 1, 15, 15, 0)),
        ("15 de setiembre 9h30", (2027, 9, 15, 9, 30)),
        ("el 20 de diciembre a las 3 pm", (2026, 12, 20, 15, 0)),
        ("3/12 9:00", (2026, 12, 3, 9, 0)),  # two days ago: this year's, refused as past
        ("hoy 15:00", (2026, 12, 5, 15, 0)),
        ("Mañana a las 9", (2026, 12, 6, 9, 0)),
        ("pasado mañana 9:30", (2026, 12, 7, 9, 30)),
        ("el lunes a las 10", (2026, 12, 7, 10, 0)),  # 5 December 2026 is a Saturday
        ("12 m", None),
        ("15 de enero 10", None),  # «10» alone is no clear hour
        ("31/02 10:00", None),
        ("15 de brumario 10:00", None),
        ("10:00", None),  # a day is needed
    ],
)
def test_how_dates_are_read(typed: str, meant: tuple[int, ...] | None) -> None:
    moment = parse_datetime(typed, LIMA, date(2026, 12, 5))
    assert moment == (None if meant is None else datetime(*meant, tzinfo=LIMA))


def test_an_end_typed_as_a_time_or_a_duration() -> None:
    start = datetime(2027, 1, 15, 10, tzinfo=LIMA)
    for typed, hour in (("13:00", 13), ("1 pm", 13), ("a las 12", 12), ("3h", 13), ("2 horas", 12)):
        assert parse_end(typed, start, LIMA) == start.replace(hour=hour), typed
    assert parse_end("16/01 12:00", start, LIMA) == datetime(2027, 1, 16, 12, tzinfo=LIMA)
