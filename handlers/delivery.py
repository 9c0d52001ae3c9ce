"""What a handler's replies become once its session has committed: the press answered, then
each queued Bot API call made in the chat's turn, or kept for the outbox when Telegram's flood
control holds it back (bot/held.py), a chat's later calls waiting behind them (bot/follow_ups.py).

Apart from `handlers.base`, where a handler queues its replies (`Ctx`), because this is the
other side: sending, flood control and Telegram's refusals of edits.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot import calls, chat_order, cut_short, follow_ups, held, metrics, refused
from bot.outgoing import UNEDITABLE
from bot.ratelimit import holding, retry_after
from bot.reply_data import Reply, needing
from bot.updates import answering
from handlers.update_keys import update_key
from storage.errors import database_busy, database_down

if TYPE_CHECKING:
    from handlers.base import Ctx

log = logging.getLogger(__name__)

# The press this update's task has answered (or found answered): the error handler, which
# runs in the same task, must not answer it again (Telegram answers a press once).
ANSWERED: ContextVar[str | None] = ContextVar("answered", default=None)


@dataclass(frozen=True, slots=True)
class Action:
    """A Bot API call to make after the commit; `reply` is what to keep if flood control
    holds it back (a file and `later`'s calls to the chat `follow` it, in memory)."""

    run: Callable[[], Awaitable[Any]]
    reply: Reply | None = None
    follow: bool = False  # a later call of the chat: waits behind its held replies
    apart: bool = False  # `run` prepares the chat's later calls, in a task of its own
    # Its cut-short notice, owed since the update (bot/cut_short.py): the work's (`apart`),
    # or a large file's (`follow`), withdrawn once it is made.
    guard: str | None = None


async def deliver(ctx: Ctx) -> None:
    """Answer the press, then make the queued calls (in the chat's turn) or hold them."""
    await answer_press(ctx)
    # While earlier replies to this chat wait in the outbox, these go behind them (other
    # calls, such as an inline answer, are not the chat's and go at once; the chat's later
    # calls wait in memory, bot/follow_ups.py). In the chat's turn: the next update's
    # replies wait until these are sent or held.
    async with ctx.runtime.held.turn(ctx.chat_id):
        behind: list[Action] = []
        follow: list[Action] = []
        waiting = await held.waiting(ctx.runtime, ctx.chat_id)
        error: RetryAfter | None = None
        refused_by: Action | None = None  # the call that met it
        for action in ctx.calls:
            if action.apart:
                continue  # started below, once this update's own calls are made
            if action.reply is None and not action.follow:
                await _at_once(action, ctx)
            elif error is not None or waiting:
                (follow if action.follow else behind).append(action)
            else:
                try:
                    if action.follow:  # waits in memory anyway (bot/follow_ups.py)
                        await action.run()
                    else:  # kept in the outbox at the first 429: durable, seen by all
                        with holding():
                            await action.run()
                except RetryAfter as refused:  # a reply's first, a later call's last
                    error, refused_by = refused, action
                    (follow if action.follow else behind).append(action)
                else:
                    if action.guard is not None:  # made: its notice is owed no more
                        await cut_short.ended(ctx.runtime, action.guard)
        if refused_by is not None:
            metrics.flood_round("later" if refused_by.follow else "reply")
        kept = not behind or await _hold(ctx, behind, error)
        if not kept:  # the database away: they wait in memory, before the later calls
            follow = behind + follow
        # In the chat's line (bot/chat_order.py): after what is held now, before what comes.
        place = await chat_order.queue(ctx.runtime, ctx.chat_id) if follow else None
    apart = [action for action in ctx.calls if action.apart]
    if not follow and not apart:
        return
    what = f"update {ctx.update.update_id} ({ctx.action})"
    key = update_key(ctx.update, ctx.settings.pseudonym_secret)
    notice = ctx._(
        "Telegram asked me to wait and I could not finish sending what you asked "
        "for (a file or an image). Please press the button or send the command "
        "again in a minute."
    )
    if follow:
        follow_ups.start(
            ctx.context.application,
            chat_id=ctx.chat_id,
            calls=[action.run for action in follow],
            guards=[action.guard for action in follow],
            refused=error if follow[0] is refused_by else None,
            what=what,
            key=key,
            notice=notice
            if kept
            else ctx._(
                "Telegram asked me to wait and I could not send you my reply. Please send "
                "your message or press the button again in a minute."
            ),
            place=place,
        )
    for action in apart:  # after `follow`: what they prepare comes later
        follow_ups.start_prepared(
            ctx.context.application,
            chat_id=ctx.chat_id,
            person_id=ctx.person.id if ctx.person else None,
            prepare=action.run,
            what=what,
            key=f"{key}:apart",
            guard=action.guard,
            notice=notice,
            failed=ctx._(
                "Sorry, something went wrong on my side. It has been recorded; please "
                "try again in a moment."
            ),
        )


async def answer_press(ctx: Ctx) -> None:
    """Answer the press with its notice (`ctx.toast`), after the commit. Telegram takes the
    answer only for a few seconds after the press («query is too old»): work of seconds is
    done after the update (`Ctx.apart`, handlers/workbooks.py), not before this."""
    if ctx.query is None:
        return
    if not answering(ctx.query.id):  # slow (or behind a slow update): answered silently
        ANSWERED.set(ctx.query.id)
        if ctx.press_notice:
            _toast_as_message(ctx, ctx.press_notice[0])
        return
    text, alert = ctx.press_notice or (None, False)
    try:
        await ctx.query.answer(text, show_alert=alert)
        ANSWERED.set(ctx.query.id)
    except BadRequest as error:
        # Answered already (a retry after a timeout) or too late: the notice is
        # lost, the reply to the press must not be.
        if not too_old(error):
            raise
        ANSWERED.set(ctx.query.id)
        log.warning("could not answer the press: %s", error.message)
    except (RetryAfter, NetworkError) as error:
        # A press cannot be answered later; the replies can. The answer only stops the
        # button's spinner: a 5xx or a timeout after the limiter's retries (bot/ratelimit)
        # must not cost the reply the press asked for (its work committed, or under way).
        log.warning(
            "update %s (%s): press not answered: %s",
            ctx.update.update_id,
            ctx.action,
            "flood control" if isinstance(error, RetryAfter) else error.message,
        )


def too_old(error: BadRequest) -> bool:
    """Telegram's refusal of a press's answer: too late, or answered already (it says the
    same for both: «query is too old and response timeout expired or query ID is invalid»)."""
    message = error.message.lower()
    return "query is too old" in message or "query_id_invalid" in message


def _toast_as_message(ctx: Ctx, text: str) -> None:
    """The press was answered early, silently: the notice it was to show (a toast, an
    alert) comes as a message instead, before the update's other replies, never lost."""
    others = list(ctx.calls)
    ctx.calls.clear()
    ctx.reply(html.escape(text, quote=False))
    ctx.calls.extend(others)
    log.info("update %s (%s): its toast sent as a message", ctx.update.update_id, ctx.action)


async def _hold(ctx: Ctx, actions: list[Action], error: RetryAfter | None) -> bool:
    """Keep the replies for the outbox (bot/held.py); say so in one line. False when the
    database cannot keep them (down or busy at that moment): the caller keeps them in memory
    as later calls (bot/follow_ups.py), tried again when Telegram allows, for a bounded time
    (`follow_ups.WAIT`). Dropped, the person read the update's apology («nothing was saved»)
    though the update was saved (tests/test_flood_database_down.py). In memory, a kill loses
    them: the price of two failures at once."""
    # A staff update's replies go only while she still holds what authorised it (`needs`).
    replies = needing([action.reply for action in actions if action.reply], ctx.needs)
    what = f"{len(replies)} replies" if len(replies) != 1 else "1 reply"
    try:
        await held.hold(
            ctx.context.application,
            chat_id=ctx.chat_id,
            person_id=ctx.person.id if ctx.person else None,
            replies=replies,
            key=update_key(ctx.update, ctx.settings.pseudonym_secret),
            wait=retry_after(error) if error else timedelta(0),
            owed=ctx.update.update_id,
        )
    except Exception as failure:
        log.warning(
            "update %s (%s): %s not held for the outbox (%r): kept in memory",
            ctx.update.update_id,
            ctx.action,
            what,
            failure,
            exc_info=None if database_down(failure) or database_busy(failure) else failure,
        )
        return False
    log.warning(
        "update %s (%s): %s held for the outbox (%s)",
        ctx.update.update_id,
        ctx.action,
        what,
        f"flood control, retry in {retry_after(error).total_seconds():g} s"
        if error
        else "earlier replies to this chat are waiting",
    )
    return True


async def send(ctx: Ctx, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """A new message to the chat (sent again in a plainer form if Telegram refuses it)."""
    await refused.send(
        lambda body, mode, keys: calls.send(ctx.context.bot, ctx.chat_id, body, mode, keys),
        text,
        markup,
        f"a reply ({ctx.action})",
    )


async def edit_keyboard(ctx: Ctx, message: Message, markup: InlineKeyboardMarkup) -> None:
    await _ignore_unchanged(
        calls.edit_buttons(ctx.context.bot, message.chat.id, message.message_id, markup)
    )


async def edit(ctx: Ctx, message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Replace the pressed message; a fresh one if it can no longer be edited."""
    try:
        await refused.send(
            lambda body, mode, keys: calls.edit(
                ctx.context.bot, message.chat.id, message.message_id, body, mode, keys
            ),
            text,
            markup,
            f"an edit ({ctx.action})",
        )
    except BadRequest as error:
        if "not modified" in error.message:
            return  # the same button pressed twice: nothing to change
        if any(reason in error.message.lower() for reason in UNEDITABLE):
            await send(ctx, text, markup)  # not editable: answer with a fresh message
            return
        raise


async def _at_once(action: Action, ctx: Ctx) -> None:
    """A call that is not the chat's (an inline answer, database work): now, whatever waits."""
    try:
        await action.run()
    except RetryAfter:
        log.warning(
            "update %s (%s): a call not made: flood control", ctx.update.update_id, ctx.action
        )


async def _ignore_unchanged(call: Awaitable[Any]) -> None:
    """Change only the buttons; if that message cannot be edited any more, the buttons stay
    as they were (the press was already answered)."""
    try:
        await call
    except BadRequest as error:
        if "not modified" not in error.message and not any(
            reason in error.message.lower() for reason in UNEDITABLE
        ):
            raise
