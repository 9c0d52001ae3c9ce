"""Test shortcuts that play whole conversations."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import workers
from bot.local_api import BotEvent, LocalBotApi
from bot.runtime import Runtime
from bot.services import meetings as meeting_rules
from bot.services.workshops import SURVEY_OPEN_FOR
from storage.db import Database
from storage.models import Case, Meeting
from storage.models import Person as PersonRow
from storage.repositories import broadcasts, people
from storage.repositories import workshops as workshop_repo
from storage.repositories.meetings import MeetingRecord
from storage.types import utcnow
from tests.chat import Person

# The day the tests whose outcome depends on the calendar were checked on, their Minka's clock
# (the `now` marker; CLOCK_OFFSET_SECONDS, `clock_offset_env`, for a CLI or a process of its
# own): «Año 2026 (en curso)», the second quarter of 2026 still offered by /indicadores, 20
# December 2026 still ahead.
CHECKED_ON = "2026-12-07T12:00:00-05:00"
CHECKED_AT = datetime.fromisoformat(CHECKED_ON)  # the same, for a report read in the test


def offset_to(moment: str) -> timedelta:
    """How far a clock must run from the machine's to read `moment` (ISO) now."""
    return datetime.fromisoformat(moment) - datetime.now(UTC)


def clock_offset_env(moment: str = CHECKED_ON) -> str:
    """CLOCK_OFFSET_SECONDS for a CLI or a Minka run as a process, to read `moment` now."""
    return str(offset_to(moment).total_seconds())


async def registered_official(
    session: AsyncSession, telegram_id: int, name: str, *, registered: bool = True, **fields: Any
) -> int:
    """A person stored as registered, or as one who never finished registering (no
    conversation played), with `fields` of their profile (region_code, sex...); their row id."""
    person = await people.create(
        session,
        telegram_id=telegram_id,
        username=None,
        telegram_name=name,
        locale="es",
        consent_at=utcnow(),
        role="official",
    )
    registered_at = utcnow() if registered else None
    await people.update(session, telegram_id, registered_at=registered_at, **fields)
    return person.id


async def ana_in_puno(api: LocalBotApi, db: Database, telegram_id: int) -> Person:
    """Ana Quispe, an official of Puno stored as registered (no conversation played): for
    tests whose Minka is a process of its own, started after."""
    ana = Person(api, telegram_id, "Ana", last_name="Quispe")
    async with db.session() as session:
        await registered_official(session, ana.id, ana.full_name, region_code="puno")
    return ana


def case_in_puno(person_id: int, description: str, at: datetime) -> Case:
    """A case in Puno registered by `person_id` at `at` whose only typed text is `description`
    (its kind and stratum: valid codes, which the erasure tests do not look at); to add and
    flush."""
    return Case(
        person_id=person_id,
        region_code="puno",
        kind="other",
        stratum="ppm",
        supported=False,
        description=description,
        created_at=at,
        updated_at=at,
    )


async def broadcast_to(runtime: Runtime, person: Person, text: str) -> None:
    """A broadcast of `text` to one registered person, due now: one message in the outbox."""
    async with runtime.db.session() as session:
        stored = await people.get(session, person.id)
        assert stored is not None, "register them first"
        await broadcasts.create(
            session,
            text=text,
            audience={},
            scheduled_at=runtime.clock.now(),
            person_ids=[stored.id],
            created_by=None,
        )


async def register(person: Person, *, region: str = "Puno", sex: str = "Mujer") -> None:
    """Accept the notice and answer every question; leaves the chat with nothing pending."""
    _greeting, notice = await person.say("/start", 2)
    await accept_and_register(person, notice, region=region, sex=sex)
    await person.replies(2)


async def rate_workshop(person: Person, score: str) -> None:
    """Read the survey that came and give every criterion `score`, no comment."""
    survey = await person.reply()
    for _question in range(5):
        await person.press(survey, score)
        survey = await person.reply()
    await person.press(survey, "Omitir")
    await person.reply()


async def typed_registration(person: Person, name: str, position: str) -> BotEvent:
    """Register in Puno typing `name` and `position` (the name's step checked as passed);
    returns the summary with «Confirmar», not yet pressed."""
    _greeting, notice = await person.say("/start", 2)
    await person.press(notice, "Acepto")
    await person.replies(3)
    (region,) = await person.say(name)
    assert "Paso 2 de 5" in region.text, region.text
    await person.send("Puno")
    await person.reply()
    await person.press(await person.reply(), "Gobierno Regional")
    await person.replies(2)
    await person.send(position)
    await person.press(await person.reply(), "Mujer")
    await person.reply()
    return await person.reply()


async def question_to_answer(asker: Person, specialist: Person, question: str) -> None:
    """`asker` sends `question`, which Minka cannot answer, to the specialists, and
    `specialist` opens it from /preguntas to answer: Minka now waits for the answer's text."""
    (not_sure,) = await asker.say(question)
    await asker.press(not_sure, "Enviar mi pregunta a un especialista")
    await asker.reply()
    _header, item = await specialist.say("/preguntas", 2)
    await specialist.press(item, "Responder")
    await specialist.reply()


async def puno_coordinator(api: LocalBotApi, admin: Person) -> Person:
    """Carla, registered in Puno, whom the administrator names coordinator of Puno; her
    notice of the new role read."""
    carla = Person(api, 5001, "Carla", last_name="Apaza", username="carla_puno")
    await register(carla, region="Puno")
    (done,) = await admin.say("/coordinador @carla_puno Puno")
    assert done.text.startswith("Listo"), done.text
    await carla.reply()  # the notice of the new role
    return carla


