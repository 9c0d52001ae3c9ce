"""The key that tells a repeated update from a new one (processed updates, held replies).

Apart from `handlers.dispatch`, which records it, because replies held for the outbox and an
expert's answer are keyed by it too.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from telegram import Update


def update_key(update: Update, secret: bytes) -> str:
    """The update id plus a digest of what it is about: a repeat has both, a reused id does
    not. A press is named by its query id and a message by its chat, number and edit date
    (Telegram never reuses them); anything rarer by its whole content. The digest is keyed
    (HMAC with `secret`, never in the database): a plain one would let whoever holds a copy
    of the database find a known person's rows by trying message numbers, even after they
    erased their data."""
    if (query := update.callback_query) is not None:
        content = f"callback_query:{query.id}"
    elif (message := update.message or update.edited_message) is not None:
        kind = "message" if update.message is not None else "edited_message"
        edited = message.edit_date.timestamp() if message.edit_date else ""
        content = f"{kind}:{message.chat.id}:{message.message_id}:{edited}"
    else:
        content = json.dumps(update.to_dict(), sort_keys=True, ensure_ascii=False)
    digest = hmac.new(secret, content.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{update.update_id}:{digest}"
