"""How the outbox sends a held reply (its renderer for kinds "reply" and cut-short notices,
handlers/__init__.py): as it was rendered for the person when it was held back (bot/held.py)."""

from __future__ import annotations

from base64 import b64decode
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup

from bot import kept_files
from bot.i18n import Translator
from bot.kept_files import Found, KeptFile
from bot.outgoing import Outgoing, OwedCall
from bot.runtime import Runtime
from storage.repositories import people
from storage.repositories.outbox import OwedMessage


async def render(
    session: AsyncSession, message: OwedMessage, _t: Translator, _now: datetime
) -> Outgoing | None:
    """The reply as it was rendered for the person when it was held back; none for a
    person who has blocked Minka since (skipped, as the outbox skips what it owes them)."""
    chat_id = message.telegram_id
    if chat_id is not None and chat_id > 0 and await people.has_blocked(session, chat_id):
        return None
    payload = message.payload
    if kept_file := payload.get("kept"):
        kept = KeptFile(**kept_file)
        found = await kept_files.look_up(session, kept)
        if found is None:  # withdrawn since it was asked for
            return None
        return Outgoing("", call=_kept_call(chat_id, kept, found), copy=True)
    if document := payload.get("document"):
        content = b64decode(document["content"])
        return Outgoing(
            "",
            document=(document["name"], content),
            caption=payload["text"],
            photo=document.get("photo", False),
            copy=True,
        )
    markup = InlineKeyboardMarkup.de_json(payload["markup"], None) if payload["markup"] else None
    return Outgoing(
        payload["text"],
        markup,
        edit=payload["edit"],
        buttons_only=payload.get("buttons_only", False),
        copy=True,
        no_previews=True,
    )


def _kept_call(chat_id: int, kept: KeptFile, found: Found) -> OwedCall:
    """The outbox's call that sends a held kept file and records its delivery."""

    async def call(bot: Bot, runtime: Runtime, limits: dict[str, object]) -> None:
        await kept_files.send(bot, runtime, chat_id, kept, found, limits)

    return call
