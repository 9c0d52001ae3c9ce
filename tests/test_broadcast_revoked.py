"""End to end: a broadcast a coordinator scheduled is sent with the authority she holds when
it goes out, not the one she held when she scheduled it. Revoked, or her grant narrowed to
another region, it is not sent: it stays as «cancelada», she and the administrators are told
why, and the audit log records it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from storage.models import AuditEntry, Broadcast, OutboxMessage
from storage.repositories import people, workshops
from tests.chat import Person
from tests.helpers import CHECKED_ON, puno_coordinator, register, workshop_under_way

pytestmark = pytest.mark.now(CHECKED_ON)  # Monday 7 December 2026, noon in Lima


async def _scheduled(
    carla: Person, text: str, audience: str = "Una región", answer: str = "Puno"
) -> None:
    """Carla's /difundir of `text` to `audience` (`answer`: its region or code), for tomorrow
    at 09:00 Lima time, confirmed."""
    await carla.say("/difundir", 2)
    (choices,) = await carla.say(text)
    await carla.choose(choices, audience)
    await carla.reply()
    (when,) = await carla.say(answer)
    await carla.choose(when, "A una hora elegida")
    await carla.reply()
    await carla.send("08/12/2026 09:00")
    _preview, summary = await carla.replies(2)
    assert f"{answer} (" in summary.text, summary.text
    await carla.press(summary, "Enviar")
    scheduled = await carla.reply()
    assert "Difusión programada para el" in scheduled.text, scheduled.text


@pytest.mark.parametrize(
    ("change", "held"),  # what the admin does; what she holds then, as the audit log says
    [
        ("/quitar_rol @carla_puno", "role=official"),
        ("/coordinador @carla_puno Cusco", "role=coordinator coverage=cusco"),
    ],
)
async def test_a_scheduled_broadcast_does_not_go_after_its_author_lost_the_grant(
    api: LocalBotApi,
    app: Application,
    runtime: Runtime,
    admin: Person,
    change: str,
    held: str,
) -> None:
    """Attack: a coordinator of Puno schedules a broadcast to Puno for tomorrow; today an
    administrator takes her role away (or narrows her grant to Cusco). Before the fix the
    copies went out tomorrow all the same, with an authority she no longer held."""
    await register(admin, region="MINEM")
    carla = await puno_coordinator(api, admin)
    ana = Person(api, 8301, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await _scheduled(carla, "Reunión urgente mañana en la DREM")

    (done,) = await admin.say(change)
    assert done.text.startswith("Listo"), done.text
    await carla.reply()  # the notice of her role taken away, or of her new coverage
    runtime.clock.advance(timedelta(days=1))  # Tuesday 8 December, noon: past 09:00
    await tick(app)
    await tick(app)  # and the notices the first round owed

    told = await carla.reply()  # sent by this round or a concurrent one (held replies')
    assert told.text is not None and "no se envió" in told.text, told.text
    assert "Reunión urgente" in told.text and "cancelada" in told.text
    warned = await admin.reply()
    assert warned.text is not None and "Carla Apaza" in warned.text, warned.text
    assert "no se envió" in warned.text and "Puno" in warned.text
    assert ana.no_more() == [], "a copy went out with an authority its author lost"
    assert carla.no_more() == [] and admin.no_more() == []  # her own copy neither
    async with runtime.db.session() as session:
        broadcast = (await session.scalars(select(Broadcast))).one()
        copies = set(
            await session.scalars(
                select(OutboxMessage.state).where(OutboxMessage.broadcast_id == broadcast.id)
            )
        )
        entry = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "broadcast_cancelled")
            )
        ).one()
    assert broadcast.status == "cancelled" and broadcast.finished_at is not None
    assert copies == {"cancelled"}
    assert entry.target == f"broadcast:{broadcast.id}" and entry.outcome == "done"
    assert entry.detail == held and entry.actor_telegram_id is None  # Minka, at the send


async def test_a_scheduled_broadcast_still_covered_goes_out(
    api: LocalBotApi, app: Application, runtime: Runtime, admin: Person
) -> None:
    """The same broadcast goes when her grant, widened meanwhile, still covers Puno: only a
    lost authority stops it."""
    await register(admin, region="MINEM")
    carla = await puno_coordinator(api, admin)
    ana = Person(api, 8301, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await _scheduled(carla, "Reunión urgente mañana en la DREM")
    (done,) = await admin.say("/coordinador @carla_puno Puno, Cusco")
    assert done.text.startswith("Listo"), done.text
    await carla.reply()
    runtime.clock.advance(timedelta(days=1))
    await tick(app)
    (copy,) = await ana.replies(1)
    assert copy.text == "Reunión urgente mañana en la DREM"


async def test_a_broadcast_to_a_workshops_participants_stops_when_the_workshop_is_not_hers(
    api: LocalBotApi, app: Application, runtime: Runtime, admin: Person
) -> None:
    """The same for an audience of a workshop's participants: her grant narrowed to Cusco no
    longer covers the Puno workshop, and its participants get nothing (the rule /difundir
    applies at «Enviar», asked again at the sending)."""
    await register(admin, region="MINEM")
    carla = await puno_coordinator(api, admin)
    ana = Person(api, 8301, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    workshop = await workshop_under_way(runtime, "PUN01", "Taller de Puno", "Formalización")
    async with runtime.db.session() as session:
        stored = await people.get(session, ana.id)
        assert stored is not None
        await workshops.check_in(session, workshop, stored.id, runtime.clock.now())
    await _scheduled(
        carla, "Materiales del taller ya disponibles", "Participantes de un taller", "PUN01"
    )
    (done,) = await admin.say("/coordinador @carla_puno Cusco")
    assert done.text.startswith("Listo"), done.text
    await carla.reply()
    runtime.clock.advance(timedelta(days=1))
    await tick(app)
    told = await carla.reply()
    assert "no se envió" in (told.text or "") and "PUN01" in (told.text or ""), told.text
    await tick(app)
    texts = [event.text or "" for event in ana.no_more()]  # her workshop's survey may come
    assert not [text for text in texts if "Materiales del taller" in text], texts
