"""Replies under a lasting flood control (issue #18): for `OUTAGE` seconds the Bot API answers
every call, getUpdates included, with 429. Replies that get a 429 wait in the outbox and go
out as soon as Telegram allows: every question gets exactly one answer, none doubled, in
order per person (a stranger's greeting too, who has no person row yet); one warning per
held update, no error, no traceback."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.held import KIND
from bot.local_api import Fault, LocalBotApi
from bot.outbox import KEEP_CLAIM, STALE_AFTER, tick
from bot.runtime import Runtime
from bot.services import privacy
from storage.models import OutboxMessage
from tests.chat import Person
from tests.helpers import question_to_answer, register
from tests.test_flood_lasting import REFUSAL

# Seconds of 429 for every call, at retry_after REFUSAL (0.2 s): many times the rate limiter's
# retries (1.2 s), as the 10 s at retry_after 1 that this was were (3.3 s).
OUTAGE = 5.0
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


async def test_a_flood_control_of_every_call_loses_and_doubles_no_reply(
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

    # Round 0 reaches Minka's waiting long poll; then every call gets 429 for OUTAGE seconds.
    for number, person in enumerate(people):
        await person.send(ROUNDS[0][number])
    await stranger.send("/start")
    api.inject_for("*", Fault.too_many_requests(REFUSAL), seconds=OUTAGE)
    for round_texts in ROUNDS[1:]:  # typed during the outage
        await asyncio.sleep(OUTAGE / 3)
        for number, person in enumerate(people):
            await person.send(round_texts[number])
    await asyncio.sleep(OUTAGE / 3)
    await _idle(api, quiet=3.0)

    for person in people:
        assert _said(api, person.id, start) == expected[person.id]
    greeting = _said(api, stranger.id, start)
    # The stranger reads the greeting, then the consent summary (febbcf6).
    assert [text[:7] for _method, text in greeting] == ["¡Hola, ", "🔒 Sus d"]
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
async def test_a_file_held_back_arrives_after_the_outage(
    api: LocalBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    """A document still refused after the retries waits in memory (never in the database:
    it may hold personal data) and arrives once Telegram allows, once, after the reply
    before it. Before, a notice took its place and the person had to ask again."""
    ana = Person(api, 8500, "Ana", last_name="Quispe")
    await register(ana)
    api.inject_for("sendDocument", Fault.too_many_requests(1), seconds=8)
    ends = asyncio.get_running_loop().time() + 8
    intro, document = await ana.say("/mis_datos", 2, timeout=40)
    assert intro.text.startswith("Aquí tiene todo lo que Minka guarda sobre usted")
    assert document.method == "sendDocument"
    assert document.params["caption"] == "Sus datos en Minka"
    assert asyncio.get_running_loop().time() >= ends
    assert [r for r in caplog.records if "not made" in r.getMessage()] == []
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []


async def _logged(caplog: pytest.LogCaptureFixture, fragment: str, times: int = 1) -> None:
    for _ in range(300):
        if sum(fragment in record.getMessage() for record in caplog.records) >= times:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never logged: {fragment}")


async def _attempts(api: LocalBotApi, method: str, chat_id: int, more_than: int) -> int:
    """Until the bot made more than `more_than` calls of `method` to the chat, failed or not."""
    for _ in range(300):
        made = sum(
            1 for name, params in api.calls if name == method and params.get("chat_id") == chat_id
        )
        if made > more_than:
            return made
        await asyncio.sleep(0.02)
    raise AssertionError(f"no {method} to {chat_id}")


async def _held_reply_in_flight(
    api: LocalBotApi, ana: Person, caplog: pytest.LogCaptureFixture, outbox_faults: list[Fault]
) -> None:
    """/ayuda held back at its first 429 (bot/ratelimit.py `holding`); then the outbox's
    attempt to send it meets `outbox_faults` (one per call)."""
    api.inject("sendMessage", Fault.too_many_requests(1), times=1)
    await ana.send("/ayuda")
    await _logged(caplog, "1 reply held for the outbox (flood control")
    before = await _attempts(api, "sendMessage", ana.id, 0)
    for fault in outbox_faults:
        api.inject("sendMessage", fault, times=1)
    await _attempts(api, "sendMessage", ana.id, before)  # the outbox's first attempt: refused


# What the outbox's first try of the held /ayuda meets, and how long Ana may wait for it.
OUTBOX_TRIES = {
    # put back by a 429 when Ana writes again: another round must not send hers first
    "retrying": ([Fault.too_many_requests(3)], 20),
    # its next tries meet 429 too: each time back to the outbox, due when Telegram allows
    "put back": ([Fault.too_many_requests(2)] * 4, 30),
    # a 502: Ana is waiting, so it is tried again within seconds (it used to wait a minute,
    # as a survey would, and her next replies waited behind it)
    "passing failure": ([Fault.server_error(502)], 20),
}


@pytest.mark.usefixtures("runtime")
@pytest.mark.parametrize("what", OUTBOX_TRIES)
async def test_a_reply_never_overtakes_a_held_one(
    api: LocalBotApi, caplog: pytest.LogCaptureFixture, what: str
) -> None:
    """Ana writes again while the outbox is sending her held /ayuda (OUTBOX_TRIES): her new
    reply queues behind it, both arrive, in order, once."""
    faults, timeout = OUTBOX_TRIES[what]
    ana = Person(api, 8600 + 50 * list(OUTBOX_TRIES).index(what), "Ana", last_name="Quispe")
    await register(ana)
    (help_text,) = await ana.say("/ayuda")
    (glossary,) = await ana.say("/glosario")
    await _held_reply_in_flight(api, ana, caplog, faults)
    await ana.send("/glosario")
    await _logged(caplog, "1 reply held for the outbox (earlier replies to this chat are waiting)")
    first, second = await ana.replies(2, timeout=timeout)
    assert (first.text, second.text) == (help_text.text, glossary.text)
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []


async def test_a_held_reply_refused_again_goes_back_to_the_outbox_at_once(
    api: LocalBotApi, app: Application, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram asks the outbox to wait longer than KEEP_CLAIM before the held /ayuda: the
    row goes back to the outbox at once, pending, due when Telegram allows. (It used to wait
    in memory marked «sending», its claim kept fresh: a kill then left it «unknown», never
    sent, tests/test_flood_retry_replicas.py.) The outbox's recovery of a dead process's
    claims, past STALE_AFTER, has nothing to take; Ana's next reply waits behind it; both
    come, in order, once."""
    ana = Person(api, 8900, "Ana", last_name="Quispe")
    await register(ana)
    (help_text,) = await ana.say("/ayuda")
    (glossary,) = await ana.say("/glosario")
    wait = KEEP_CLAIM + timedelta(seconds=2)
    await _held_reply_in_flight(api, ana, caplog, [Fault.too_many_requests(wait.seconds)])
    for _ in range(100):  # put back once refused
        async with runtime.db.session() as session:
            row = select(OutboxMessage.state).where(OutboxMessage.kind == KIND)
            if list(await session.scalars(row)) == ["pending"]:
                break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the held reply was not put back: it waits in memory")
    await ana.send("/glosario")
    await _logged(caplog, "1 reply held for the outbox (earlier replies to this chat are waiting)")
    runtime.clock.advance(STALE_AFTER + wait)  # both due; a claim that old would be stale
    await tick(app)  # with the outbox's recovery of a dead process's claims
    first, second = await ana.replies(2, timeout=20)
    assert (first.text, second.text) == (help_text.text, glossary.text)
    assert [r for r in caplog.records if "half-sent" in r.getMessage()] == []
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []


