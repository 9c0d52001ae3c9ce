"""An administrator by BOT_ADMIN_IDS has a row in app_state that names her chat: start-up
records whose chat it gave an administrator's menu (handlers/command_menu.py, `ADMIN_MENU`),
so that once she is out of BOT_ADMIN_IDS her menu is taken away. After her erasure that row
kept her Telegram id: the one trace left of her. Now erasure drops it, and someone known only
by it can erase it; and her menu goes with it, or, the row gone, nothing would take it away
once she is out of BOT_ADMIN_IDS. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.runner import minka
from bot.runtime import Runtime
from handlers.command_menu import ADMIN_MENU, SINCE
from storage.db import Database
from storage.repositories import app_state
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.erasure.story import FIRST, LAST, USERNAME, ZOILA_ID, leaks_in
from tests.erasure.sweep import dump_database
from tests.helpers import register
from tests.test_former_admin_menu import ADMIN_ONLY, _menu, _menus_recorded, _until


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
    """She never registered nor acted: before the fix /mis_datos and /borrar_mis_datos
    answered that Minka held nothing about her, while the row kept her id."""
    zoila = await _admin_menu_recorded(api, runtime)
    _intro, document = await zoila.say("/mis_datos", 2)
    data = json.loads(api.files[document.params["file_id"]])
    assert (data["persona"], data["menu_de_administrador"]) == (None, "Sí")
    await _erase(zoila)
    assert [line for line in await dump_database(runtime) if str(ZOILA_ID) in line] == []
    (nothing,) = await zoila.say("/borrar_mis_datos")
    assert "no guarda ningún dato personal" in nothing.text


async def _since(db: Database) -> str | None:
    async with db.session() as session:
        return await app_state.get(session, SINCE)


async def test_an_erased_admin_taken_out_of_the_configuration_keeps_no_admin_menu(
    api: LocalBotApi, db: Database, settings: Settings
) -> None:
    """Zoila, an administrator by BOT_ADMIN_IDS, erases her data, and the operator then takes
    her out of BOT_ADMIN_IDS: after the restart her chat shows no admin command. Failed
    before her menu went with her data: her row gone, no start knew her chat any more, and
    the admin menu stayed on her phone."""
    zoila = Chatter(api, ZOILA_ID, FIRST, last_name=LAST, username=USERNAME)
    api.open_chat(zoila.id)
    async with minka(settings, poll_timeout=1):
        assert await _until(lambda: "auditoria" in _menu(api, zoila), 60), _menu(api, zoila)
        assert await _menus_recorded(db, 60)
        await _erase(zoila)
        assert await _until(lambda: _menu(api, zoila) == [], 30), _menu(api, zoila)
    before = await _since(db)
    former = settings.model_copy(update={"bot_admin_ids": frozenset({ADMIN_ID})})
    async with minka(former, poll_timeout=1):
        for _ in range(300):  # this start's menu job done (it records its start)
            if await _since(db) != before:
                break
            await asyncio.sleep(0.2)
        assert await _since(db) != before
    assert ADMIN_ONLY.isdisjoint(_menu(api, zoila)), _menu(api, zoila)
    async with db.session() as session:
        assert await app_state.get(session, f"{ADMIN_MENU}{ZOILA_ID}") is None
