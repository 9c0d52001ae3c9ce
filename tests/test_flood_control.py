"""Replies under a lasting flood control (issue #18): for ten seconds the Bot API answers
every call, getUpdates included, with 429. Replies that still get 429 after the rate
limiter's retries wait in the outbox and go out as soon as Telegram allows: every question
gets exactly one answer, none doubled, in order per person (a stranger's greeting too, who
has no person row yet); one warning per held update, no error, no traceback."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import select

from bot.held import KIND
from bot.local_api import Fault, LocalBotApi
from bot.runtime import Runtime
from bot.services import privacy
from storage.models import OutboxMessage
from tests.chat import Person
from tests.helpers import register

OUTAGE = 10.0  # seconds of 429 for every call
ROUNDS = [  # what each person sends: before the outage, and twice during it
    ["¿Cómo se reparte el canon minero?", "/ayuda", "/glosario"],
    ["/menu", "que es el reinfo", "/temas"],
    ["/ayuda", "/casos", "¿Qué es el IGAFOM?"],
]


async def _idle(api: LocalBotApi, quiet: float = 0.5, timeout: float = 60.0) -> None:
    """Until Minka did nothing for `quiet` seconds and fetched every update."""
    loop = asyncio.get_running_loop()
    deadline, count, changed = loop.time() + timeout, -1, loop.time()
    while loop.time() < deadline:
        if len(api.events) != count:
            count, changed = len(api.events), loop.time()
        if not api.pending_updates and loop.time() - changed >= quiet:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("Minka kept busy")


def _said(api: LocalBotApi, chat_id: int, since: int) -> list[tuple[str, str]]:
    return [
        (event.method, event.text or "")
        for event in api.events[since:]
        if event.chat_id == chat_id and event.method in ("sendMessage", "editMessageText")
    ]


async def test_a_ten_second_flood_control_loses_and_doubles_no_reply(
    api: LocalBotApi, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    people = [Person(api, 8200 + n, f"P{n}", last_name="Quispe") for n in range(3)]
    for person in people:
        await register(person)
    stranger = Person(api, 8299, "Zoë")
    # What each one is answered when nothing goes wrong, sent as it will be in the storm.
    control = Person(api, 8300, "Control", last_name="Quispe")
    await register(control)
    expected: dict[int, list[tuple[str, str]]] = {}
    for number, person in enumerate(people):
        start = len(api.events)
        for text in (texts[number] for texts in ROUNDS):
            await control.send(text)
            await _idle(api)
        expected[person.id] = _said(api, control.id, start)
    caplog.clear()
    start = len(api.events)

    # Round 0 reaches Minka's waiting long poll; then every call gets 429 for ten seconds.
    for number, person in enumerate(people):
        await person.send(ROUNDS[0][number])
    await stranger.send("/start")
    api.inject_for("*", Fault.too_many_requests(1), seconds=OUTAGE)
    for round_texts in ROUNDS[1:]:  # typed during the outage
        await asyncio.sleep(OUTAGE / 3)
        for number, person in enumerate(people):
            await person.send(round_texts[number])
    await asyncio.sleep(OUTAGE / 3)
    await _idle(api, quiet=3.0)

    for person in people:
        assert _said(api, person.id, start) == expected[person.id]
    greeting = _said(api, stranger.id, start)
    assert [text[:7] for _method, text in greeting] == ["¡Hola, ", "🔒 Aviso"]
    held = [r for r in caplog.records if "held for the outbox" in r.getMessage()]
    assert held and all(r.levelno == logging.WARNING and not r.exc_info for r in held)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    async with runtime.db.session() as session:
        rows = (
            (await session.execute(select(OutboxMessage).where(OutboxMessage.kind == KIND)))
            .scalars()
            .all()
        )
    assert rows and {row.state for row in rows} == {"sent"}
    assert all(row.payload == {} for row in rows)  # no copy of the texts kept
    held_for = {row.chat_id for row in rows}
    [erased, *_] = [person for person in people if person.id in held_for]  # round 0 was held
    async with runtime.db.session() as session:  # /borrar_mis_datos: not even the chat id
        key = runtime.settings.pseudonym_secret
        assert await privacy.erase(session, erased.id, key=key, now=runtime.clock.now())
    async with runtime.db.session() as session:
        chats = set(await session.scalars(select(OutboxMessage.chat_id)))
    assert erased.id not in chats


async def test_new_replies_queue_behind_held_ones(
    api: LocalBotApi, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """A person writes again while their last reply waits in the outbox: the new reply
    waits behind it instead of overtaking it."""
    ana = Person(api, 8400, "Ana", last_name="Quispe")
    await register(ana)
    (help_text,) = await ana.say("/ayuda")
    (glossary,) = await ana.say("/glosario")
    api.inject_for("sendMessage", Fault.too_many_requests(1), seconds=6)

    async def logged(fragment: str) -> None:
        for _ in range(200):
            if any(fragment in record.getMessage() for record in caplog.records):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"never logged: {fragment}")

    await ana.send("/ayuda")
    await logged("1 reply held for the outbox (flood control")
    await ana.send("/glosario")
    await logged("1 reply held for the outbox (earlier replies to this chat are waiting)")
    first, second = await ana.replies(2, timeout=15)
    assert (first.text, second.text) == (help_text.text, glossary.text)
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []


@pytest.mark.usefixtures("runtime")
async def test_a_file_held_back_becomes_a_notice_in_its_place(
    api: LocalBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    """A document still refused after the retries is not stored (it may hold personal data
    and is rebuilt on request): the person is told, in order, instead of getting nothing."""
    ana = Person(api, 8500, "Ana", last_name="Quispe")
    await register(ana)
    api.inject_for("sendDocument", Fault.too_many_requests(1), seconds=6)
    intro, notice = await ana.say("/mis_datos", 2, timeout=20)
    assert intro.text.startswith("Aquí tiene todo lo que Minka guarda sobre usted")
    assert notice.method == "sendMessage"
    assert notice.text == (
        "Telegram me pidió esperar y no pude enviarle el archivo «mis_datos_minka.json». "
        "Por favor, vuelva a pedirlo en un minuto."
    )
    assert [r for r in caplog.records if "other calls dropped" in r.getMessage()] == []
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []
    (_intro, document) = await ana.say("/mis_datos", 2, timeout=20)  # after the outage: the file
    assert document.method == "sendDocument"