@pytest.mark.usefixtures("runtime")
async def test_a_change_of_buttons_held_back_is_made_later(
    api: LocalBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    """«Was this useful?» answered under a lasting flood control: the buttons that show the
    choice are not dropped but changed once Telegram allows, and nothing else is said."""
    ana = Person(api, 8800, "Ana", last_name="Quispe")
    await register(ana)
    *_definition, article = await ana.say("que es el reinfo", 2)
    api.inject("editMessageReplyMarkup", Fault.too_many_requests(1), times=4)
    await ana.press(article, "👍")
    await _logged(caplog, "1 reply held for the outbox (flood control")
    (edit,) = await ana.replies(1, timeout=15)
    assert edit.method == "editMessageReplyMarkup" and edit.message_id == article.message_id
    assert "✓ 👍 Sí" in edit.button_texts()
    assert [r for r in caplog.records if "other calls dropped" in r.getMessage()] == []
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []


async def test_a_specialists_answer_held_back_reaches_the_asker_later(
    api: LocalBotApi, ana: Person, admin: Person, caplog: pytest.LogCaptureFixture
) -> None:
    """Flood control refuses the answer to Ana's question and the specialist's «sent» after
    the retries: both wait in the outbox and arrive once, instead of the answer being lost."""
    await register(ana, region="Piura")
    await register(admin, region="MINEM")
    await question_to_answer(ana, admin, "como saco mi brevete en piura")
    api.inject("sendMessage", Fault.too_many_requests(1), times=8)  # 4 tries of each
    await admin.send("Eso lo ve el MTC, no la DREM.")
    delivered = await ana.reply(timeout=15)
    assert "Un especialista respondió su pregunta" in delivered.text
    assert "Eso lo ve el MTC, no la DREM." in delivered.text
    confirmation, offer = await admin.replies(2, timeout=15)
    assert "Respuesta enviada" in confirmation.text
    assert "¿Enseñar esta pregunta a Minka?" in offer.text  # held too, after it
    await asyncio.sleep(1)
    assert (ana.no_more(), admin.no_more()) == ([], [])
