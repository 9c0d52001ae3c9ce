"""A reply Telegram refuses although Minka believed it valid is sent again in a simpler form
rather than lost: as plain text when its HTML or its length was refused (Telegram's parser
or count disagreed with ours), without its keyboard when the keyboard was refused. Such a
refusal is a bug in Minka: it is logged as an error, and the person still reads the words."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from html import unescape
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.telegram_entities import is_blank
from bot.telegram_limits import ELLIPSIS, MESSAGE_LIMIT, cut_plain

log = logging.getLogger(__name__)

_TAG = re.compile(r"<[^>]*>")
# Telegram's descriptions (lowercased) of a text it cannot take as written...
_TEXT = (
    "can't parse entities",
    "message is too long",  # sendMessage (the Bot API server's own check)
    "message_too_long",  # editMessageText (Telegram's, passed on)
    "caption is too long",
    "media_caption_too_long",
    "entities_too_long",
    "entity_bounds",
    "entity_mention_user_invalid",  # a mention of someone the bot cannot reach
)
# ... and of a keyboard it cannot take.
_KEYBOARD = (
    "button_data_invalid",
    "button_text_invalid",
    "button_url_invalid",
    "button_type_invalid",
    "reply markup is too long",
    "reply_markup_invalid",
    "inline keyboard button",
)

Markup = InlineKeyboardMarkup | None
Call = Callable[[str, str | None, Markup], Awaitable[Any]]


def plain(html: str) -> str:
    """What the person would have read, without the formatting: tags dropped, «&amp;» and
    the like decoded, cut to one message."""
    text = cut_plain(unescape(_TAG.sub("", html)).strip(), MESSAGE_LIMIT)
    return ELLIPSIS if is_blank(text) else text


async def send(call: Call, html: str, markup: Markup, what: str) -> Any:
    """`call(text, parse_mode, markup)` with the HTML; if Telegram refuses the keyboard, once
    more without it; if it refuses the text as written, once more as plain text. Any other
    refusal (a message gone, the same text again, a blocked chat) is the caller's."""
    text: str = html
    mode: str | None = ParseMode.HTML
    while True:
        try:
            return await call(text, mode, markup)
        except BadRequest as error:
            reason = error.message.lower()
            if markup is not None and any(words in reason for words in _KEYBOARD):
                markup, change = None, "without its buttons"
            elif mode is not None and any(words in reason for words in _TEXT):
                text, mode, change = plain(html), None, "as plain text"
            else:
                raise
            log.error("Telegram refused %s (%s): sending it %s", what, error.message, change)
