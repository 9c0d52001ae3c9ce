"""Button presses and inline queries, and getUpdates: offsets, long polling, one poller,
allowed updates, webhooks.

Tests of the local Telegram Bot API server, over real HTTP, with python-telegram-bot's `Bot` and
raw aiohttp requests (`wire.raw`)."""

from __future__ import annotations

import asyncio
import time

import pytest
import telegram
from telegram import InlineQueryResultArticle, InputTextMessageContent
from telegram.error import BadRequest, Conflict

from bot.local_api import LocalBotApi
from tests.local_api.wire import USER, keyboard, raw

# -- callback and inline queries --------------------------------------------------------------


async def test_button_press_round_trip(api: LocalBotApi, bot: telegram.Bot, chat: int) -> None:
    sent = await bot.send_message(chat, "¿Seguimos?", reply_markup=keyboard(("Sí", "yes")))
    await bot.edit_message_text(
        "¿Seguro?", chat, sent.message_id, reply_markup=keyboard(("Sí", "y2"))
    )
    query_id = await api.press_button_text(USER, sent.message_id, "Sí")
    updates = await bot.get_updates(offset=2)
    query = updates[-1].callback_query
    assert (query.id, query.data, query.from_user.id) == (query_id, "y2", USER)
    assert query.message.text == "¿Seguro?"  # the current content, not the original
    await bot.answer_callback_query(query_id, text="Hecho", show_alert=True)
    assert await api.callback_answer(query_id) == {
        "callback_query_id": query_id,
        "text": "Hecho",
        "show_alert": True,
    }
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)


