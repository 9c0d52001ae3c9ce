"""Telegram's refusals as a person meets them: a press whose answer keeps failing still gets
its reply; a group that became a supergroup still gets its answer (migrate_to_chat_id); a
notice to another person waits out flood control, and marks them if they blocked Minka."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import select
from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
)

from bot.local_api import Fault, LocalBotApi
from bot.local_api.errors import bad_request
from bot.runtime import Runtime
from storage.models import Person as PersonRow
from tests.chat import Person
from tests.helpers import register


async def test_a_press_whose_answer_keeps_failing_still_gets_its_reply(
    api: LocalBotApi, ana: Person
) -> None:
    """The answer to a press only stops the button's spinner; when Telegram keeps failing it
    (5xx after every retry), the reply that the press asked for must still be sent."""
    _greeting, notice = await ana.say("/start", 2)
    api.inject("answerCallbackQuery", Fault.server_error(502), times=4)
    data = notice.find_button("Acepto")["callback_data"]
    assert notice.message_id is not None
    await api.press_button(ana.id, notice.message_id, data)
    accepted, *questions = await ana.replies(3, timeout=15)
    assert "✅" in accepted.text and questions[-1].button_texts()
    assert not any("Lo siento" in event.text for event in ana.no_more() if event.text)


async def test_a_group_that_became_a_supergroup_still_gets_its_answer(
    api: LocalBotApi, ana: Person, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram turns a basic group into a supergroup with a new id (when it grows, or its
    history is made visible). A reply to the old id is refused with 400 «group chat was
    upgraded to a supergroup chat» and the new id in parameters.migrate_to_chat_id
    (PTB's ChatMigrated): the reply goes there instead of being lost."""
    await api.send_message(ana.id, "/start", chat_id=-4242)
    supergroup = api.migrate_group(-4242)  # before Minka reads the update: no await between
    reply = await api.next_event(supergroup)
    assert "chat privado" in (reply.text or "")
    await api.send_message(ana.id, "/ayuda", chat_id=supergroup)  # the group goes on there
    assert "chat privado" in ((await api.next_event(supergroup)).text or "")
    assert api.drain(-4242) == []
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


async def test_a_role_notice_waits_out_flood_control(
    api: LocalBotApi, ana: Person, admin: Person
) -> None:
    """The notice to someone whose role an administrator changed is a message to another
    chat: under flood control that outlasts the rate limiter's retries (429 with
    retry_after) it waits in the outbox instead of being dropped."""
    await register(ana)
    api.drain(ana.id)
    api.inject_for("sendMessage", Fault.too_many_requests(1), seconds=6)
    await admin.send("/coordinador @anaq Puno")
    done = await admin.reply(timeout=20)
    assert "ahora tiene el rol de coordinador/a" in (done.text or "")
    notice = await ana.reply(timeout=20)
    assert "le asignó el rol de coordinador/a" in (notice.text or "")


async def test_a_role_notice_to_someone_who_blocked_minka_marks_them(
    api: LocalBotApi, ana: Person, admin: Person, runtime: Runtime
) -> None:
    """403 «Forbidden: bot was blocked by the user» on that notice marks the person
    undeliverable, as for any other owed message."""
    await register(ana)
    api.drain(ana.id)
    api.block(ana.id)
    (done,) = await admin.say("/coordinador @anaq Puno")
    assert "ahora tiene el rol de coordinador/a" in (done.text or "")
    assert await _marked_undeliverable(runtime, ana.id)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # not about the database
