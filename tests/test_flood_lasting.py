"""A lasting flood control (Telegram answering 429 with retry_after for longer than the rate
limiter's and any caller's retries) delays what Minka owes, never drops it: an invitation's
.ics file after its text, the command menu of someone given a role, the menus set at start-up
(without holding the start up), and a message that then meets a passing failure (waiting out
429s spends none of its tries)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select
from telegram.ext import Application

from bot.local_api import Fault, LocalBotApi
from bot.outbox import MAX_ATTEMPTS, tick
from bot.runtime import Runtime
from storage.models import OutboxMessage
from tests.chat import Person
from tests.conftest import ADMIN_ID
from tests.helpers import broadcast_to, register
from tests.test_meetings import _create


def flood_rounds(kept: str) -> float:
    """minka_flood_rounds_total{kept} so far in this process."""
    return REGISTRY.get_sample_value("minka_flood_rounds_total", {"kept": kept}) or 0.0


# 429s in a row where the count, not the clock, is what lasts: more than the 20 (five tries
# of the rate limiter's four calls, ~21 s at retry_after 1) after which Minka used to give up.
LASTING = 24
# Their retry_after: Telegram says whole seconds; a fifth of one makes as many refusals,
# each waited out as Telegram asks, in a fifth of the time (26 s a test at retry_after 1).
REFUSAL = 0.2


def refused(api: LocalBotApi, method: str) -> int:
    """Calls of `method` Telegram was asked so far (each injected 429 answers one)."""
    return sum(1 for name, _params in api.calls if name == method)


async def test_an_invitations_file_outlasts_a_lasting_flood_control(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """The text arrives; the .ics refused again and again (LASTING times, each round past
    the refusal's retry_after on the runtime's clock) is put back with the message (which
    remembers that its text went) and sent alone once Telegram allows: the text once, the
    file once."""
    ana = Person(api, 7101, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await _create(runtime)
    api.inject("sendDocument", Fault.too_many_requests(1), times=LASTING)
    await tick(app)
    invitation = await ana.reply()
    assert "Está invitado/a" in invitation.text
    arrived: list = []
    for _ in range(2 * LASTING):  # a round a refusal at the least, and rounds to spare
        runtime.clock.advance(timedelta(seconds=2))  # past the postponed message's retry_after
        await tick(app)
        arrived = api.drain(ana.id)
        if arrived:
            break
    (calendar,) = arrived
    assert calendar.method == "sendDocument"
    assert b"BEGIN:VCALENDAR" in api.files[calendar.params["file_id"]]
    assert refused(api, "sendDocument") == LASTING + 1  # after every refusal, and sent once
    runtime.clock.advance(timedelta(minutes=1))
    await tick(app)
    await asyncio.sleep(0.5)
    assert api.drain(ana.id) == []  # the text was not sent again, nor the file


def _menu(api: LocalBotApi, person: Person) -> list[str]:
    return [c["command"] for c in api.commands({"type": "chat", "chat_id": person.id})]


async def test_a_new_coordinators_menu_outlasts_a_lasting_flood_control(
    api: LocalBotApi, ana: Person, admin: Person
) -> None:
    """The menu is owed with the role (in its transaction) and sent by the outbox, which
    puts it back while Telegram refuses: it is set after the outage, then the notice."""
    await register(ana)
    api.drain(ana.id)
    api.inject("setMyCommands", Fault.too_many_requests(REFUSAL), times=LASTING)
    (done,) = await admin.say("/coordinador @anaq Puno")
    assert "ahora tiene el rol de coordinador/a" in done.text
    for _ in range(int(LASTING * 3 / 0.1)):
        if "registrados" in _menu(api, ana):
            break
        await asyncio.sleep(0.1)
    assert refused(api, "setMyCommands") > LASTING  # set after every refusal, not before
    assert "registrados" in _menu(api, ana) and "coordinador" not in _menu(api, ana)
    (notice,) = await ana.replies(1, timeout=10)
    assert "le asignó el rol de coordinador/a" in notice.text
    await asyncio.sleep(0.5)
    assert api.drain(ana.id) == []


async def test_an_erased_coordinators_menu_is_cleared_after_a_lasting_flood_control(
    api: LocalBotApi, ana: Person, admin: Person
) -> None:
    """/borrar_mis_datos takes a coordinator's own menu away (deleteMyCommands). Telegram
    refusing it with 429 past the rate limiter's retries must delay it, not drop it: the
    menu is cleared after the outage and the person still reads that their data is gone.
    Before, the refusal was swallowed with every other TelegramError and the chat kept the
    coordinator's commands."""
    await register(ana)
    await admin.say("/coordinador @anaq Puno")
    await ana.reply()  # the notice of the new role
    for _ in range(50):
        if "registrados" in _menu(api, ana):
            break
        await asyncio.sleep(0.1)
    assert "registrados" in _menu(api, ana)
    (question,) = await ana.say("/borrar_mis_datos")
    api.inject("deleteMyCommands", Fault.too_many_requests(REFUSAL), times=LASTING)
    await ana.press(question, "Sí, borrar")
    replies = await ana.replies(1, timeout=20)
    assert "fueron borrados" in replies[0].text
    for _ in range(int(LASTING * 3 / 0.1)):
        if not _menu(api, ana):
            break
        await asyncio.sleep(0.1)
    assert _menu(api, ana) == []  # cleared, not dropped
    assert refused(api, "deleteMyCommands") > LASTING  # cleared after every refusal
    await asyncio.sleep(0.5)
    assert api.drain(ana.id) == []  # no «press again» notice: nothing was given up


