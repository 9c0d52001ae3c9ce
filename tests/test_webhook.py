"""Webhook mode over real HTTP: the secret-token check, /healthz, an update delivered twice
having its effects once, graceful shutdown, and two replicas behind one URL on one database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from telegram import CallbackQuery, Chat, InlineQuery, Message, Update, User
from telegram.ext import Application

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.webhook import SECRET_HEADER, serving
from handlers.update_keys import update_key
from storage.models import Person as PersonRow
from storage.models import ProcessedUpdate, Question
from tests.chat import Person
from tests.conftest import ADMIN_ID, TOKEN
from tests.helpers import register
from tests.postgres import _free_port

SECRET = "minka-webhook-secret_0123456789abcdef"  # 32+ characters, as required


def webhook_settings(api: LocalBotApi, database_url: str, port: int) -> Settings:
    return Settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api.base_url,
        database_url=database_url,
        bot_admin_ids=frozenset({ADMIN_ID}),
        outbox_interval_seconds=3600,
        webhook_url="https://minka.example.org/telegram",
        webhook_secret=SECRET,
        host="127.0.0.1",
        port=port,
        _env_file=None,
    )


def message_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    """A private message from Ana, as Telegram posts it to a webhook."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1790000000,
            "chat": {"id": user_id, "type": "private", "first_name": "Ana"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Ana"},
            "text": text,
        },
    }


@pytest.fixture
async def replica(api: LocalBotApi, database_url: str) -> AsyncIterator[tuple[str, Application]]:
    """One Minka in webhook mode; yields its URL and the application (for its clock)."""
    port = _free_port()
    async with serving(webhook_settings(api, database_url, port)) as application:
        yield f"http://127.0.0.1:{port}", application


@pytest.fixture
async def replicas(
    api: LocalBotApi, database_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[list[str]]:
    """Minka in webhook mode (`count` replicas on the same database); yields their URLs."""
    count = getattr(request, "param", 1)
    urls = []
    async with AsyncExitStack() as stack:
        for number in range(count):
            port = _free_port()
            settings = webhook_settings(api, database_url, port)
            await stack.enter_async_context(serving(settings, register_webhook=number == 0))
            urls.append(f"http://127.0.0.1:{port}")
        api.deliver_webhooks([f"{url}/telegram" for url in urls])
        yield urls


async def test_secret_health_and_a_conversation(api: LocalBotApi, replicas: list[str]) -> None:
    (url,) = replicas
    async with aiohttp.ClientSession() as http:
        update = {
            "update_id": 999,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 5, "type": "private"},
                "text": "hola",
            },
        }
        async with http.post(f"{url}/telegram", json=update) as response:
            assert response.status == 403
        headers = {SECRET_HEADER: "wrong"}
        async with http.post(f"{url}/telegram", json=update, headers=headers) as response:
            assert response.status == 403
        headers = {SECRET_HEADER: SECRET}
        async with http.post(f"{url}/telegram", data=b"{not json", headers=headers) as response:
            assert response.status == 400
        async with http.get(f"{url}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok", "database": "ok"}
    ana = Person(api, 1001, "Ana", last_name="Quispe")
    greeting, notice = await ana.say("/start", 2)
    assert "Minka" in greeting.text and "Acepto" in notice.button_texts()[0]


@pytest.mark.parametrize(
    "body", [b"[]", b"1", b'"x"', b"null", b"true", b'{"update_id": 1, "message": 5}']
)
async def test_json_that_is_not_an_update_is_a_400(
    replica: tuple[str, Application], body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """A body that parses as JSON but is no update object is refused, not a 500."""
    url, _application = replica
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{url}/telegram", data=body, headers={SECRET_HEADER: SECRET}) as response,
    ):
        assert response.status == 400
        assert await response.text() == "bad update"
    assert "Traceback" not in caplog.text and "Error handling request" not in caplog.text


async def test_wrong_secrets_are_counted_and_logged_once_a_minute(
    replica: tuple[str, Application], caplog: pytest.LogCaptureFixture
) -> None:
    url, application = replica
    runtime: Runtime = application.bot_data["runtime"]
    caplog.set_level(logging.WARNING, logger="bot.webhook")

    async def knock(times: int) -> None:
        async with aiohttp.ClientSession() as http:
            for _ in range(times):
                headers = {SECRET_HEADER: "guess"}
                async with http.post(f"{url}/telegram", json={}, headers=headers) as response:
                    assert response.status == 403

    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if "secret" in r.getMessage()]

    await knock(50)
    assert len(lines()) == 1 and "1 " in lines()[0]  # the first one at once
    runtime.clock.advance(timedelta(seconds=61))
    await knock(1)
    assert len(lines()) == 2
    assert "50 " in lines()[1]  # the 49 held back and this one
    assert "guess" not in caplog.text


