"""Fixtures of the local Bot API server's tests: a server with one person (USER), a
python-telegram-bot `Bot` talking to it, and USER's private chat. They replace the suite's
`api` and `bot` fixtures (a server for Minka, Minka's settings) in this folder."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram

from bot.local_api import LocalBotApi
from tests.local_api.wire import USER


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi() as server:
        server.add_user(USER, "Ana", username="ana_q")
        yield server


@pytest.fixture
async def bot(api: LocalBotApi) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        api.token, base_url=api.base_url, base_file_url=api.base_file_url
    ) as client:
        yield client


@pytest.fixture
async def chat(api: LocalBotApi) -> int:
    """The private chat of USER, opened by the user writing /start."""
    await api.send_message(USER, "/start")
    return USER
