"""Within one chat the person reads Minka's messages in the order Minka decided them, flood
control or not. A later call of the chat (here a reply's file too large for an outbox row,
`Ctx.document`, which waits in memory: bot/follow_ups.py) refused by Telegram (429) waits;
the next update's reply, sent at once or itself held in the outbox, must come after it.

The file is /mis_datos's export; files over 64 bytes are kept in memory here (as a real
export over 5 MB is)."""

from __future__ import annotations

import pytest

from bot import reply_data
from bot.local_api import Fault, LocalBotApi
from tests.chat import Person
from tests.helpers import register

SMALL = 64  # bytes: a file larger than this waits in memory, not in an outbox row
FILE_OUTAGE = 8.0  # seconds of 429s on the file: past the rate limiter's retries (~4 s)
TEXT_OUTAGE = 12.0  # seconds of 429s on texts (`held`): the next reply is held, and after


@pytest.mark.parametrize("next_reply", ["sent", "held"])
async def test_a_file_waiting_out_a_429_is_not_overtaken_by_the_next_reply(
    api: LocalBotApi, bot: object, monkeypatch: pytest.MonkeyPatch, next_reply: str
) -> None:
    """/mis_datos: its text goes, its file is refused (429 for 8 s) and waits in memory;
    Ana then sends /ayuda, whose reply can go at once (`sent`) or is refused too (429 on
    texts for 12 s) and held in the outbox (`held`). She reads the file before the help,
    each once."""
    monkeypatch.setattr(reply_data, "FILE_LIMIT", SMALL)
    ana = Person(api, 8701, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    api.inject_for("sendDocument", Fault.too_many_requests(1), seconds=FILE_OUTAGE)
    (intro,) = await ana.say("/mis_datos")
    assert "todo lo que Minka guarda" in intro.text
    if next_reply == "held":
        api.inject_for("sendMessage", Fault.too_many_requests(1), seconds=TEXT_OUTAGE)
    await ana.send("/ayuda")
    first, second = await ana.replies(2, timeout=40)
    assert [first.method, second.method] == ["sendDocument", "sendMessage"], (first, second)
    assert "/mis_datos" in (second.text or "")  # the help lists the commands
    assert ana.no_more() == []
