"""Dates far from any plan (`bot.services.dates.FIRST_YEAR`-`LAST_YEAR`), typed or forged, on
SQLite and PostgreSQL: «31/12/9999 20:00» as a meeting's start is asked again in Spanish (it
failed the form at its summary, the year past 9999 in UTC: OverflowError, «algo falló»), and a
forged month of the Regional Team reports in year 0 is refused as a stale button (it failed
with ValueError). The command line and the workshops CSV: tests/test_meetings_cli_refusals.py
and tests/test_workshop_csv.py."""

from __future__ import annotations

import logging
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.services.dates import parse_date, parse_datetime
from storage.models import Meeting
from tests.chat import Person
from tests.conftest import ADMIN_ID
from tests.helpers import register

UNREAD = "No pude leer esa fecha."


def test_years_beyond_the_window_are_not_read() -> None:
    today = date(2026, 12, 7)
    assert parse_date("31/12/9999", today) is None
    assert parse_date("9999-12-31", today) is None
    assert parse_date("1/1/1999", today) is None
    assert parse_date("31/12/2199", today) == date(2199, 12, 31)
    assert parse_date("15/01", date(2199, 12, 7)) is None  # next January is past the window
    assert parse_datetime("31/12/9999 20:00", ZoneInfo("America/Lima"), today) is None


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_meeting_typed_for_year_9999_is_asked_again(
    api: LocalBotApi, app: Application, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    rosa = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    await rosa.say("/nueva_reunion", 2)
    await rosa.send("Comité de seguimiento")
    await rosa.choose(await rosa.reply(), "Comité de Alto Nivel")
    await rosa.reply()
    for far in ("31/12/9999 20:00", "9999-12-31 23:59", "1/1/2200 09:00"):
        (again,) = await rosa.say(far)
        assert UNREAD in again.text, far
    (end,) = await rosa.say("15/1/2099 10:00")
    assert "¿Cuándo termina?" in end.text
    await rosa.send("3h")
    await rosa.reply()
    await rosa.send("Lima")
    await rosa.reply()
    await rosa.send("https://meet.example.org/comite")
    await rosa.reply()
    (audience,) = await rosa.say("Avances")
    await rosa.choose(audience, "Todas las personas registradas")
    summary = await rosa.reply()
    await rosa.press(summary, "Crear e invitar")
    assert "Reunión creada" in (await rosa.reply()).text
    async with runtime.db.session() as session:
        meeting = await session.scalar(select(Meeting))
    assert meeting is not None and meeting.starts_at.year == 2099
    assert _errors(caplog) == []


async def test_a_forged_month_of_the_team_reports_is_a_stale_button(
    api: LocalBotApi, app: Application, caplog: pytest.LogCaptureFixture
) -> None:
    rosa = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    (months,) = await rosa.say("/informes_equipos")
    for data in ("te:month:0000-01", "te:xlsx:0000-01", "te:month:9999-12", "te:month:٢٠٢٦-12"):
        answer = await rosa.press_forged(months, data)
        assert answer.get("text") == "Ese botón ya no está vigente.", (data, answer)
    assert rosa.no_more() == []
    assert _errors(caplog) == []
