"""An owed message as rendered (`Outgoing`) and the Bot API calls that send it: its text, or
the edit of the message it replaces, and the file that follows it or goes alone. Apart from
bot/outbox.py, which claims the due messages, sends them through these, and records the
outcome (a refusal propagates to it: put back, failed, or the person marked)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot import calls, refused
from bot.runtime import Runtime
from bot.telegram_limits import MESSAGE_LIMIT, cut_html
from storage.repositories.outbox import OwedMessage

# A Bot API call owed instead of a message: made with the rate limiter's arguments.
OwedCall = Callable[[Bot, Runtime, dict[str, object]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A rendered owed message; `document` (file name, bytes) follows the text. `edit`: the
    message to change instead (a reply held back by flood control that was an edit; sent
    anew if it can no longer be edited). `buttons_only`: that edit changes only its buttons
    (left as they were if it can no longer be edited). `copy`: the row holds the text itself,
    erased once the message is finished with. `no_previews`: no link previews, as in replies.
    `call`: a Bot API call owed instead of a message (a person's command menu, a held kept
    file), made with the rate limiter's arguments; put back under flood control like a
    message. A document
    with no text is sent alone, with `caption` (HTML); as a photo when `photo` (a QR code)."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    document: tuple[str, bytes] | None = None
    caption: str = ""
    photo: bool = False
    edit: int | None = None
    buttons_only: bool = False
    copy: bool = False
    no_previews: bool = False
    call: OwedCall | None = None


# Why Telegram refuses to edit a message: too old, deleted, or not a text (a document, a
# photo, under a forged button) and Minka cannot change that.
NO_CHAT = "chat not found"  # 400 for a chat the bot cannot see: as undeliverable as a 403
UNEDITABLE = ("can't be edited", "not found", "there is no text in the message")


async def deliver(
    bot: Bot, message: OwedMessage, rendered: Outgoing, limits: dict[str, object]
) -> None:
    """Send the text, or edit the message it replaces (sent anew if no longer editable), or
    only its buttons. An owed message is one message: a text too long for Telegram (an agenda
    written long before the limits were checked) is cut rather than refused."""
    if rendered.buttons_only and rendered.edit is not None:
        try:
            await calls.edit_buttons(
                bot, message.telegram_id, rendered.edit, rendered.markup, limits=limits
            )
        except BadRequest as error:
            if "not modified" not in error.message and not any(
                reason in error.message.lower() for reason in UNEDITABLE
            ):
                raise
        return
    text = cut_html(rendered.text, MESSAGE_LIMIT)
    options = {"limits": limits, "previews": not rendered.no_previews}
    what = f"outbox message {message.id} ({message.kind})"
    if rendered.edit is not None:
        try:
            await refused.send(
                lambda body, mode, keys: calls.edit(
                    bot, message.telegram_id, rendered.edit, body, mode, keys, **options
                ),
                text,
                rendered.markup,
                what,
            )
            return
        except BadRequest as error:
            if "not modified" in error.message:
                return
            if not any(reason in error.message.lower() for reason in UNEDITABLE):
                raise
    await refused.send(
        lambda body, mode, keys: calls.send(bot, message.telegram_id, body, mode, keys, **options),
        text,
        rendered.markup,
        what,
    )


async def send_document(
    bot: Bot,
    message: OwedMessage,
    filename: str,
    content: bytes,
    limits: dict[str, object],
    caption: str = "",
    photo: bool = False,
) -> None:
    """The file that follows a text (an invitation's .ics), or a file alone (a reply's file
    or photo held back by flood control, with its `caption`). Refused by a lasting flood control
    (past the rate limiter's retries), the message is put back like any owed one,
    remembering that its text went (TEXT_SENT): the next try sends the file alone, so
    the file is neither lost nor its text repeated."""
    send = bot.send_photo if photo else bot.send_document
    await send(
        message.telegram_id,
        InputFile(content, filename=filename),
        caption=caption or None,
        parse_mode=ParseMode.HTML if caption else None,
        rate_limit_args=limits,
    )
