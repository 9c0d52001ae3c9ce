"""What flood control holds in the outbox (bot/held.py) meets Telegram's limits as what is sent
at once does, and a held row's bytes are bounded.

The local Bot API server refuses what Telegram refuses (a text over 4096 units, a caption over
1024, ...), and the `app` fixture fails a test whose Minka sent such a request. Before, a held
text longer than a message was cut by the outbox (the end of a specialist's long answer
lost: a reply sent at once is split instead), a held file's caption was sent as held (refused
when too long: the file marked failed, never delivered), and the indicator report's charts and
workbook were kept in the outbox's rows whatever their size (base64 in a JSON column)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot import cut_short, held, reply_data
from bot.local_api import Fault, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.telegram_limits import CAPTION_LIMIT, MESSAGE_LIMIT, units, visible_units
from storage.models import OutboxMessage
from tests.chat import Person
from tests.helpers import CHECKED_ON, register
from tests.test_indicators_apart import _until_ready
from tests.test_indicators_chat import _cases

pytestmark = pytest.mark.now(CHECKED_ON)

PARAGRAPH = "Según la Ley 27651 (artículo 91), el pequeño productor minero 😀 " * 30


async def _hold(app: Application, chat_id: int, reply: reply_data.Reply) -> None:
    """Hold `reply` for the chat as flood control does, and let the outbox send it."""
    await held.hold(
        app, chat_id=chat_id, person_id=None, replies=[reply], key="t", wait=timedelta()
    )
    await tick(app)


async def test_a_held_text_longer_than_a_message_arrives_whole_in_pieces(
    api: LocalBotApi, app: Application
) -> None:
    """Three paragraphs of ~2,000 units each (a specialist's long answer told to the asker):
    split between paragraphs as a reply sent at once is, none cut, the buttons under the last."""
    ana = Person(api, 8701, "Ana", last_name="Quispe")
    await ana.say("/start", 2)
    text = "\n\n".join(f"<b>{n}.</b> {PARAGRAPH.strip()}" for n in (1, 2, 3))
    assert visible_units(text) > MESSAGE_LIMIT
    await held.tell(app, chat_id=ana.id, text=text, key="long")
    pieces = [await ana.reply(timeout=30)]
    while "3." not in (pieces[-1].text or ""):
        pieces.append(await ana.reply(timeout=30))
    assert len(pieces) >= 2 and all(p.method == "sendMessage" for p in pieces)
    assert all(units(p.text) <= MESSAGE_LIMIT for p in pieces)
    assert "…" not in "".join(p.text for p in pieces)
    assert sum(p.text.count("pequeño productor") for p in pieces) == 90  # all of it
    await asyncio.sleep(0.5)
    assert ana.no_more() == []


async def test_a_held_file_with_a_long_caption_is_delivered(
    api: LocalBotApi, app: Application
) -> None:
    """A file's caption over 1024 units, held: cut to a caption's length as `Ctx.document`
    cuts one sent at once, and the file delivered (Telegram refused the caption before)."""
    ana = Person(api, 8702, "Ana", last_name="Quispe")
    await ana.say("/start", 2)
    content = b"col1,col2\n1,2\n"
    await _hold(app, ana.id, reply_data.Reply(PARAGRAPH, document=("datos.csv", content)))
    document = await ana.reply(timeout=30)
    assert document.method == "sendDocument"
    assert api.files[document.params["file_id"]] == content
    caption = document.params["caption"]
    assert caption.endswith("…") and units(caption) <= CAPTION_LIMIT


async def test_a_file_over_the_limit_is_never_written_to_a_row(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    with pytest.raises(ValueError, match="held in a row"):
        await held.keep(
            runtime,
            chat_id=8703,
            person_id=None,
            replies=[
                reply_data.Reply("", document=("big.xlsx", b"x" * (reply_data.FILE_LIMIT + 1)))
            ],
            key="big",
            wait=timedelta(),
        )
    async with runtime.db.session() as session:
        assert list(await session.scalars(select(OutboxMessage.id))) == []


async def test_a_held_report_keeps_its_large_files_out_of_the_rows(
    api: LocalBotApi,
    app: Application,
    runtime: Runtime,
    admin: Person,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The report's summary refused past the rate limiter's patience, its charts and workbook
    larger than a row may hold (`FILE_LIMIT` lowered): the summary is held in the outbox, the
    files wait in memory behind it (none in a row), and once Telegram allows, everything
    arrives in order, each once; the cut-short notice is withdrawn only then."""
    monkeypatch.setattr(reply_data, "FILE_LIMIT", 1000)
    # The clock is moved past Telegram's wait at once; the lease is renewed in real time.
    monkeypatch.setattr(cut_short, "LEASE", timedelta(hours=1))
    await register(admin, region="MINEM")
    await _cases(runtime)
    (periods,) = await admin.say("/indicadores")
    await admin.press(periods, "Año 2026")
    scope = await admin.reply()
    api.inject("sendMessage", Fault.too_many_requests(60), times=1)  # the summary's
    await admin.press(scope, "Todas las regiones")
    assert "Preparando el informe" in (await admin.reply()).text
    for _ in range(1200):  # the report is built in a worker: on a busy box, seconds
        async with runtime.db.session() as session:
            payloads = list(
                await session.scalars(
                    select(OutboxMessage.payload).where(OutboxMessage.kind == held.KIND)
                )
            )
        if payloads:
            break
        await asyncio.sleep(0.1)
    assert payloads and all("Indicadores del programa" in p["text"] for p in payloads)
    assert not [p for p in payloads if p.get("document")]  # no file in a row
    await asyncio.sleep(1)
    assert admin.no_more() == []  # the files wait behind the held summary
    async with runtime.db.session() as session:
        state = await session.scalar(
            select(OutboxMessage.state).where(OutboxMessage.kind == cut_short.KIND)
        )
    assert state == "pending"  # in memory, the report could still be lost: still owed

    runtime.clock.advance(timedelta(seconds=61))
    await tick(app)
    events = await _until_ready(admin)
    methods = [e.method for e in events]
    assert "Indicadores del programa" in events[0].text and methods[0] == "sendMessage"
    assert methods.index("sendPhoto") > 0 and methods.count("sendDocument") == 1
    assert methods.index("sendDocument") > max(i for i, m in enumerate(methods) if m == "sendPhoto")
    photos = [e for e in events if e.method == "sendPhoto"]
    assert len({p.params["caption"] for p in photos}) == len(photos)  # none twice
    await asyncio.sleep(1)
    assert admin.no_more() == []
    async with runtime.db.session() as session:
        state = await session.scalar(
            select(OutboxMessage.state).where(OutboxMessage.kind == cut_short.KIND)
        )
    assert state == "skipped"
