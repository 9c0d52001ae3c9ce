"""The Bot API calls whose answer Minka never reads: a reply, an edit, new buttons.

python-telegram-bot's `send_message` and `edit_message_*` turn the message Telegram sends
back into objects (the sender, the chat, the text's entities, the keyboard): 0.12 ms of CPU
for a reply with formatting and buttons, measured against a canned answer, more than all the
rest of the call; and no caller here looks at it (#17: a sixth of the CPU of each update at
full load went to PTB). These make the same request through the same `Bot._post` as PTB's
own methods (the rate limiter, `rate_limit_args`, the transport, PTB's errors: RetryAfter,
BadRequest...) and leave the answer as it came. PTB's private `_post` and
`_merge_api_rl_kwargs` are pinned by tests/test_calls.py.

A basic group that became a supergroup (Telegram's 400 «group chat was upgraded to a
supergroup chat», `parameters.migrate_to_chat_id`: PTB's ChatMigrated) between an update and
its reply gets the reply at its new id; an edit there becomes a new message, since the
supergroup does not hold the old group's messages.

A keyboard goes as the plain JSON object PTB would make of it (`keyboard_json`): PTB's generic
`to_dict` walks each button's every attribute, 0.3 ms for an answer's seven buttons, a tenth
of the CPU of a free-text question's update."""

from __future__ import annotations

from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import ChatMigrated
from telegram.ext import ExtBot

Markup = InlineKeyboardMarkup | None


async def _post(bot: Bot, method: str, params: dict[str, Any], limits: Any) -> None:
    """`params` with None left out, as PTB does; `limits` are the rate limiter's
    `rate_limit_args` (None: a reply to a person), carried as ExtBot carries them."""
    await bot._post(method, params, api_kwargs=ExtBot._merge_api_rl_kwargs(None, limits))


# A button's fields other than its text and callback data (the Bot API's InlineKeyboardButton).
_OTHER_FIELDS = (
    "url",
    "login_url",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def keyboard_json(markup: Markup) -> dict[str, Any] | None:
    """`markup.to_dict()`, made directly for Minka's callback buttons (any other button is
    left to PTB's `to_dict`)."""
    if markup is None:
        return None
    return {
        "inline_keyboard": [
            [_button_json(button) for button in row] for row in markup.inline_keyboard
        ]
    }


def _button_json(button: InlineKeyboardButton) -> dict[str, Any]:
    data = button.callback_data
    if (
        type(data) is str
        and not button.api_kwargs
        and all(getattr(button, name) is None for name in _OTHER_FIELDS)
    ):
        return {"text": button.text, "callback_data": data}
    return button.to_dict()


def _options(text: str, mode: str | None, markup: Markup, previews: bool) -> dict[str, Any]:
    return {
        "text": text,
        "parse_mode": mode,
        "reply_markup": keyboard_json(markup),
        "link_preview_options": None if previews else {"is_disabled": True},
    }


async def send(
    bot: Bot,
    chat_id: int,
    text: str,
    mode: str | None,
    markup: Markup,
    *,
    previews: bool = False,
    limits: Any = None,
) -> None:
    """sendMessage; link previews off unless `previews`."""
    params = {"chat_id": chat_id, **_options(text, mode, markup, previews)}
    try:
        await _post(bot, "sendMessage", params, limits)
    except ChatMigrated as error:
        await _post(bot, "sendMessage", {**params, "chat_id": error.new_chat_id}, limits)


async def edit(
    bot: Bot,
    chat_id: int,
    message_id: int,
    text: str,
    mode: str | None,
    markup: Markup,
    *,
    previews: bool = False,
    limits: Any = None,
) -> None:
    """editMessageText; link previews off unless `previews`."""
    params = {
        "chat_id": chat_id,
        "message_id": message_id,
        **_options(text, mode, markup, previews),
    }
    try:
        await _post(bot, "editMessageText", params, limits)
    except ChatMigrated as error:
        await send(bot, error.new_chat_id, text, mode, markup, previews=previews, limits=limits)


async def edit_buttons(
    bot: Bot, chat_id: int, message_id: int, markup: Markup, *, limits: Any = None
) -> None:
    """editMessageReplyMarkup."""
    params = {"chat_id": chat_id, "message_id": message_id, "reply_markup": keyboard_json(markup)}
    await _post(bot, "editMessageReplyMarkup", params, limits)
