"""Zoila, who does everything Minka records, is an administrator in these tests."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.local_api import LocalBotApi
from tests.conftest import ADMIN_ID
from tests.erasure.story import ZOILA_ID


@pytest.fixture
def settings(api: LocalBotApi, database_url: str) -> Settings:
    """Zoila is an administrator (BOT_ADMIN_IDS), so she can do everything Minka records."""
    return Settings(
        telegram_bot_token="123456789:AAEminkaTESTtokenABCDEFGHIJKLMNOPQRS",
        telegram_api_base_url=api.base_url,
        database_url=database_url,
        bot_admin_ids=frozenset({ADMIN_ID, ZOILA_ID}),
        outbox_interval_seconds=3600,
        flood_limit=10_000,
        _env_file=None,
    )
