"""An administrator by BOT_ADMIN_IDS has a row in app_state that names her chat: start-up
records whose chat it gave an administrator's menu (handlers/command_menu.py, `ADMIN_MENU`),
so that once she is out of BOT_ADMIN_IDS her menu is taken away. After her erasure that row
kept her Telegram id: the one trace left of her. Now erasure drops it, and someone known only
by it can erase it. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from handlers.command_menu import ADMIN_MENU
from storage.repositories import app_state
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.erasure.story import FIRST, LAST, USERNAME, ZOILA_ID, leaks_in
from tests.erasure.sweep import dump_database
from tests.helpers import register
from tests.test_former_admin_menu import _menus_recorded


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Zoila is an administrator by the configuration, beside Rosa."""
    return settings.model_copy(update={"bot_admin_ids": frozenset({ADMIN_ID, ZOILA_ID})})


async def _admin_menu_recorded(api: LocalBotApi, runtime: Runtime) -> Chatter:
    """Zoila has written to Minka; start-up gave her chat the admin menu and recorded it."""
    zoila = Chatter(api, ZOILA_ID, FIRST, last_name=LAST, username=USERNAME)
    api.open_chat(zoila.id)
    assert await _menus_recorded(runtime.db, 60)
    async with runtime.db.session() as session:
        assert await app_state.get(session, f"{ADMIN_MENU}{ZOILA_ID}") is not None
    return zoila


async def _erase(zoila: Chatter) -> None:
    (question,) = await zoila.say("/borrar_mis_datos")
    await zoila.press(question, "Sí, borrar")
    assert "fueron borrados" in (await zoila.reply()).text


async def test_an_admins_erasure_drops_her_menu_row(api: LocalBotApi, runtime: Runtime) -> None:
    """Failed before the fix: `app_state.key: "command menu admin:7919350413"` was left."""
    zoila = await _admin_menu_recorded(api, runtime)
    await register(zoila, region="Puno")
    await _erase(zoila)
    leaks = leaks_in(await dump_database(runtime))
    assert leaks == [], "\n".join(leaks)


async def test_an_admin_known_only_by_her_menu_row_can_erase_it(
    api: LocalBotApi, runtime: Runtime
) -> None:
    """She never registered nor acted: before the fix /borrar_mis_datos answered that Minka
    held nothing about her, while the row kept her id."""
    zoila = await _admin_menu_recorded(api, runtime)
    await _erase(zoila)
    assert [line for line in await dump_database(runtime) if str(ZOILA_ID) in line] == []
    (nothing,) = await zoila.say("/borrar_mis_datos")
    assert "no guarda ningún dato personal" in nothing.text