async def test_an_update_delivered_twice_has_its_effects_once(
    api: LocalBotApi, replicas: list[str], database_url: str
) -> None:
    ana = Person(api, 1001, "Ana", last_name="Quispe")
    await register(ana)
    (url,) = replicas
    update = message_update(5000, ana.id, "¿Qué es el REINFO?")
    async with aiohttp.ClientSession() as http:
        for _ in range(2):  # as Telegram does when the first answer was too slow
            async with http.post(
                f"{url}/telegram", json=update, headers={SECRET_HEADER: SECRET}
            ) as response:
                assert response.status == 200
    await asyncio.sleep(1.0)
    answers = [e for e in api.drain(ana.id) if e.method == "sendMessage"]
    texts = [event.text for event in answers]
    assert any(text.startswith("¿Qué es el REINFO?") for text in texts)
    assert len(texts) == len(set(texts)) == 2  # the glossary entry and the article, once each
    from storage.db import Database

    db = Database(database_url)
    async with db.session() as session:
        questions = await session.scalar(select(func.count()).select_from(Question))
        processed = await session.scalar(
            select(func.count())
            .select_from(ProcessedUpdate)
            .where(ProcessedUpdate.key.startswith("5000:"))
        )
    await db.dispose()
    assert questions == 1 and processed == 1


@pytest.mark.parametrize("replicas", [2], indirect=True)
async def test_two_replicas_share_conversations(
    api: LocalBotApi, replicas: list[str], database_url: str
) -> None:
    """Registration's steps land on alternate replicas; nothing is lost or done twice."""
    people = [Person(api, 2000 + n, f"Persona{n}") for n in range(3)]
    for person in people:
        await register(person, region="Piura")
    from storage.db import Database

    db = Database(database_url)
    async with db.session() as session:
        registered = await session.scalar(
            select(func.count()).select_from(PersonRow).where(PersonRow.registered_at.is_not(None))
        )
    await db.dispose()
    assert registered == 3
    targets = {target for _id, target, _status in api._pusher.deliveries}  # type: ignore[union-attr]
    assert len(targets) == 2  # both replicas took part


async def test_shutdown_finishes_the_updates_already_accepted(
    api: LocalBotApi, database_url: str
) -> None:
    ana = Person(api, 1001, "Ana", last_name="Quispe")
    api.open_chat(ana.id)  # she wrote before; this update comes straight to the webhook
    port = _free_port()
    update = message_update(7000, ana.id, "/ayuda")
    update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 6}]
    async with (
        serving(webhook_settings(api, database_url, port)),
        aiohttp.ClientSession() as http,
        http.post(
            f"http://127.0.0.1:{port}/telegram", json=update, headers={SECRET_HEADER: SECRET}
        ) as response,
    ):
        assert response.status == 200
        # SIGTERM would end the block here, right after the update was accepted.
    (reply,) = [e for e in api.drain(ana.id) if e.method == "sendMessage"]
    assert "/temas" in reply.text


def test_update_keys_tell_repeats_from_reused_ids() -> None:
    """Same update again: same key. The same id on another message, a press or an edit (Telegram
    may restart its numbering): another key, so it is handled."""
    ana = User(7, "Ana", is_bot=False)
    chat = Chat(7, Chat.PRIVATE)
    sent = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    def message(number: int, *, edited: bool = False) -> Message:
        return Message(
            number, sent, chat, from_user=ana, text="hola", edit_date=sent if edited else None
        )

    def keyed(update: Update) -> str:
        return update_key(update, b"k" * 32)

    first = Update(500, message=message(10))
    keys = {
        keyed(Update(500, message=message(11))),
        keyed(Update(500, edited_message=message(10, edited=True))),
        keyed(Update(500, callback_query=CallbackQuery("q1", ana, "c", data="menu:main"))),
        keyed(Update(500, callback_query=CallbackQuery("q2", ana, "c", data="menu:main"))),
        keyed(Update(500, inline_query=InlineQuery("i", ana, "q", ""))),
    }
    assert keyed(Update.de_json(first.to_dict(), None)) == keyed(first)
    assert len(keys | {keyed(first)}) == 6
    assert all(len(key) <= 60 for key in keys)  # the column's size
    assert update_key(first, b"other key" * 4) != keyed(first)  # keyed: see tests/erasure