async def accept_and_register(
    person: Person, notice: BotEvent, *, region: str = "Puno", sex: str = "Mujer"
) -> None:
    """Accept the privacy `notice` and answer every question up to «Confirmar»; what Minka
    says after it (the registration done, what was waiting for it) is left to read."""
    await person.press(notice, "Acepto")
    await person.replies(2)
    await person.press(await person.reply(), "Usar «")
    await person.reply()
    await person.reply()
    await person.send(region)
    await person.reply()  # "✅ Región: ..."
    await person.press(await person.reply(), "Gobierno Regional")
    await person.reply()
    await person.reply()
    await person.send("Analista")
    await person.press(await person.reply(), sex)
    await person.reply()
    await person.press(await person.reply(), "Confirmar")


async def workshop_under_way(
    runtime: Runtime, code: str, title: str, topic: str, *, created_by: int | None = None
) -> int:
    """A workshop in Puno that began half an hour ago and ends in half an hour (check-in open,
    its survey open for SURVEY_OPEN_FOR after the end), created by the person of row id
    `created_by` if given; returns its id."""
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        workshop = await workshop_repo.create(
            session,
            code=code,
            created_by=created_by,
            title=title,
            topic=topic,
            starts_at=now - timedelta(minutes=30),
            ends_at=now + timedelta(minutes=30),
            survey_closes_at=now + timedelta(minutes=30) + SURVEY_OPEN_FOR,
            region_code="puno",
            place="DREM Puno",
            facilitator="Equipo Regional",
        )
    return workshop.id


async def technical_meeting(runtime: Runtime, title: str, region: str = "Puno") -> int:
    """A technical meeting in ten days for everyone registered in `region`, its invitations
    owed (the outbox sends them at its next tick); returns its id."""
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        audience = await meeting_rules.parse_audience(session, [f"region:{region}"])
        meeting, _invited = await meeting_rules.create(
            session,
            title=title,
            kind="tecnica",
            starts_at=now + timedelta(days=10),
            ends_at=now + timedelta(days=10, hours=2),
            audience=audience,
            offsets=meeting_rules.parse_offsets(meeting_rules.DEFAULT_OFFSETS),
            now=now,
            agenda="Revisión",
        )
    return meeting.id


async def puno_coordination(
    runtime: Runtime,
    *,
    days: float = 10,
    hours: float = 3,
    audience: tuple[str, ...] = ("region:Puno",),
    reminders: bool = True,
    **details: Any,
) -> MeetingRecord:
    """«Coordinación MINEM–GR Puno» in `days`, `hours` long, for `audience` (as /reunion
    reads it), with the default reminders unless not `reminders`; `details`: its place,
    link, agenda, creator...; its invitations owed (the outbox sends them at its next tick)."""
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        meeting, _invited = await meeting_rules.create(
            session,
            title="Coordinación MINEM–GR Puno",
            kind="coordinacion",
            starts_at=now + timedelta(days=days),
            ends_at=now + timedelta(days=days, hours=hours),
            audience=await meeting_rules.parse_audience(session, list(audience)),
            offsets=meeting_rules.parse_offsets(meeting_rules.DEFAULT_OFFSETS) if reminders else [],
            now=now,
            **details,
        )
    return meeting


async def coordination_meeting(session: AsyncSession, code: str, starts: datetime) -> int:
    """A scheduled coordination meeting of two hours, «Reunión CODE», stored as is (no
    conversation played); its id."""
    meeting = Meeting(
        code=code, title=f"Reunión {code}", kind="coordinacion", starts_at=starts,
        ends_at=starts + timedelta(hours=2), status="scheduled",
    )  # fmt: skip
    session.add(meeting)
    await session.flush()
    return meeting.id


async def logged(caplog: pytest.LogCaptureFixture, needle: str, seconds: float = 10) -> str:
    """The last log line that holds `needle`, waiting for it up to `seconds`."""
    for _ in range(int(seconds / 0.05)):
        found = [r.getMessage() for r in caplog.records if needle in r.getMessage()]
        if found:
            return found[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no log line with {needle!r}")


def move_clock(runtime: Runtime, day: date, at: time) -> None:
    """Set Minka's clock to `at` on `day`, Lima's wall time."""
    wanted = datetime.combine(day, at, tzinfo=runtime.settings.timezone)
    runtime.clock.advance(wanted - runtime.clock.now())


async def registered_last_month(runtime: Runtime) -> None:
    """Everyone registered so far registered 40 days earlier: in the latest month's end that
    /registrados reads (it never counts «now», `bot.services.registered`)."""
    async with runtime.db.session() as session:
        found = await session.execute(
            select(PersonRow.id, PersonRow.registered_at).where(
                PersonRow.registered_at.is_not(None)
            )
        )
        for row_id, at in list(found):
            await session.execute(
                update(PersonRow)
                .where(PersonRow.id == row_id)
                .values(registered_at=at - timedelta(days=40))
            )


async def stopped_worker(monkeypatch: pytest.MonkeyPatch) -> int:
    """The pool of report workers cut to one, started and then stopped (SIGSTOP): every job
    sent to it waits until the test lets it go (SIGCONT); its pid. The test stops the pool
    (`workers.stop()`) when done: it is the test's."""
    monkeypatch.setattr(workers, "WORKERS", 1)
    workers.stop()
    worker = await workers.run("os:getpid")
    assert worker != os.getpid()
    os.kill(worker, signal.SIGSTOP)
    return worker
