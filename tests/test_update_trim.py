"""A button press's update loses, before python-telegram-bot parses it, what no handler reads:
the keyboard and the formatting of Minka's own message it was pressed on (bot/update_trim.py).
Parsing them cost the loop ~90 µs a press of an 8-button menu, and the inbox wrote them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.update_trim import trimmed, trimmed_batch
from tests.chat import Person
from tests.helpers import register

USER = {"id": 7001, "is_bot": False, "first_name": "Ana"}
CHAT = {"id": 7001, "type": "private", "first_name": "Ana"}


def _press(**message: Any) -> dict[str, Any]:
    shown = {"message_id": 5, "date": 1, "chat": CHAT, "text": "Menú", **message}
    query = {"id": "1", "chat_instance": "1", "data": "m:kb", "from": USER, "message": shown}
    return {"update_id": 9, "callback_query": query}


def test_only_a_presss_message_loses_its_keyboard_and_entities() -> None:
    keyboard = {"inline_keyboard": [[{"text": "📚 Tool Kit", "callback_data": "m:kb"}]]}
    press = _press(reply_markup=keyboard, entities=[{"type": "bold", "offset": 0, "length": 4}])
    kept = trimmed(press)
    assert kept["callback_query"]["message"] == _press()["callback_query"]["message"]
    assert (
        kept["callback_query"]["data"] == "m:kb"
        and press["callback_query"]["message"] != (kept["callback_query"]["message"])
    )  # the update read is left as it came
    plain = _press()
    assert trimmed(plain) is plain
    typed = {"update_id": 10, "message": {**plain["callback_query"]["message"], "entities": []}}
    assert trimmed(typed) is typed  # a person's own message keeps its formatting
    assert trimmed_batch({"ok": True, "result": [press, typed]})["result"] == [kept, typed]
    assert trimmed("[]") == "[]" and trimmed_batch([]) == []
    feedback = _press(reply_markup=keyboard)
    feedback["callback_query"]["data"] = "kb:u:reinfo:1"  # redraws the keyboard it came on
    assert trimmed(feedback) is feedback


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_press_is_answered_and_kept_without_the_keyboard(
    api: LocalBotApi, runtime: Runtime, ana: Person
) -> None:
    """End to end: the press works, and the inbox's copy of it (written before Telegram is
    told it may forget the update) names the button pressed but not the menu's others."""
    await register(ana)
    (menu,) = await ana.say("/menu")
    written: list[str] = []

    def traced(sql: str) -> None:
        if "INSERT INTO inbox_updates" in sql:
            written.append(sql)

    def connected(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection._conn.set_trace_callback(traced)

    event.listen(runtime.db.engine.sync_engine, "connect", connected)
    await runtime.db.engine.dispose()  # the pool's connections opened again, traced
    data = menu.find_button("Tool Kit")["callback_data"]
    await ana.press(menu, "Tool Kit")
    assert (await ana.reply()).text  # the Tool Kit's answer to the press
    kept = [sql for sql in written if data in sql]
    assert kept and not any("inline_keyboard" in sql for sql in kept)
    others = [b["callback_data"] for row in menu.buttons for b in row if b["callback_data"] != data]
    assert others and not any(other in sql for other in others for sql in kept)
