"""A meeting that has started can no longer be cancelled or moved (`meetings.closed`; why:
tests/test_cancel_after_end): /reunion no longer offers it, a report, confirmation or form
left open from before the start is refused with the reason, and so is `reuniones cancelar`.
Nor is a meeting created or moved to a start that passed while the form waited: the start
is asked again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from telegram.ext import Application

from bot.local_api import BotEvent, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from storage.db import Database
from storage.models import OutboxMessage
from storage.repositories import meetings as repo
from tests.chat import Person as Chatter
from tests.cli import cli
from tests.helpers import coordination_meeting, puno_coordination
from tests.test_meetings import moved_to_2099, rosa_and_ana

STARTED = "La reunión ya empezó; ya no se puede cambiar de fecha ni cancelar."
PASSED = "El inicio debe ser una fecha futura."
CANCEL, EDIT = "Cancelar reunión", "Cambiar fecha o lugar"


async def test_a_started_meeting_is_neither_cancelled_nor_moved_from_its_report(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa, ana = await rosa_and_ana(api)
    meeting = await puno_coordination(runtime, days=1, reminders=False)
    assert await tick(app) == 1
    await ana.replies(2)  # the invitation and its calendar file

    (report,) = await rosa.say(f"/reunion {meeting.code}")
    await rosa.press(report, CANCEL)
    confirm = await rosa.reply()
    summary = await moved_to_2099(rosa, report)

    runtime.clock.advance(timedelta(days=1, minutes=1))  # the meeting has started
    for pressed, label in ((confirm, "Sí, cancelarla"), (report, CANCEL), (report, EDIT)):
        answer = await rosa.press(pressed, label)
        assert (answer["text"], answer.get("show_alert")) == (STARTED, True)
    await rosa.press(summary, "Guardar y avisar")
    assert (await rosa.reply()).text == STARTED
    (again,) = await rosa.say(f"/reunion {meeting.code}")
    shown = " ".join(again.button_texts())
    assert CANCEL not in shown and EDIT not in shown and "Marcar asistencia" in shown

    assert await tick(app) == 0  # no one was told of a change or a cancellation
    async with runtime.db.session() as session:
        kept = await repo.get(session, meeting.id)
    assert kept is not None
    assert (kept.status, kept.starts_at, kept.place, kept.version) == (
        "scheduled",
        meeting.starts_at,
        meeting.place,
        meeting.version,
    )


async def _soon_for_an_hour(rosa: Chatter, runtime: Runtime) -> BotEvent:
    """Rosa answers a meeting form's time and place: 20 minutes from now (Lima), for an
    hour, no place, no link. Minka's next message."""
    moment = runtime.clock.now() + timedelta(minutes=20)
    await rosa.say(moment.astimezone(runtime.settings.timezone).strftime("%d/%m/%Y %H:%M"))
    place = (await rosa.say("1h"))[0]
    await rosa.choose(place, "Omitir")
    link = await rosa.reply()
    await rosa.choose(link, "Omitir")
    return await rosa.reply()


async def _asked_again(rosa: Chatter, summary: BotEvent, label: str) -> None:
    """Confirmed after its start passed: the reason, and the start asked again."""
    await rosa.press(summary, label)
    refused, start = await rosa.replies(2)
    assert refused.text == PASSED and "¿Cuándo empieza?" in start.text


async def test_a_start_that_passed_while_the_form_waited_is_asked_again(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa, _ana = await rosa_and_ana(api)
    _intro, _title = await rosa.say("/nueva_reunion", 2)
    await rosa.send("Reunión de cierre del trimestre")
    kind = await rosa.reply()
    await rosa.choose(kind, "Coordinación MINEM–GR")
    await rosa.reply()
    agenda = await _soon_for_an_hour(rosa, runtime)
    await rosa.choose(agenda, "Omitir")
    audience = await rosa.reply()
    await rosa.choose(audience, "Una región")
    await rosa.reply()
    await rosa.send("puno")
    summary = await rosa.reply()
    runtime.clock.advance(timedelta(minutes=30))  # its start has passed
    await _asked_again(rosa, summary, "Crear e invitar")
    async with runtime.db.session() as session:
        assert await repo.list_all(session) == []  # nothing created, no one invited

    meeting = await puno_coordination(runtime, days=1, reminders=False)
    (report,) = await rosa.say(f"/reunion {meeting.code}")
    await rosa.press(report, EDIT)
    await rosa.replies(2)
    summary = await _soon_for_an_hour(rosa, runtime)
    runtime.clock.advance(timedelta(minutes=30))  # the new start has passed, not the meeting's
    await _asked_again(rosa, summary, "Guardar y avisar")
    async with runtime.db.session() as session:
        kept = await repo.get(session, meeting.id)
    assert kept is not None and (kept.starts_at, kept.version) == (meeting.starts_at, 1)


async def test_the_cli_does_not_cancel_a_started_meeting(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    async with db.session() as session:
        started = datetime.now(UTC) - timedelta(hours=1)
        meeting_id = await coordination_meeting(session, "EMPEZO", started)
        await session.commit()
    result = await cli("reuniones", "cancelar", "empezo", database_url=database_url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == f"No se canceló la reunión EMPEZO: {STARTED}"
    assert result.stdout == ""
    async with db.session() as session:
        kept = await repo.get(session, meeting_id)
        owed = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert kept is not None and (kept.status, owed) == ("scheduled", 0)