@pytest.fixture
async def menus_flooded(api: LocalBotApi) -> Person:
    """Before Minka starts: the administrator (BOT_ADMIN_IDS, not registered) has written to
    it, and setMyCommands answers the next LASTING calls with 429. The admin."""
    rosa = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await rosa.send("/start")
    api.inject("setMyCommands", Fault.too_many_requests(REFUSAL), times=LASTING)
    return rosa


async def test_start_up_menus_outlast_a_lasting_flood_control(
    menus_flooded: Person, api: LocalBotApi, app: Application
) -> None:
    """Everyone's menu (Spanish, whatever the app's language) and the admin's own are set
    once Telegram allows, however long it refuses; meanwhile Minka has started and answers.
    Before, start-up waited through five tries of the first menu (20 refusals, ~21 s without
    a reply), then gave up on every menu until the next start."""
    rosa = menus_flooded
    counted = flood_rounds("start_menus")
    await rosa.reply()  # the answer to the /start sent before Minka started
    # Start-up was not held up by the flood: answered within three rounds of four refusals.
    assert refused(api, "setMyCommands") < LASTING // 2
    everyone = {"type": "all_private_chats"}
    own = {"type": "chat", "chat_id": rosa.id}
    for _ in range(int(3 * LASTING / 0.1)):
        if api.commands(own) and api.commands(everyone):
            break
        await asyncio.sleep(0.1)
    assert refused(api, "setMyCommands") >= LASTING + 2  # set after every refusal
    assert [c["command"] for c in api.commands(everyone)][:1] == ["start"]
    assert "coordinador" not in [c["command"] for c in api.commands(everyone)]
    assert api.commands(everyone, language_code="en") == []  # English apps read it too
    assert "coordinador" in [c["command"] for c in api.commands(own)]
    assert flood_rounds("start_menus") > counted  # each wait told to the metrics


async def test_a_role_granted_before_registering_is_in_the_menu_once_registered(
    app: Application, api: LocalBotApi, admin: Person
) -> None:
    """A role granted to someone who has not come yet is theirs when they accept the
    notice: so is its command menu (before, only the next start-up set it)."""
    (done,) = await admin.say("/especialista 7102")
    assert "tendrá el rol de especialista" in done.text
    luz = Person(api, 7102, "Luz", last_name="Condori")
    await register(luz)
    await tick(app)
    assert "preguntas" in _menu(api, luz)
    assert "coordinador" not in _menu(api, luz)


async def test_waiting_out_flood_control_spends_none_of_a_messages_tries(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """More rounds of 429s than a message has tries for failures, then one passing failure
    (a 502), then success: the message arrives, once. Rounds spent waiting out flood control
    are not failures; each is put back from the refusal on (plus retry_after), so the round
    that was refused does not take it again at once."""
    ana = Person(api, 7103, "Ana", last_name="Quispe")
    await register(ana)
    await broadcast_to(runtime, ana, "Aviso que espera su turno")
    # A round makes one call (put back at its first 429, bot/ratelimit.py `holding`): twice
    # MAX_ATTEMPTS rounds of 429s, then the 502.
    api.inject("sendMessage", Fault.too_many_requests(1), times=2 * MAX_ATTEMPTS)
    api.inject("sendMessage", Fault.server_error(502), times=1)
    counted = flood_rounds("broadcast")
    assert await tick(app) == 0
    async with runtime.db.session() as session:
        state, due_at = (
            await session.execute(select(OutboxMessage.state, OutboxMessage.due_at))
        ).one()
    assert state == "pending"
    assert due_at > runtime.clock.now()  # not due again before Telegram allows
    rounds, arrived = 1, []
    while not arrived and rounds < 4 * MAX_ATTEMPTS + 3:
        runtime.clock.advance(timedelta(minutes=5))  # past retry_after, and the 502's backoff
        await tick(app)
        rounds += 1
        arrived = api.drain(ana.id)
    assert [event.text for event in arrived] == ["Aviso que espera su turno"]
    assert rounds > MAX_ATTEMPTS  # the 429s did last more rounds than a failure's tries
    assert flood_rounds("broadcast") - counted == 2 * MAX_ATTEMPTS  # each one counted
    runtime.clock.advance(timedelta(hours=1))
    await tick(app)
    await asyncio.sleep(0.5)
    assert api.drain(ana.id) == []
    async with runtime.db.session() as session:
        assert await session.scalar(select(OutboxMessage.state)) == "sent"
