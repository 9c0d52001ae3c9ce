"""Answers to a guided form's questions that are more than plain text: a message with its
formatting (a broadcast's text), a file sent as a document (a workshop's material)."""

from __future__ import annotations

import html
from typing import Any

from telegram import Message, MessageEntity

from handlers.base import Ctx

# getFile: the largest file a bot may download from Telegram's servers (Bot API).
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


def document(ctx: Ctx) -> tuple[Any, str | None]:
    """A file sent as a document: what is needed to download it later, or why not."""
    message = ctx.update.effective_message
    document = message.document if message else None
    if document is None:
        return None, ctx._("Please send the file as a document (📎), or press «Skip».")
    if (document.file_size or 0) > DOCUMENT_MAX_BYTES:
        return None, ctx._(
            "That file is larger than 20 MB, the most Telegram lets me download. Send a "
            "smaller one, or press «Skip»."
        )
    name = " ".join((document.file_name or "").split())[:200] or "material"
    return {"file_id": document.file_id, "name": name, "size": document.file_size}, None


def _as_written(entity: MessageEntity) -> MessageEntity:
    """The entity as python-telegram-bot must see it to write Telegram's HTML: a link's
    address escaped; a code block's language escaped and prefixed «language-» (PTB writes
    class="python", where Telegram reads class="language-python": the language was lost,
    and one with a quote broke the HTML)."""
    if entity.type == MessageEntity.TEXT_LINK and entity.url:
        return MessageEntity(entity.type, entity.offset, entity.length, url=html.escape(entity.url))
    if entity.type == MessageEntity.PRE and entity.language:
        language = "language-" + html.escape(entity.language)
        return MessageEntity(entity.type, entity.offset, entity.length, language=language)
    return entity


def message_html(message: Message) -> str:
    """A person's message as Telegram HTML, its formatting kept. python-telegram-bot writes a
    link's address into href="…" as it is: an address with « " » would break the HTML (and
    Telegram refuse every copy), one with «&lt;» would change. Escaped first, as Telegram
    decodes the entities of an attribute. A mention by name (text_mention, someone without a
    username) stays a name: as a tg://user link Telegram refuses the message unless the bot
    can reach that person's account (ENTITY_MENTION_USER_INVALID, «user not found»), and a
    broadcast's every copy was refused for someone who never wrote to Minka. A custom emoji
    stays its plain emoji: only bots with a Fragment username (or, since Bot API 9.4, a
    Premium owner) may send one, and the preview shows what the copies will show."""
    entities = [
        _as_written(entity)
        for entity in message.entities
        if entity.type not in (MessageEntity.TEXT_MENTION, MessageEntity.CUSTOM_EMOJI)
    ]
    rewritten = Message(
        message.message_id, message.date, message.chat, text=message.text, entities=entities
    )
    return rewritten.text_html