async def test_only_real_buttons_can_be_pressed(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    sent = await bot.send_message(chat, "menú", reply_markup=keyboard(("A", "a")))
    with pytest.raises(ValueError, match=r"no button with callback_data 'b'.*\('A', 'a'\)"):
        await api.press_button(USER, sent.message_id, "b")
    with pytest.raises(ValueError, match="no callback button labelled 'B'"):
        await api.press_button_text(USER, sent.message_id, "B")
    with pytest.raises(ValueError, match="no message 77"):
        await api.press_button(USER, 77, "a")


async def test_callback_answer_limits(api: LocalBotApi, bot: telegram.Bot, chat: int) -> None:
    sent = await bot.send_message(chat, "menú", reply_markup=keyboard(("A", "a")))
    query_id = await api.press_button(USER, sent.message_id, "a")
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")
    with pytest.raises(TimeoutError, match="not answered"):
        await api.callback_answer(query_id, timeout=0.01)


async def test_inline_queries(api: LocalBotApi, bot: telegram.Bot) -> None:
    query_id = await api.send_inline_query(USER, "arequipa")
    update = (await bot.get_updates())[0]
    assert update.inline_query.query == "arequipa"
    article = InlineQueryResultArticle("1", "Arequipa", InputTextMessageContent("Arequipa"))
    with pytest.raises(BadRequest, match="Results_too_much"):
        await bot.answer_inline_query(query_id, [article] * 51)
    await bot.answer_inline_query(query_id, [article], cache_time=0)
    answer = await api.inline_answer(query_id)
    assert answer["results"][0]["id"] == "1" and answer["cache_time"] == 0


async def test_an_inline_result_past_100_entities_loses_formatting(
    api: LocalBotApi, bot: telegram.Bot
) -> None:
    """The text an inline result puts in the chat keeps its first 100 entities, as any
    message does: the answer is taken, and the loss is noted for the suite to see."""
    query_id = await api.send_inline_query(USER, "mucho")
    text = " ".join(f"<b>{n}</b>" for n in range(101))
    article = InlineQueryResultArticle(
        "1", "Mucho", InputTextMessageContent(text, parse_mode="HTML")
    )
    fine = InlineQueryResultArticle(
        "2", "Poco", InputTextMessageContent("<b>poco</b>", parse_mode="HTML")
    )
    await bot.answer_inline_query(query_id, [article, fine])
    assert api.lost_formatting == [("answerInlineQuery", 1)]


# -- updates --------------------------------------------------------------------------------


async def test_get_updates_offsets_and_limits(api: LocalBotApi, bot: telegram.Bot) -> None:
    for text in ("uno", "dos", "tres"):
        await api.send_message(USER, text)
    assert [u.message.text for u in await bot.get_updates(limit=2)] == ["uno", "dos"]
    assert [u.message.text for u in await bot.get_updates(offset=2)] == ["dos", "tres"]
    assert [u.message.text for u in await bot.get_updates()] == ["dos", "tres"]  # 1 confirmed
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["tres"]
    assert await bot.get_updates(offset=4) == ()
    raw_id = await api.send_update({"my_chat_member": {"unused": True}})
    assert raw_id == 4
    assert (await raw(api, "getUpdates"))[1]["result"][0]["update_id"] == 4


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    api: LocalBotApi, bot: telegram.Bot
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for_call("getUpdates")
    await api.send_message(USER, "ya")
    updates = await poll
    assert updates[0].message.text == "ya"
    assert time.monotonic() - started < 2


async def test_second_poller_terminates_the_first(api: LocalBotApi, bot: telegram.Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for_call("getUpdates")
    status, body = await raw(api, "getUpdates", json={"timeout": 0})  # e.g. a second instance
    assert (status, body) == (200, {"ok": True, "result": []})
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_allowed_updates_filter(api: LocalBotApi, bot: telegram.Bot, chat: int) -> None:
    sent = await bot.send_message(chat, "menú", reply_markup=keyboard(("A", "a")))
    await api.press_button(USER, sent.message_id, "a")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in updates] == ["a"]


async def test_webhook_blocks_polling(api: LocalBotApi, bot: telegram.Bot) -> None:
    status, body = await raw(api, "setWebhook", json={"url": "https://minka.example/hook"})
    assert (status, body) == (200, {"ok": True, "result": True, "description": "Webhook was set"})
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    await api.send_message(USER, "pendiente")
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("https://minka.example/hook", 1)
    with pytest.raises(BadRequest, match="Bad webhook: an https url must be provided"):
        await bot.set_webhook("http://minka.example/hook")
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert await bot.get_updates() == ()
    assert (await raw(api, "deleteWebhook"))[1]["description"] == "Webhook is already deleted"


async def test_my_chat_member_blocking_and_groups(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    """my_chat_member has ChatMemberUpdated's shape (PTB parses each ChatMember by its
    status); blocking the bot makes sends 403 and unblocking lifts it; a group that removed
    the bot refuses it as Telegram does. It is delivered by default, but not when
    allowed_updates leaves it out."""
    await bot.get_updates(offset=2)  # /start confirmed
    api.change_membership(USER, "kicked")
    (update,) = await bot.get_updates(offset=2)
    change = update.my_chat_member
    assert change.chat.id == USER and change.from_user.id == USER and change.date
    assert change.old_chat_member.status == "member"
    assert isinstance(change.new_chat_member, telegram.ChatMemberBanned)
    assert change.new_chat_member.user.id == bot.id
    with pytest.raises(telegram.error.Forbidden, match="blocked by the user"):
        await bot.send_message(USER, "¿Sigue ahí?")
    api.change_membership(USER, "member")
    await bot.send_message(USER, "De vuelta")
    api.change_membership(USER, "administrator", chat_id=-600)
    api.change_membership(USER, "kicked", chat_id=-600)
    updates = await bot.get_updates(offset=update.update_id + 1)
    added, removed = (u.my_chat_member for u in updates[-2:])
    assert isinstance(added.new_chat_member, telegram.ChatMemberAdministrator)
    assert added.old_chat_member.status == "left" and added.chat.type == "group"
    assert removed.old_chat_member.status == "administrator"
    with pytest.raises(telegram.error.Forbidden, match="kicked from the group chat"):
        await bot.send_message(-600, "Hola")
    await bot.get_updates(offset=updates[-1].update_id + 1, allowed_updates=["message"])
    api.change_membership(USER, "kicked")
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == ()
