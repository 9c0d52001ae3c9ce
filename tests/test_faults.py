"""Faults on the way to Telegram and to the database: replies survive 5xx and dropped
connections (bounded retries), a press answered too late still gets its reply (or the
apology), a blocked person is marked inactive, and a PostgreSQL outage gets a polite answer,
half-writes nothing, and heals by itself."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.local_api import Fault, LocalBotApi
from bot.runner import minka
from bot.runtime import Runtime
from storage.models import Person as PersonRow
from tests.chat import Person
from tests.conftest import ADMIN_ID, TOKEN
from tests.helpers import register
from tests.postgres import PostgresServer, start_server


async def test_replies_survive_server_errors_and_dropped_connections(
    api: LocalBotApi, ana: Person
) -> None:
    api.inject("sendMessage", Fault.server_error(502), times=2)
    (reply,) = await ana.say("/ayuda")
    assert "/temas" in reply.text
    api.inject("sendMessage", Fault.disconnect())
    (again,) = await ana.say("/ayuda")
    assert again.text == reply.text
    await asyncio.sleep(0.3)
    assert api.drain(ana.id) == []  # each reply once


async def test_a_lasting_outage_costs_one_reply_not_the_bot(api: LocalBotApi, ana: Person) -> None:
    api.inject("sendMessage", Fault.server_error(500), times=8)  # retries and apology all fail
    await ana.send("/ayuda")
    await asyncio.sleep(5)
    api.drain(ana.id)
    (reply,) = await ana.say("/ayuda")
    assert "/temas" in reply.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # not about the database
async def test_a_press_answered_too_late_still_gets_its_reply(
    api: LocalBotApi, ana: Person
) -> None:
    """Found by the replicas storm: Telegram took the answer to a press after the 5 s
    timeout, the retry was refused ("query is too old") and the reply was never sent."""
    _greeting, notice = await ana.say("/start", 2)
    api.inject("answerCallbackQuery", Fault.stall(5.5))
    data = notice.find_button("Acepto")["callback_data"]
    assert notice.message_id is not None
    await api.callback_answer(await api.press_button(ana.id, notice.message_id, data), 10)
    accepted, *questions = await ana.replies(3, timeout=10)
    assert "✅" in accepted.text and questions[-1].button_texts()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # not about the database
async def test_a_failed_reply_to_an_answered_press_gets_the_apology(
    api: LocalBotApi, ana: Person
) -> None:
    """Found by the replicas storm: the error handler answered the press again, Telegram
    refused ("query is too old": answered already) and the apology was never sent. Now it
    does not answer a press twice."""
    _greeting, notice = await ana.say("/start", 2)
    api.inject("sendMessage", Fault.server_error(500), times=4)  # the retries fail too
    await ana.press(notice, "Acepto")
    accepted, sorry = await ana.replies(2, timeout=15)
    assert "✅" in accepted.text
    assert sorry.text.startswith("Lo siento, algo falló de mi lado.")
    # The press was answered once: the error handler knows it was, and does not try again.
    assert not [r for r in api.refusals if r.method == "answerCallbackQuery"]


async def test_a_person_who_blocked_minka_is_marked_inactive(
    api: LocalBotApi, ana: Person, runtime: Runtime
) -> None:
    await register(ana)
    api.block(ana.id)
    await ana.send("/menu")
    for _ in range(50):
        async with runtime.db.session() as session:
            row = await session.scalar(select(PersonRow).where(PersonRow.telegram_id == ana.id))
        if row is not None and not row.active:
            break
        await asyncio.sleep(0.05)
    assert row is not None and not row.active and row.blocked_at is not None


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[PostgresServer]:
    """A server of this module's own: these tests stop and restart it."""
    server = start_server()
    if isinstance(server, str):
        pytest.skip(server)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def on_own_postgres(api: LocalBotApi, own_postgres: PostgresServer) -> AsyncIterator[Runtime]:
    settings = Settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api.base_url,
        database_url=own_postgres.url("postgres"),
        bot_admin_ids=frozenset({ADMIN_ID}),
        outbox_interval_seconds=3600,
        _env_file=None,
    )
    async with minka(settings, poll_timeout=1) as application:
        yield application.bot_data["runtime"]


async def test_postgres_outage_is_polite_atomic_and_heals(
    api: LocalBotApi, own_postgres: PostgresServer, on_own_postgres: Runtime
) -> None:
    ana = Person(api, 1001, "Ana", last_name="Quispe")
    await register(ana)
    (profile,) = await ana.say("/perfil")
    await asyncio.to_thread(own_postgres.pause)
    try:
        (sorry,) = await ana.say("/menu", timeout=30)
        assert sorry.text == (
            "No puedo comunicarme con mi base de datos en este momento, así que no se guardó "
            "nada. Por favor, inténtelo de nuevo en un minuto."
        )
    finally:
        await asyncio.to_thread(own_postgres.resume)
    (menu,) = await ana.say("/menu", timeout=30)  # the pool reconnects by itself
    assert menu.button_texts()
    async with on_own_postgres.db.session() as session:
        rows = (await session.scalars(select(PersonRow))).all()
    assert [row.full_name for row in rows] == ["Ana Quispe"]
    assert profile.text  # the profile shown before the outage is unchanged
