"""End to end: a staff update's own replies that Telegram's flood control held back (a 429:
kept in the outbox, bot/held.py) reach the person only if they still hold, when the outbox
sends them, the role and the coverage the update was authorised with (handlers/dispatch.py
marks them, `Reply.needs`; handlers/still_held.py checks). A coordinator revoked, or narrowed
to another region, meanwhile gets one notice in their place, and the refusal is audited.
A person's replies that no staff role authorised are held and sent as before."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.local_api import BotEvent, Fault, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from storage.models import AuditEntry, OutboxMessage
from tests.chat import Person as Chatter
from tests.helpers import CHECKED_ON, puno_coordinator, register

pytestmark = pytest.mark.now(CHECKED_ON)


def _plain(text: str) -> str:
    """An HTML text as Telegram shows it (tags gone, entities read)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


async def _held_reply(
    api: LocalBotApi, runtime: Runtime, person: Chatter, text: str
) -> list[tuple[str, bool]]:
    """`person` sends `text`; its reply meets a 429 (retry after 30 s) and waits in the
    outbox: its rows' texts as shown, and whether each carries a need (`Reply.needs`)."""
    mine = (OutboxMessage.chat_id == person.id, OutboxMessage.kind == "reply")
    async with runtime.db.session() as session:  # not a notice sent and not yet marked so
        before = set(await session.scalars(select(OutboxMessage.id).where(*mine)))
    api.inject("sendMessage", Fault.too_many_requests(30), times=1)
    await person.send(text)
    for _ in range(100):
        async with runtime.db.session() as session:
            rows = await session.scalars(
                select(OutboxMessage)
                .where(*mine, OutboxMessage.state == "pending")
                .order_by(OutboxMessage.id)
            )
            held = [
                (_plain(row.payload["text"]), "needs" in row.payload)
                for row in rows
                if row.id not in before
            ]
        if held:
            return held
        await asyncio.sleep(0.1)
    raise AssertionError("the reply was not held")


async def _after_the_wait(
    app: Application, runtime: Runtime, person: Chatter, count: int
) -> list[BotEvent]:
    """The `count` messages the outbox sends `person` once Telegram allows her chat again;
    nothing after them."""
    runtime.clock.advance(timedelta(seconds=31))
    events: list[BotEvent] = []
    while len(events) < count:
        await tick(app)
        events += person.no_more() or [await person.reply()]
    await tick(app)
    return events + person.no_more()


@pytest.mark.parametrize(
    ("change", "held"),
    [
        ("/quitar_rol @carla_puno", "role=official"),
        ("/coordinador @carla_puno Cusco", "role=coordinator coverage=cusco"),
    ],
)
async def test_a_held_staff_reply_is_not_sent_after_the_grant_was_lost(
    api: LocalBotApi,
    app: Application,
    runtime: Runtime,
    admin: Chatter,
    change: str,
    held: str,
) -> None:
    """Attack: Carla, coordinator of Puno, sends /registrados; its reply (Puno's people,
    by name) meets a 429 and waits in the outbox; an administrator takes her role away, or
    narrows her grant to Cusco. Before the fix the outbox sent her the list all the same."""
    await register(admin, region="MINEM")
    carla = await puno_coordinator(api, admin)
    held_texts = {text for text, _ in await _held_reply(api, runtime, carla, "/registrados")}
    (done,) = await admin.say(change)
    assert done.text.startswith("Listo"), done.text
    events = await _after_the_wait(app, runtime, carla, 2)
    texts = [event.text or "" for event in events]
    assert [event.method for event in events] == ["sendMessage", "sendMessage"], texts
    assert "no se entregó: mientras Telegram hacía esperar" in texts[1], texts  # in its place
    assert not held_texts & set(texts), texts
    async with runtime.db.session() as session:
        entries = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "withheld"))
        )
    assert [(e.actor_telegram_id, e.outcome, e.detail) for e in entries] == [
        (carla.id, "denied", held)
    ]


async def test_a_held_reply_no_staff_role_authorised_is_sent_as_before(
    api: LocalBotApi, app: Application, runtime: Runtime, admin: Chatter
) -> None:
    """An official's /ayuda held by a 429 carries no staff need and goes when allowed."""
    await register(admin, region="MINEM")
    carla = await puno_coordinator(api, admin)
    (done,) = await admin.say("/quitar_rol @carla_puno")
    assert done.text.startswith("Listo"), done.text
    await carla.reply()  # the notice of her role taken away
    held = await _held_reply(api, runtime, carla, "/ayuda")
    assert not any(needs for _, needs in held), held
    events = await _after_the_wait(app, runtime, carla, len(held))
    assert [event.text for event in events] == [text for text, _ in held], events


async def test_a_held_reply_to_a_staff_form_answer_is_not_sent_after_the_role_was_lost(
    api: LocalBotApi, app: Application, runtime: Runtime, admin: Chatter
) -> None:
    """Attack: Carla types her broadcast's text into /difundir's form (a typed answer is
    authorised by the form's role, not a command's); the next step (whom to send it to)
    waits for Telegram; her role is taken away. Before, the step was sent all the same."""
    await register(admin, region="MINEM")
    carla = await puno_coordinator(api, admin)
    await carla.say("/difundir", 2)
    held = await _held_reply(api, runtime, carla, "Aviso de prueba para Puno")
    (done,) = await admin.say("/quitar_rol @carla_puno")
    assert done.text.startswith("Listo"), done.text
    events = await _after_the_wait(app, runtime, carla, 2)
    texts = [event.text or "" for event in events]
    assert "le quitó el rol" in texts[0], texts
    assert "no se entregó: mientras Telegram hacía esperar" in texts[1], texts
    assert not {text for text, _ in held} & set(texts), texts
