"""Telegram limits each chat as well as the bot (about a message a second to a private chat,
20 a minute to a group): a 429 for one chat says nothing of the others. The outbox paused
everything at any owed message's 429 (`PriorityRateLimiter.cool`): a broadcast to thousands
with one busy group, or one chat sent too much, waited out that chat's retry_after for
everyone. Now that chat alone waits (its copies, reminders and held replies, in order), and
the whole outbox only when 429s for two chats say the bot's own limit was reached."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from storage.models import OutboxMessage, Person
from storage.repositories import broadcasts
from tests.test_crash import BROADCAST, FIRST_ID, _copies, _people

PEOPLE = 20
PER_SECOND = 4  # the bot's own limit in the second test: Minka paces itself at ~30
FLOOD = 30  # seconds the first person's chat stays in flood control (retry_after 30)


async def _broadcast(api: LocalBotApi, runtime: Runtime, people: int) -> None:
    """`people` registered people (ids FIRST_ID...), owed a broadcast's copy now."""
    async with runtime.db.session() as session:
        ids = await _people(session, api, people)
        await broadcasts.create(
            session,
            text=BROADCAST,
            audience={},
            scheduled_at=runtime.clock.now(),
            person_ids=ids,
            created_by=None,
        )


def _texts(api: LocalBotApi, chat: int) -> list[str | None]:
    return [e.text for e in api.events if e.chat_id == chat and e.method == "sendMessage"]


async def _registered(session: AsyncSession) -> list[Person]:
    return list(await session.scalars(select(Person).order_by(Person.id)))


async def _due_all(runtime: Runtime, chat: int) -> list[datetime]:
    """When the chat's unsent owed messages are due, in the order they were owed (ids)."""
    async with runtime.db.session() as session:
        person = select(Person.id).where(Person.telegram_id == chat).scalar_subquery()
        rows = select(OutboxMessage.due_at).where(
            OutboxMessage.person_id == person, OutboxMessage.state == "pending"
        )
        return list(await session.scalars(rows.order_by(OutboxMessage.id)))


async def test_one_chats_flood_control_holds_back_that_chat_only(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """A broadcast to 20 people; Telegram keeps the first one's chat in flood control for 30
    s. The other 19 copies arrive while that chat is still refused; its copy is due when the
    30 s are over, and arrives once then (Telegram's and Minka's clocks moved past them
    rather than waited out). Failed on main: its 429 paused the whole outbox for 30 s, and
    the 19 other copies came only once the chat's flood control was over."""
    await _broadcast(api, runtime, PEOPLE)
    flooded = FIRST_ID  # the first copy claimed and sent
    others = [(FIRST_ID + n, "broadcast") for n in range(1, PEOPLE)]
    api.flood_chat(flooded, seconds=FLOOD)
    ends = runtime.clock.now() + timedelta(seconds=FLOOD)
    deadline = time.monotonic() + FLOOD
    while any(_copies(api)[chat] == 0 for chat in others):
        assert time.monotonic() < deadline, f"not all delivered: {dict(_copies(api))}"
        await tick(app)
        await asyncio.sleep(0.2)
    assert api.chat_flooded(flooded), "the others waited for the flooded chat's retry_after"
    assert _copies(api)[flooded, "broadcast"] == 0
    refused = api.throttled
    assert refused >= 1, "the flooded chat was not even tried"
    (due,) = await _due_all(runtime, flooded)
    assert due >= ends - timedelta(seconds=1), "due again before Telegram allows the chat"

    api.flood_chat(flooded, seconds=0)  # Telegram allows the chat again...
    runtime.clock.advance(timedelta(seconds=FLOOD))  # ...and its retry_after has passed
    for _ in range(50):  # its copy, now that it is due
        await tick(app)
        if _copies(api)[flooded, "broadcast"]:
            break
        await asyncio.sleep(0.1)
    for _ in range(3):  # a copy twice would come now
        await tick(app)
        await asyncio.sleep(0.3)
    copies = _copies(api)
    expected = [(flooded, "broadcast"), *others]
    assert {chat: copies[chat] for chat in expected} == dict.fromkeys(expected, 1), copies
    # Nothing tried the chat again and again meanwhile: one refusal, or a few at most.
    assert api.throttled <= 3, api.throttled


async def test_the_bots_own_flood_control_pauses_the_whole_outbox(
    api: LocalBotApi, app: Application, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram allows the bot only 4 messages a second: 429s for several chats at once are
    the bot's limit, not theirs, so the outbox starts no other copy until Telegram allows
    (the copies it had claimed put back, not each tried and refused in turn), and every
    person gets theirs once."""
    caplog.set_level(logging.INFO, logger="bot.outbox")
    await _broadcast(api, runtime, PEOPLE)
    api.rate_limit(PER_SECOND)
    everyone = [(FIRST_ID + n, "broadcast") for n in range(PEOPLE)]
    deadline = time.monotonic() + 60
    while any(_copies(api)[chat] == 0 for chat in everyone):
        assert time.monotonic() < deadline, f"not all delivered: {dict(_copies(api))}"
        await tick(app)
        await asyncio.sleep(0.2)
    assert api.throttled >= 2, "the bot's limit was never reached: nothing was tested"
    api.rate_limit(None)
    for _ in range(3):  # a copy twice would come now
        await tick(app)
        await asyncio.sleep(0.3)
    copies = _copies(api)
    assert {chat: copies[chat] for chat in everyone} == dict.fromkeys(everyone, 1), copies
    paused = [r.getMessage() for r in caplog.records if "put back (flood control" in r.getMessage()]
    assert paused, "the outbox went on trying copy after copy"


SECOND = "Aviso: el taller regional de formalización empieza a las nueve."


async def test_a_flooded_chats_next_message_waits_behind_the_refused_one(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """A chat refused (retry_after 8) is owed a second broadcast meanwhile, due at once: the
    others get it at once; that chat's is not tried while Telegram refuses it, it is due with
    the first (not before it), the first stays due when Telegram allows (not pushed further
    back), and the chat reads both once, in order."""
    await _broadcast(api, runtime, 3)
    flooded = FIRST_ID
    api.flood_chat(flooded, seconds=8)
    await tick(app)
    assert _copies(api)[FIRST_ID + 1, "broadcast"] == 1
    async with runtime.db.session() as session:
        await broadcasts.create(
            session,
            text=SECOND,
            audience={},
            scheduled_at=runtime.clock.now(),
            person_ids=[person.id for person in await _registered(session)],
            created_by=None,
        )
    first_due = await _due_all(runtime, flooded)
    await tick(app)
    assert [_texts(api, FIRST_ID + n) for n in (1, 2)] == [[BROADCAST, SECOND]] * 2
    assert api.chat_flooded(flooded) and _texts(api, flooded) == []
    assert api.throttled == 1, "the second was tried while Telegram refused the chat"
    dues = await _due_all(runtime, flooded)
    assert dues[0] == first_due[0], "the refused one was pushed further back"
    assert dues[0] <= dues[1], "the second is due before the refused one"
    deadline = time.monotonic() + 40
    while len(_texts(api, flooded)) < 2:
        assert time.monotonic() < deadline, _texts(api, flooded)
        await tick(app)
        await asyncio.sleep(0.3)
    await tick(app)
    await asyncio.sleep(0.3)
    assert _texts(api, flooded) == [BROADCAST, SECOND]
