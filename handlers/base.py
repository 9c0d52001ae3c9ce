"""What every handler shares: one database session per update, the person and their role,
translations, and replies that are sent only after the session has committed.

Sending after the commit means a person never reads "saved" for something that was rolled back,
and the database is never held locked while Telegram is slow.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
    User,
)
from telegram.error import BadRequest, RetryAfter
from telegram.ext import ContextTypes

from bot import follow_ups, held, refused
from bot import telegram_limits as limits
from bot.config import Settings
from bot.held import Reply
from bot.i18n import Translator
from bot.outbox import UNEDITABLE
from bot.ratelimit import retry_after
from bot.runtime import Runtime
from bot.services import coverage
from bot.services.roles import Role
from storage.repositories.people import PersonRecord

log = logging.getLogger(__name__)

Keyboard = list[list[InlineKeyboardButton]]
# The press this update's task has answered (or found answered): the error handler, which
# runs in the same task, must not answer it again (Telegram answers a press once).
ANSWERED: ContextVar[str | None] = ContextVar("answered", default=None)
HandlerFn = Callable[["Ctx"], Awaitable[None]]


def runtime_of(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    return context.bot_data["runtime"]


def esc(text: object) -> str:
    """Escape anything a person typed before it goes into an HTML message."""
    return html.escape(str(text), quote=False)


class Scheduled(Protocol):
    """What /reunion and /visita list: a meeting or a study visit (read-only records)."""

    @property
    def code(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...


def code_list(t: Translator, heading: str, items: Sequence[Scheduled], hint: str) -> str:
    """The last 30 items, one line each: code, title, start (Lima time), 🚫 if cancelled."""
    lines = [heading]
    lines += [
        f"<code>{item.code}</code> {esc(item.title)} — {t.datetime(item.starts_at)}"
        + (" 🚫" if item.status == "cancelled" else "")
        for item in items[-30:]
    ]
    lines.append(hint)
    return cut_html("\n".join(lines))


def cut_html(text: str, limit: int = 4000) -> str:
    """An HTML message cut to `limit` characters as Telegram counts them, still valid HTML
    (bot/telegram_limits.py): an ellipsis where it was cut, the tags open there closed."""
    return limits.cut_html(text, limit)


@dataclass
class Ctx:
    """One update being handled: read with `session`, answer with `reply`/`show`/`toast`."""

    update: Update
    context: ContextTypes.DEFAULT_TYPE
    session: AsyncSession
    settings: Settings
    user: User
    person: PersonRecord | None
    role: Role
    t: Translator
    args: list[str] = field(default_factory=list)
    action: str = ""  # the handler's name, for the log
    _actions: list[_Action] = field(default_factory=list)
    _toast: tuple[str, bool] | None = None

    def _(self, message: str) -> str:
        return self.t.gettext(message)

    @property
    def coverage(self) -> coverage.Coverage:
        """The regions this person oversees, from the grant an admin made (never the profile)."""
        return coverage.of(self.role, self.person.coverage if self.person else None)

    @property
    def query(self) -> CallbackQuery | None:
        return self.update.callback_query

    @property
    def data(self) -> list[str]:
        """The callback data split on ':' (prefix first)."""
        return (self.query.data or "").split(":") if self.query else []

    @property
    def chat_id(self) -> int:
        chat = self.update.effective_chat
        return chat.id if chat else self.user.id

    def reply(self, text: str, keyboard: Keyboard | None = None) -> None:
        """Send a new message to the chat (HTML; escape user text with `esc`). A text longer
        than a Telegram message goes as several, split between paragraphs or lines; the
        keyboard goes under the last."""
        *first, last = limits.split_html(text)
        for part in first:
            self._reply(part, None)
        self._reply(last, InlineKeyboardMarkup(keyboard) if keyboard else None)

    def _reply(self, text: str, markup: InlineKeyboardMarkup | None) -> None:
        self._actions.append(_Action(lambda: self._send(text, markup), Reply(text, markup)))

    def show(self, text: str, keyboard: Keyboard | None = None) -> None:
        """Replace the message whose button was pressed, or send a new one for typed input."""
        message = self.query.message if self.query else None
        if not isinstance(message, Message):
            self.reply(text, keyboard)
            return
        first, *rest = limits.split_html(text)
        if rest:  # too long for one message: the first part replaces it, the rest follow
            self.show(first)
            self.reply("\n".join(rest), keyboard)
            return
        markup = InlineKeyboardMarkup(keyboard) if keyboard else None
        self._actions.append(
            _Action(
                lambda: self._edit(message, text, markup),
                Reply(text, markup, edit=message.message_id),
            )
        )

    def show_keyboard(self, keyboard: Keyboard) -> None:
        """Change only the buttons of the message whose button was pressed."""
        message = self.query.message if self.query else None
        if isinstance(message, Message):
            markup = InlineKeyboardMarkup(keyboard)
            self._actions.append(
                _Action(
                    lambda: self._edit_keyboard(message, markup),
                    Reply("", markup, edit=message.message_id, buttons_only=True),
                )
            )

    @property
    def runtime(self) -> Runtime:
        return runtime_of(self.context)

    def toast(self, text: str, *, alert: bool = False) -> None:
        """The short notice shown when a button is pressed (at most 200 characters)."""
        self._toast = (limits.cut_plain(text, limits.TOAST_LIMIT), alert)

    def document(self, filename: str, content: bytes, caption: str | None = None) -> None:
        # Under a lasting flood control the file is not kept (it may hold personal data and
        # is rebuilt on request): the person is told, in order with the other replies.
        notice = self._(
            "Telegram's flood control kept me from sending the file «{name}». "
            "Please ask for it again in a minute."
        ).format(name=html.escape(filename))

        def send(body: str, mode: str | None, _keys: object) -> Awaitable[Any]:
            return self.context.bot.send_document(
                self.chat_id,
                InputFile(content, filename=filename),
                caption=body or None,
                parse_mode=mode,
            )

        cut = limits.cut_html(caption, limits.CAPTION_LIMIT) if caption else ""
        self._actions.append(
            _Action(
                lambda: refused.send(send, cut, None, f"a file ({self.action})"),
                instead=Reply(notice),
            )
        )

    def later(self, action: Callable[[], Awaitable[Any]], *, chat: bool = True) -> None:
        """Any other Bot API call to make once the session has committed. One to this chat
        (a file, a photo) or following its replies (`chat`) waits, under flood control,
        behind the chat's held replies (bot/follow_ups.py); other work (an inline answer,
        database writes) is done at once."""
        self._actions.append(
            _Action(action, follow=chat and self.update.effective_chat is not None)
        )

    async def deliver(self) -> None:
        if self.query is not None:
            text, alert = self._toast or (None, False)
            try:
                await self.query.answer(text, show_alert=alert)
                ANSWERED.set(self.query.id)
            except BadRequest as error:
                # Answered already (a retry after a timeout) or too late: the notice is
                # lost, the reply to the press must not be.
                if "query is too old" not in error.message.lower():
                    raise
                ANSWERED.set(self.query.id)
                log.warning("could not answer the press: %s", error.message)
            except RetryAfter:  # a press cannot be answered later; the replies can
                log.warning(
                    "update %s (%s): press not answered: flood control",
                    self.update.update_id,
                    self.action,
                )
        # While earlier replies to this chat wait in the outbox, these go behind them (other
        # calls, such as an inline answer, are not the chat's and go at once; the chat's later
        # calls wait in memory, bot/follow_ups.py). In the chat's turn: the next update's
        # replies wait until these are sent or held.
        async with self.runtime.held.turn(self.chat_id):
            behind: list[_Action] = []
            follow: list[_Action] = []
            waiting = await held.waiting(self.runtime, self.chat_id)
            error: RetryAfter | None = None
            refused_by: _Action | None = None  # the call that met it
            for action in self._actions:
                if action.reply is None and action.instead is None and not action.follow:
                    await _at_once(action, self)
                elif error is not None or (waiting and action.instead is None):
                    (follow if action.follow else behind).append(action)
                else:
                    try:
                        await action.run()
                    except RetryAfter as refused:  # after the rate limiter's retries
                        error, refused_by = refused, action
                        (follow if action.follow else behind).append(action)
            if behind:
                await self._hold(behind, error)
        if follow:
            follow_ups.start(
                self.context.application,
                chat_id=self.chat_id,
                calls=[action.run for action in follow],
                refused=error if follow[0] is refused_by else None,
                what=f"update {self.update.update_id} ({self.action})",
                key=update_key(self.update, self.settings.pseudonym_secret),
                notice=self._(
                    "Telegram asked me to wait and I could not finish sending what you asked "
                    "for (a file or an image). Please press the button or send the command "
                    "again in a minute."
                ),
            )

    async def _hold(self, actions: list[_Action], error: RetryAfter | None) -> None:
        """Keep the replies for the outbox (bot/held.py); say so in one line."""
        replies = [kept for action in actions if (kept := action.reply or action.instead)]
        await held.hold(
            self.context.application,
            chat_id=self.chat_id,
            person_id=self.person.id if self.person else None,
            replies=replies,
            key=update_key(self.update, self.settings.pseudonym_secret),
            wait=retry_after(error) if error else timedelta(0),
        )
        log.warning(
            "update %s (%s): %s held for the outbox (%s)",
            self.update.update_id,
            self.action,
            f"{len(replies)} replies" if len(replies) != 1 else "1 reply",
            f"flood control, retry in {retry_after(error).total_seconds():g} s"
            if error
            else "earlier replies to this chat are waiting",
        )

    async def _send(self, text: str, markup: InlineKeyboardMarkup | None) -> None:
        await refused.send(
            lambda body, mode, keys: self.context.bot.send_message(
                self.chat_id,
                body,
                parse_mode=mode,
                reply_markup=keys,
                disable_web_page_preview=True,
            ),
            text,
            markup,
            f"a reply ({self.action})",
        )

    async def _edit_keyboard(self, message: Message, markup: InlineKeyboardMarkup) -> None:
        await _ignore_unchanged(
            self.context.bot.edit_message_reply_markup(
                chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup
            )
        )

    async def _edit(self, message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
        try:
            await refused.send(
                lambda body, mode, keys: self.context.bot.edit_message_text(
                    body,
                    chat_id=message.chat.id,
                    message_id=message.message_id,
                    parse_mode=mode,
                    reply_markup=keys,
                    disable_web_page_preview=True,
                ),
                text,
                markup,
                f"an edit ({self.action})",
            )
        except BadRequest as error:
            if "not modified" in error.message:
                return  # the same button pressed twice: nothing to change
            if any(reason in error.message.lower() for reason in UNEDITABLE):
                await self._send(text, markup)  # not editable: answer with a fresh message
                return
            raise


@dataclass(frozen=True, slots=True)
class _Action:
    """A Bot API call to make after the commit; `reply` is what to keep if flood control
    holds it back (a document keeps `instead`; `later`'s calls to the chat `follow` it)."""

    run: Callable[[], Awaitable[Any]]
    reply: Reply | None = None
    instead: Reply | None = None  # kept in its place when held back (a document's notice)
    follow: bool = False  # a later call of the chat: waits behind its held replies


async def _at_once(action: _Action, ctx: Ctx) -> None:
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


def refuse(ctx: Ctx, required: Role) -> None:
    if required is Role.ADMIN:
        text = ctx._("Only administrators can do that.")
    elif required is Role.SPECIALIST:
        text = ctx._("Only specialists and coordinators can do that.")
    else:
        text = ctx._("Only coordinators can do that.")
    if ctx.query is not None:
        ctx.toast(text, alert=True)
    else:
        ctx.reply(text)


async def refuse_scope(ctx: Ctx, target: str) -> None:
    """An item of a region the person does not cover: a polite refusal, and an audit entry."""
    action = f"button {ctx.data[0]}" if ctx.query is not None else "command"
    await coverage.refused(ctx.session, telegram_id=ctx.user.id, action=action, target=target)
    text = ctx._("That belongs to a region you do not coordinate.")
    if ctx.query is not None:
        ctx.toast(text, alert=True)
    else:
        ctx.reply(text)
