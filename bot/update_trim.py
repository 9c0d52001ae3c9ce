"""What of an update Minka never reads, dropped before python-telegram-bot builds its objects:
the buttons and the formatting of the message a button press comes from. That message is
Minka's own: a press is answered by its data, the message edited by its id, and its keyboard
and entities are not read back, but by the presses of `KEEPS_KEYBOARD`. PTB built an object
for each button and entity (a press on an 8-button menu: 180 → 88 µs of the loop's CPU to
parse, in process), the sanitizer (`bot.services.text.sanitize_update`) read every label, and
the inbox (bot/inbox.py) wrote them all to the database with the update."""

from __future__ import annotations

from typing import Any

UNREAD = ("reply_markup", "entities")  # of a callback query's message
# Presses whose handler redraws the keyboard it was pressed on: the Tool Kit's «¿Le sirvió?»
# shows the choice in its row and keeps the others (handlers/toolkit.py `_with_choice`; a
# publication's «Recibir» among them, tests/test_publications.py).
KEEPS_KEYBOARD = ("kb:u:",)


def trimmed(update: Any) -> Any:
    """`update` (decoded JSON) without what of it is never read; `update` itself when there
    is nothing to drop (not a button press, or not the shape of an update)."""
    query = update.get("callback_query") if isinstance(update, dict) else None
    message = query.get("message") if isinstance(query, dict) else None
    if not isinstance(message, dict) or not any(key in message for key in UNREAD):
        return update
    if str(query.get("data", "")).startswith(KEEPS_KEYBOARD):
        return update
    kept = {key: value for key, value in message.items() if key not in UNREAD}
    return {**update, "callback_query": {**query, "message": kept}}


def trimmed_batch(payload: Any) -> Any:
    """A getUpdates reply (`{"ok": true, "result": [update, ...]}`) with each update trimmed."""
    if isinstance(payload, dict) and isinstance(updates := payload.get("result"), list):
        return {**payload, "result": [trimmed(update) for update in updates]}
    return payload
