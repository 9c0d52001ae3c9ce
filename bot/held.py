"""Replies held back by Telegram's flood control: none is lost, none is sent twice.

At a reply's first 429 (not waited out in memory: bot/ratelimit.py `holding`), the reply
and whatever else the update had to say are written to the outbox as rendered (kind
"reply", due when Telegram allows) and one warning is logged. The outbox sends them
like any owed message (one chat's messages one after the other, never twice, never one
while an earlier one is being sent or tried again: storage/repositories/outbox.py), woken
here when they are due. While a chat has replies waiting (held, or on their way from the
outbox), its new replies queue behind them, so the person reads everything in order: the
check and the hold happen in the chat's turn (`Held.turn`), so no reply of the chat can be
held between them, and a chat leaves the in-memory set only when the outbox has none of its
replies left unsent and nothing was held while it looked."""

from __future__ import annotations

import logging
from base64 import b64decode, b64encode
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import RetryAfter
from telegram.ext import Application, ContextTypes

from bot import chat_order, cut_short, kept_files, metrics
from bot import outbox as sender
from bot.calls import keyboard_json
from bot.i18n import Translator
from bot.kept_files import Found, KeptFile
from bot.outgoing import Outgoing, OwedCall
from bot.ratelimit import holding, retry_after
from bot.runtime import Runtime
from bot.telegram_limits import CAPTION_LIMIT, cut_html, split_html
from storage.repositories import outbox, owed_replies, people
from storage.repositories.outbox import OwedMessage

KIND = outbox.HELD
ZERO = timedelta(0)
RETRY_WAKE = timedelta(seconds=5)  # after a failed round (the database away...)
# A held file's bytes stay in its row (base64 in a JSON column) until it is sent: at most
# this much. A larger one waits in memory instead (`Ctx.document`, `send_or_hold`'s rest).
# Minka's workbooks and exports are tens of kilobytes. Below Telegram's own limits (a photo
# 10 MB, an upload 50 MB): whatever is held can be sent.
FILE_LIMIT = 5 * 1024 * 1024
log = logging.getLogger(__name__)


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


async def hold(
    application: Application,
    *,
    chat_id: int,
    person_id: int | None,
    replies: list[Reply],
    key: str,
    wait: timedelta,
    done: str | None = None,
    owed: int | None = None,
) -> None:
    """Keep `replies` (of the handling named `key`) in the outbox, due after `wait` and not
    before the chat's replies already waiting; the outbox is woken when they are due. `done`:
    work whose cut-short notice they replace (bot/cut_short.py), withdrawn with them; `owed`:
    the update whose owed replies they are (bot/owed_replies.py), forgotten with them."""
    runtime: Runtime = application.bot_data["runtime"]
    due = await keep(
        runtime,
        chat_id=chat_id,
        person_id=person_id,
        replies=replies,
        key=key,
        wait=wait,
        done=done,
        owed=owed,
    )
    if due is not None:
        wake(application, due)


async def keep(
    runtime: Runtime,
    *,
    chat_id: int,
    person_id: int | None,
    replies: list[Reply],
    key: str,
    wait: timedelta,
    done: str | None = None,
    owed: int | None = None,
) -> datetime | None:
    """`hold` without waking the outbox (for the outbox's own hooks, which have no
    `Application`: its next round sends them). When they are due, or None if none."""
    if not replies:
        if done is not None:
            await cut_short.ended(runtime, done)
        return None
    async with runtime.db.session() as session:
        if owed is not None:  # the replies are either owed or held, never both
            await owed_replies.forget(session, owed)
        due = await keep_in(
            session,
            runtime.clock.now(),
            chat_id=chat_id,
            person_id=person_id,
            replies=replies,
            key=key,
            wait=wait,
            done=done,
        )
    kept(runtime, chat_id)
    return due


def kept(runtime: Runtime, chat_id: int) -> None:
    """Replies of the chat were kept (committed): its new replies go behind them."""
    runtime.held.chats.add(chat_id)
    runtime.held.holds += 1


async def keep_in(
    session: AsyncSession,
    now: datetime,
    *,
    chat_id: int,
    person_id: int | None,
    replies: list[Reply],
    key: str,
    wait: timedelta,
    done: str | None = None,
) -> datetime:
    """`keep` in the caller's transaction (an update's: what it tells another chat is then
    owed with its effects, never lost between its commit and a later write); `kept` once
    committed. When they are due."""
    fitted = [piece for reply in replies for piece in fitted_to_telegram(reply)]
    # The chat's held rows locked first, as the outbox's `postpone` takes its rows (then
    # the cut-short notice, one of the chat's later rows): neither waits for the other.
    last = await outbox.last_due_for_chat(session, KIND, chat_id, lock=True)
    due = max(now + wait, last or now)
    if done is not None:
        await cut_short.withdraw(session, done)
    for number, reply in enumerate(fitted):
        await outbox.enqueue(
            session,
            kind=KIND,
            dedupe_key=f"{KIND}:{key}:{number}",
            person_id=person_id,
            chat_id=chat_id,
            payload=payload_of(reply),
            due_at=due,
        )
    return due


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
    )


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
    first = Reply(pieces[0], edit=reply.edit) if reply.edit is not None else Reply(pieces[0])
    middle = [Reply(piece) for piece in pieces[1:-1]]
    return [first, *middle, Reply(pieces[-1], reply.markup)]


