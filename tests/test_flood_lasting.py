"""A lasting flood control (Telegram answering 429 with retry_after for longer than the rate
limiter's and any caller's retries) delays what Minka owes, never drops it: an invitation's
.ics file after its text."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from telegram.ext import Application

from bot.local_api import Fault, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from tests.chat import Person
from tests.helpers import register
from tests.test_meetings import _create

OUTAGE = 25.0  # seconds of 429s: longer than the five tries that used to end in silence


async def test_an_invitations_file_outlasts_a_lasting_flood_control(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """The text arrives; the .ics refused again and again is put back with the message
    (which remembers that its text went) and sent alone once Telegram allows: the text
    once, the file once."""
    ana = Person(api, 7101, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await _create(runtime)
    api.inject_for("sendDocument", Fault.too_many_requests(1), seconds=OUTAGE)
    ends = time.monotonic() + OUTAGE
    await tick(app)
    invitation = await ana.reply()
    assert "Está invitado/a" in invitation.text
    arrived = []
    while not arrived and time.monotonic() < ends + 20:
        runtime.clock.advance(timedelta(seconds=2))  # past the postponed message's retry_after
        await tick(app)
        arrived = api.drain(ana.id)
    (calendar,) = arrived
    assert calendar.method == "sendDocument"
    assert b"BEGIN:VCALENDAR" in api.files[calendar.params["file_id"]]
    assert time.monotonic() >= ends  # it came after the outage, not by luck before it
    runtime.clock.advance(timedelta(minutes=1))
    await tick(app)
    await asyncio.sleep(0.5)
    assert api.drain(ana.id) == []  # the text was not sent again, nor the file