async def test_minka_asks_telegram_for_the_updates_its_handlers_take(
    api: LocalBotApi, app: Application
) -> None:
    """getUpdates' allowed_updates names what a handler takes, nothing more: Update.ALL_TYPES
    opted in to member changes and reactions (sent only when asked) that nothing handles."""
    await api.wait_for_call("getUpdates")
    asked = [
        params.get("allowed_updates") for method, params in api.calls if method == "getUpdates"
    ]
    kinds = {
        CallbackQueryHandler: Update.CALLBACK_QUERY,
        ChatMemberHandler: Update.MY_CHAT_MEMBER,  # each ChatMemberHandler of Minka's: its own
        InlineQueryHandler: Update.INLINE_QUERY,
        ChosenInlineResultHandler: Update.CHOSEN_INLINE_RESULT,
        CommandHandler: Update.MESSAGE,
        MessageHandler: Update.MESSAGE,
    }
    handled = {
        Update.EDITED_MESSAGE
        if isinstance(handler, MessageHandler) and "EDITED_MESSAGE" in str(handler.filters)
        else kinds[type(handler)]
        for group in app.handlers.values()
        for handler in group
        if type(handler) in kinds
    }
    others = [h for group in app.handlers.values() for h in group if type(h) not in kinds]
    assert not others, f"a handler of another kind: add its update to ALLOWED_UPDATES: {others}"
    assert asked and all(sorted(allowed) == sorted(handled) for allowed in asked), asked


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # not about the database
async def test_the_apology_waits_out_flood_control(api: LocalBotApi, ana: Person) -> None:
    """A reply that failed (5xx after every retry) is followed by the apology; when Telegram
    then answers the apology with 429 (retry_after) past the rate limiter's retries, the
    apology waits in the outbox instead of being dropped."""
    api.inject("sendMessage", Fault.server_error(500), times=4)
    api.inject("sendMessage", Fault.too_many_requests(1), times=4)
    await ana.send("/ayuda")
    sorry = await ana.reply(timeout=30)
    assert (sorry.text or "").startswith("Lo siento, algo falló de mi lado.")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # not about the database
async def test_a_group_that_removed_minka_does_not_mark_the_person(
    api: LocalBotApi, ana: Person, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """403 «Forbidden: bot was kicked from the group chat» on a reply in a group is the
    group's doing: the person who wrote there has not blocked Minka and must keep getting
    invitations and broadcasts (only a 403 in their private chat marks them)."""
    caplog.set_level(logging.INFO, logger="handlers.errors")
    await register(ana)
    api.drain(ana.id)
    api.inject("sendMessage", Fault.forbidden("Forbidden: bot was kicked from the group chat"))
    await api.send_message(ana.id, "/start", chat_id=-5151)
    for _ in range(200):
        if any(record.name == "handlers.errors" for record in caplog.records):
            break
        await asyncio.sleep(0.05)
    assert [record for record in caplog.records if record.name == "handlers.errors"]
    async with runtime.db.session() as session:
        row = await session.scalar(select(PersonRow).where(PersonRow.telegram_id == ana.id))
    assert row is not None and row.active and row.blocked_at is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # not about the database
async def test_an_owed_message_to_a_chat_telegram_cannot_find_marks_the_person(
    api: LocalBotApi, ana: Person, admin: Person, runtime: Runtime
) -> None:
    """400 «Bad Request: chat not found» on an owed message (here a role notice) is as final
    as a 403: the message is not tried again, and the person is skipped by the next
    broadcasts until they write again, instead of failing once more in each."""
    await register(ana)
    api.drain(ana.id)
    api.inject_every("sendMessage", Fault("error", bad_request("chat not found")), nth=2)
    (done,) = await admin.say("/coordinador @anaq Puno")  # the 1st sendMessage; the notice 2nd
    assert "ahora tiene el rol de coordinador/a" in (done.text or "")
    marked = await _marked_undeliverable(runtime, ana.id)
    api.inject_every("sendMessage", None)
    assert marked
    assert api.drain(ana.id) == []


async def _marked_undeliverable(runtime: Runtime, telegram_id: int) -> bool:
    """Whether the person comes out marked (inactive, blocked_at set) within 5 s."""
    for _ in range(100):
        async with runtime.db.session() as session:
            row = await session.scalar(
                select(PersonRow).where(PersonRow.telegram_id == telegram_id)
            )
        if row is not None and row.blocked_at is not None:
            return not row.active
        await asyncio.sleep(0.05)
    return False