async def waiting(runtime: Runtime, chat_id: int) -> bool:
    """Whether replies to the chat wait in the outbox, held or being sent (ask in the chat's
    turn): then new ones go behind them. Only chats held back since start-up are looked up,
    unless another replica is alive (it may have held some meanwhile: every chat is then
    looked up, one query per update with replies); one with nothing left unsent leaves the
    set. A later call of the chat waiting in memory counts too: new replies are held behind
    it (bot/chat_order.py; another replica's is not seen)."""
    if runtime.held.later.get(chat_id):
        return True
    if chat_id not in runtime.held.chats and not runtime.held.others:
        return False
    holds = runtime.held.holds
    try:
        async with runtime.db.session() as session:
            if await outbox.last_due_for_chat(session, KIND, chat_id) is not None:
                return True
    except Exception as error:  # the database away: send (a reply late beats none), look again
        log.warning("held replies: could not look up chat %s (%r)", chat_id, error)
        return False
    if runtime.held.holds == holds:  # else one (`tell`) may have come after the look-up
        runtime.held.chats.discard(chat_id)
    return False


# A reply made outside an update (bot/follow_ups.py `start_prepared`): the call that sends it
# now, and the reply as data to keep if it cannot go now.
Part = tuple[Callable[[], Awaitable[Any]], Reply]


@dataclass(frozen=True, slots=True)
class Unkept:
    """What `send_or_hold` could not keep in the outbox: from the first part whose file is
    over `FILE_LIMIT` on, to be made later from memory (bot/follow_ups.py), behind the rest;
    `refused` the refusal that first part met, if it was tried."""

    parts: list[Part]
    refused: RetryAfter | None = None
    place: chat_order.Later | None = None  # in the chat's line, behind what is held now


async def send_or_hold(
    application: Application,
    *,
    chat_id: int,
    person_id: int | None,
    parts: list[Part],
    key: str,
    what: str,
    done: str | None = None,
) -> Unkept | None:
    """Send `parts` in the chat's turn, as an update's replies are sent: one by one; or, when
    earlier replies of the chat wait in the outbox or Telegram refuses one, keep the rest
    there (named `key`), in order behind the chat's other replies and over a restart. A part
    is sent once. A file too large for a row (`FILE_LIMIT`) and the parts after it (all, if
    the database cannot keep them) are returned, for the caller to make from memory. `what`
    names the update in the log; `done` the work whose cut-short notice is withdrawn once
    all are sent or kept (bot/cut_short.py); not while any is returned."""
    runtime: Runtime = application.bot_data["runtime"]
    async with runtime.held.turn(chat_id):
        left: list[Part] = parts if await waiting(runtime, chat_id) else []
        wait, error = ZERO, None
        for number, (send, _reply) in enumerate(parts):
            if left:
                break
            try:
                with holding():  # kept at the first 429 (bot/ratelimit.py)
                    await send()
            except RetryAfter as refused:
                metrics.flood_round("reply")
                left, wait, error = parts[number:], retry_after(refused), refused
        big = next((n for n, (_send, reply) in enumerate(left) if not keepable(reply)), None)
        unkept = None
        if big is not None:
            unkept = Unkept(left[big:], error if big == 0 else None)
            left, done = left[:big], None
        if not left:
            if done is not None:
                await cut_short.ended(runtime, done)
            return unkept and replace(unkept, place=await chat_order.queue(runtime, chat_id))
        try:
            await hold(
                application,
                chat_id=chat_id,
                person_id=person_id,
                replies=[reply for _send, reply in left],
                key=key,
                wait=wait,
                done=done,
            )
        except Exception as failure:  # the database away: from memory (handlers/delivery.py)
            log.warning("%s: %d replies not held (%r): kept in memory", what, len(left), failure)
            unkept = Unkept(left + (unkept.parts if unkept else []), error)
        else:
            log.warning(
                "%s: %d of %d replies held for the outbox (%s)%s",
                what,
                len(left),
                len(parts),
                f"flood control, retry in {wait.total_seconds():g} s"
                if wait
                else "earlier replies to this chat are waiting",
                f"; {len(unkept.parts)} behind them in memory (a file too large to keep)"
                if unkept
                else "",
            )
        return unkept and replace(unkept, place=await chat_order.queue(runtime, chat_id))


async def tell(
    application: Application, *, chat_id: int, text: str, key: str, done: str | None = None
) -> None:
    """A message (HTML) to someone else's chat, such as a specialist's answer to the asker,
    sent by the outbox as a reply of that chat (named `key`): behind its replies still
    waiting, kept if flood control refuses it. Not sent here in that chat's turn: this runs
    in the sender's own chat's turn, and two turns taken crosswise could wait for each other."""
    await hold(
        application,
        chat_id=chat_id,
        person_id=None,
        replies=[Reply(text)],
        key=key,
        wait=ZERO,
        done=done,
    )


def wake(application: Application, at: datetime) -> None:
    """Run the outbox when `at` comes (unless a wake-up no later than that is set)."""
    runtime: Runtime = application.bot_data["runtime"]
    if runtime.held.wake_at is not None and runtime.held.wake_at <= at:
        return
    runtime.held.wake_at = at
    delay = max((at - runtime.clock.now()).total_seconds(), 0.0) + 0.05
    assert application.job_queue is not None
    application.job_queue.run_once(_woken, delay, name="held replies")


async def _woken(context: ContextTypes.DEFAULT_TYPE) -> None:
    runtime: Runtime = context.bot_data["runtime"]
    runtime.held.wake_at = None
    try:
        await sender.tick(context.application)
        async with runtime.db.session() as session:
            due = await outbox.next_due(session, KIND)
    except Exception as error:  # the database away: try again soon, the replies are kept
        log.warning("held replies: outbox round failed (%r); trying again", error)
        due = runtime.clock.now() + RETRY_WAKE
    if due is not None:
        wake(context.application, due)


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
