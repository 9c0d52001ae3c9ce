"""A reply as data: what a handler queues, what an update owes (bot/owed_replies.py) and what
flood control holds in the outbox (bot/held.py); as JSON for a row, and cut to Telegram's
limits so that the outbox later sends all of it."""

from __future__ import annotations

from base64 import b64decode, b64encode
from dataclasses import dataclass, replace
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.calls import keyboard_json
from bot.kept_files import KeptFile
from bot.telegram_limits import CAPTION_LIMIT, cut_html, split_html

# A held file's bytes stay in its row (base64 in a JSON column) until it is sent: at most
# this much. A larger one waits in memory instead (`Ctx.document`, `send_or_hold`'s rest).
# Minka's workbooks and exports are tens of kilobytes. Below Telegram's own limits (a photo
# 10 MB, an upload 50 MB): whatever is held can be sent.
FILE_LIMIT = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply as data: a new message, or the new text of message `edit` (only its buttons
    when `buttons_only`), or a file (`document`: name and bytes, `text` its caption). A
    held file is kept in the row (base64) like a held text, until it is sent: then the
    row forgets it (`copy`), and /borrar_mis_datos deletes the chat's unsent rows. Or a
    file Minka keeps (`kept`: a publication, a material), of which the row holds only
    which one for whom (bot/kept_files.py)."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    edit: int | None = None
    buttons_only: bool = False
    document: tuple[str, bytes] | None = None
    photo: bool = False  # the document is a photo (a QR code)
    kept: KeptFile | None = None
    # The authority it needs when sent (a staff update's replies, handlers/dispatch.py; work
    # prepared apart, handlers/still_held.py): kept with it if held, checked again by the
    # outbox. None: no staff role authorised it, nothing to check again.
    needs: dict[str, Any] | None = None


def payload_of(reply: Reply) -> dict[str, Any]:
    """The reply as JSON data (a held row's payload; an update's owed replies)."""
    payload: dict[str, Any] = {
        "text": reply.text,
        "markup": keyboard_json(reply.markup),
        "edit": reply.edit,
        "buttons_only": reply.buttons_only,
    }
    if reply.document is not None:
        name, content = reply.document
        payload["document"] = {
            "name": name,
            "content": b64encode(content).decode(),
            "photo": reply.photo,
        }
    if reply.kept is not None:
        payload["kept"] = reply.kept.to_dict()
    if reply.needs is not None:
        payload["needs"] = reply.needs
    return payload


def reply_of(payload: dict[str, Any]) -> Reply:
    """The reply `payload_of` made `payload` of."""
    document = payload.get("document")
    kept_file = payload.get("kept")
    return Reply(
        payload["text"],
        InlineKeyboardMarkup.de_json(payload["markup"], None) if payload["markup"] else None,
        edit=payload["edit"],
        buttons_only=payload["buttons_only"],
        document=(document["name"], b64decode(document["content"])) if document else None,
        photo=bool(document and document["photo"]),
        kept=KeptFile(**kept_file) if kept_file else None,
        needs=payload.get("needs"),
    )


def needing(replies: list[Reply], needs: dict[str, Any] | None) -> list[Reply]:
    """`replies` marked with `needs` (those without a need of their own), as they are kept."""
    if needs is None:
        return replies
    return [reply if reply.needs is not None else replace(reply, needs=needs) for reply in replies]


def keepable(reply: Reply) -> bool:
    """Whether the reply may be kept in a row: no file, or one of at most `FILE_LIMIT`."""
    return reply.document is None or len(reply.document[1]) <= FILE_LIMIT


def fitted_to_telegram(reply: Reply) -> list[Reply]:
    """The reply within Telegram's limits as a reply sent at once is (handlers.base: `reply`,
    `show`, `document`), so that the outbox later sends what Telegram takes, all of it: a
    file's caption cut to a caption's length; a text longer than a message (or of more than
    100 entities) split between paragraphs, the buttons under the last piece, an edit's first
    piece replacing the message and the rest following as new ones. (The outbox only cuts an
    owed text, which would lose the end of a held reply: a specialist's long answer.) A file
    over `FILE_LIMIT` is a defect of the caller: it is never written to a row."""
    if reply.document is not None:
        if not keepable(reply):
            raise ValueError(f"a file of {len(reply.document[1])} bytes held in a row")
        return [replace(reply, text=cut_html(reply.text, CAPTION_LIMIT))]
    if reply.kept is not None or reply.buttons_only or not reply.text:
        return [reply]
    pieces = split_html(reply.text)
    if len(pieces) == 1:
        return [reply]
    # Each piece needs what the whole did (`needs`): a piece sent after a lost grant leaks.
    first = Reply(pieces[0], edit=reply.edit, needs=reply.needs)
    middle = [Reply(piece, needs=reply.needs) for piece in pieces[1:-1]]
    return [first, *middle, Reply(pieces[-1], reply.markup, needs=reply.needs)]
