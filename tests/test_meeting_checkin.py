"""Check-in at a meeting's door works as at a workshop's: the code typed alone («asistencia
K7M2QX» or just «k7m2qx»), /asistencia CODE, or the link; a newcomer is registered first and
then checked in. A meeting's typed code went to the Tool Kit as a question, /asistencia
answered «No encontré un taller», and a newcomer who came by the meeting's link registered
and was never checked in; checking in twice moved the arrival time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import meetings as rules
from bot.services.indicators.periods import Period
from storage.models import MeetingInvitation, Person, Question
from storage.repositories.meetings import MeetingRecord
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.helpers import accept_and_register, register

LIMA = ZoneInfo("America/Lima")


async def _meeting(runtime: Runtime, starts_in: timedelta) -> MeetingRecord:
    """A meeting of Puno starting `starts_in` from now (created before its start)."""
    now = runtime.clock.now()
    made = now + min(starts_in, timedelta(0)) - timedelta(minutes=1)
    async with runtime.db.session() as session:
        meeting, _invited = await rules.create(
            session, title="Coordinación MINEM–GR Puno", kind="coordinacion",
            starts_at=now + starts_in, ends_at=now + starts_in + timedelta(hours=2),
            audience=await rules.parse_audience(session, ["region:Puno"]), offsets=[], now=made,
        )  # fmt: skip
    return meeting


async def _attended(runtime: Runtime) -> dict[int, object]:
    async with runtime.db.session() as session:
        rows = await session.execute(
            select(Person.telegram_id, MeetingInvitation.attended_at)
            .join(Person, Person.id == MeetingInvitation.person_id)
            .where(MeetingInvitation.attended_at.is_not(None))
        )
        return {telegram_id: at for telegram_id, at in rows}


async def test_a_meeting_code_typed_alone_checks_in_like_a_workshop_code(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    ana = Chatter(api, 7001, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    meeting = await _meeting(runtime, timedelta(minutes=30))
    assert await tick(app) == 1
    await ana.replies(2)  # the invitation and its .ics

    (done,) = await ana.say(meeting.code.lower())
    assert done.text == "✅ Se registró su asistencia a «Coordinación MINEM–GR Puno».", done.text
    arrived = (await _attended(runtime))[ana.id]
    runtime.clock.advance(timedelta(minutes=10))
    (again,) = await ana.say(f"asistencia {meeting.code}")
    assert again.text == "Su asistencia a «Coordinación MINEM–GR Puno» ya estaba registrada."
    assert (await _attended(runtime))[ana.id] == arrived  # the arrival time kept

    luis = Chatter(api, 7002, "Luis", last_name="Mamani")  # registered, not invited
    await register(luis, region="Cusco", sex="Hombre")
    (command,) = await luis.say(f"/asistencia {meeting.code}")
    assert command.text.startswith("✅ Se registró su asistencia"), command.text

    luz = Chatter(api, 7003, "Luz", last_name="Condori")  # a newcomer at the door
    (notice,) = await luz.say(f"Código: {meeting.code}")
    assert "registrar su asistencia" in notice.text
    await accept_and_register(luz, notice)
    registered, checked_in = await luz.replies(2)
    assert "Registro completo" in registered.text
    assert checked_in.text.startswith("✅ Se registró su asistencia"), checked_in.text
    assert set(await _attended(runtime)) == {ana.id, luis.id, luz.id}
    async with runtime.db.session() as session:
        assert list(await session.scalars(select(Question.text))) == []  # no Tool Kit question


async def test_a_newcomer_by_the_meeting_link_is_checked_in_once_registered(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    meeting = await _meeting(runtime, timedelta(minutes=-15))
    luz = Chatter(api, 7003, "Luz", last_name="Condori")
    _greeting, notice = await luz.say(f"/start reunion-{meeting.code}", 2)
    await luz.press(notice, "Ver detalle")  # the whole notice first: the link rides along
    whole = await luz.reply()
    await accept_and_register(luz, whole)
    _registered, checked_in = await luz.replies(2)
    assert checked_in.text.startswith("✅ Se registró su asistencia"), checked_in.text

    later = await _meeting(runtime, timedelta(days=3))
    (early,) = await luz.say(later.code)
    assert early.text.startswith("El registro de asistencia a «Coordinación MINEM–GR Puno» se abre")
    runtime.clock.advance(timedelta(days=4))
    (closed,) = await luz.say(f"/asistencia {later.code}")
    assert "cerró 12 horas después de que terminó" in closed.text


async def test_reuniones_says_how_many_meetings_it_leaves_for_later(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """/reuniones shows the next five meetings; a sixth and seventh were silently left out."""
    ana = Chatter(api, 7001, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    for day in range(1, 8):
        await _meeting(runtime, timedelta(days=day))
    assert await tick(app) == 7
    await ana.replies(14)  # each invitation and its .ics
    *shown, later = await ana.say("/reuniones", 6)
    assert all("Asistiré" in " ".join(m.button_texts()) for m in shown)
    assert later.text == (
        "Tiene 2 reuniones más después de estas; /reuniones se las mostrará cuando estas "
        "hayan pasado."
    )


async def test_a_meeting_under_way_is_listed_without_answer_buttons(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """Once a meeting starts its answers are closed: /reuniones listed it with «Asistiré» and
    the rest, each press answered «La reunión ya empezó»."""
    ana = Chatter(api, 7001, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await _meeting(runtime, timedelta(minutes=10))
    assert await tick(app) == 1
    await ana.replies(2)
    (before,) = await ana.say("/reuniones")
    assert "Asistiré" in " ".join(before.button_texts())
    runtime.clock.advance(timedelta(minutes=20))
    (under_way,) = await ana.say("/reuniones")
    assert "Coordinación MINEM–GR Puno" in under_way.text and under_way.buttons == []


async def test_skipping_the_representatives_position_shows_it_and_drops_the_button(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """«¿Y su cargo?» answered with «Omitir» kept its button, as if unanswered."""
    ana = Chatter(api, 7001, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await _meeting(runtime, timedelta(days=2))
    assert await tick(app) == 1
    invitation, _ics = await ana.replies(2)
    await ana.press(invitation, "Enviaré un representante")
    await ana.reply()
    (position,) = await ana.say("Carla Ríos")
    await ana.press(position, "Omitir")
    skipped, shown = await ana.replies(2)
    assert skipped.message_id == position.message_id and skipped.buttons == []
    assert skipped.text == "¿Y su cargo?\n✔️ Omitido"
    assert "Enviaré un representante — Carla Ríos" in shown.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a date rule: one is enough
async def test_the_door_closes_when_the_meetings_quarter_ends(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """A check-in after the meeting's quarter ended would invite the newcomer into an ended
    quarter, and the staff's unmark would take someone out of it
    (tests/test_attendance_after_end): the door closes then, even within 12 hours, and the
    staff's list no longer changes."""
    luis = Chatter(api, 7002, "Luis", last_name="Mamani")  # registered, not invited
    luz = Chatter(api, 7003, "Luz", last_name="Condori")
    for person in (luis, luz):
        await register(person, region="Cusco", sex="Hombre" if person is luis else "Mujer")
    today = runtime.clock.now().astimezone(LIMA).date()
    quarter = Period.quarter(today.year, (today.month - 1) // 3 + 1)
    ends = datetime.combine(quarter.last + timedelta(days=1), time(), LIMA)
    runtime.clock.advance(ends - timedelta(hours=3) - runtime.clock.now())
    meeting = await _meeting(runtime, timedelta(minutes=30))  # till 30 minutes before it ends
    runtime.clock.advance(timedelta(hours=2))
    (on_time,) = await luis.say(f"/asistencia {meeting.code}")
    assert on_time.text.startswith("✅ Se registró su asistencia"), on_time.text
    runtime.clock.advance(timedelta(hours=2))  # an hour into the next quarter
    (late,) = await luz.say(f"/asistencia {meeting.code}")
    last = translator("es", LIMA).date(quarter.last)
    assert late.text == (
        f"El registro de asistencia a «Coordinación MINEM–GR Puno» cerró al terminar su "
        f"trimestre, el {last}."
    ), late.text
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    (report,) = await rosa.say(f"/reunion {meeting.code}")
    await rosa.press(report, "Marcar asistencia")
    listed = await rosa.reply()
    assert "✅ Luis Mamani" in listed.button_texts()
    answer = await rosa.press(listed, "✅ Luis Mamani")  # the staff try to undo his mark
    assert answer["text"] == (
        f"La asistencia de esta reunión ya no se puede cambiar: su trimestre terminó el {last}."
    )
    assert set(await _attended(runtime)) == {luis.id}
