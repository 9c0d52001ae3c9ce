"""What every handler shares: one database session per update, the person and their role,
translations, and replies queued to be sent only after the session has committed (by
`handlers.delivery`).

Sending after the commit means a person never reads "saved" for something that was rolled back,
and the database is never held locked while Telegram is slow.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any

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
from telegram.ext import ContextTypes

from bot import cut_short, held, held_send, kept_files, refused, reply_data
from bot import telegram_limits as limits
from bot.config import Settings
from bot.i18n import Translator
from bot.kept_files import Found, KeptFile
from bot.reply_data import Reply
from bot.runtime import Runtime
from bot.services import coverage
from bot.services.roles import Role, allows
from handlers import delivery, still_held
from handlers.delivery import Action
from handlers.update_keys import update_key
from storage.repositories.conversations import StateRecord
from storage.repositories.people import PersonRecord

Keyboard = list[list[InlineKeyboardButton]]
HandlerFn = Callable[["Ctx"], Awaitable[None]]


def runtime_of(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    return context.bot_data["runtime"]


def esc(text: object) -> str:
    """Escape anything a person typed before it goes into an HTML message."""
    return html.escape(str(text), quote=False)


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
    calls: list[Action] = field(default_factory=list)  # made after the commit (handlers.delivery)
    press_notice: tuple[str, bool] | None = None  # the toast: text, shown as an alert
    # The person's form in progress as the update found it (read with the person, in one
    # statement): what typed text is routed by. Forms read their state anew
    # (conversations.get_state), as it may change while the update is handled.
    form: StateRecord | None = None
    # Written in this update's transaction, before its commit (handlers.dispatch): what its
    # later calls owe if the process stops before they are made (`document`'s large file).
    owed: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)
    # Its replies written with its commit, so that a kill before their send loses none
    # (bot/owed_replies.py); not by the update that erases its sender (nothing of theirs kept).
    keep_replies: bool = True
    # What its replies need when sent, if flood control holds them (`Reply.needs`): the staff
    # role and coverage that authorised the update (`authorised`); None for others.
    needs: dict[str, Any] | None = None

    def _(self, message: str) -> str:
        return self.t.gettext(message)

    def authorised(self, required: Role | None) -> None:
        """`required` let this update in (a command, a button, a form's typed answer): if a
        staff role, its replies held by flood control go only while the person still holds
        it and the coverage she holds during this update (`needs`, handlers/still_held.py):
        minutes may pass before Telegram allows them."""
        if required is None or not allows(required, Role.SPECIALIST):
            return
        key = update_key(self.update, self.settings.pseudonym_secret)
        self.needs = still_held.needed(self.user.id, required, self.coverage, key, prepared=False)

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
        self.calls.append(Action(lambda: delivery.send(self, text, markup), Reply(text, markup)))

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
        self.calls.append(
            Action(
                lambda: delivery.edit(self, message, text, markup),
                Reply(text, markup, edit=message.message_id),
            )
        )

    def show_keyboard(self, keyboard: Keyboard) -> None:
        """Change only the buttons of the message whose button was pressed."""
        message = self.query.message if self.query else None
        if isinstance(message, Message):
            markup = InlineKeyboardMarkup(keyboard)
            self.calls.append(
                Action(
                    lambda: delivery.edit_keyboard(self, message, markup),
                    Reply("", markup, edit=message.message_id, buttons_only=True),
                )
            )

    @property
    def runtime(self) -> Runtime:
        return runtime_of(self.context)

    @property
    def now(self) -> datetime:
        """Now on the runtime's clock, which tests move: what this update records is stamped
        with it, as the periods of the reports that read those records are."""
        return self.runtime.clock.now()

    @property
    def today(self) -> date:
        """Today in the configured zone (Lima) on the runtime's clock, which tests move."""
        return self.runtime.clock.now().astimezone(self.settings.timezone).date()

    def toast(self, text: str, *, alert: bool = False) -> None:
        """The short notice shown when a button is pressed (at most 200 characters)."""
        self.press_notice = (limits.cut_plain(text, limits.TOAST_LIMIT), alert)

    def document(
        self, filename: str, content: bytes, caption: str | None = None, *, photo: bool = False
    ) -> None:
        """A file (a photo when `photo`: a QR code), one of the update's replies: in the
        chat's order, and under flood control kept in the outbox with them (bot/held.py), so
        the next update's replies come after it and a restart does not lose it. Only a file
        too large to keep there (`reply_data.FILE_LIMIT`) waits in memory instead, as a later call
        does (bot/follow_ups.py); with this update's transaction the outbox owes a notice that
        it did not arrive, and how to ask for it again, sent only if the process stops first
        (bot/cut_short.py)."""
        bot = self.context.bot

        def send(body: str, mode: str | None, _keys: object) -> Awaitable[Any]:
            return (bot.send_photo if photo else bot.send_document)(
                self.chat_id,
                InputFile(content, filename=filename),
                caption=body or None,
                parse_mode=mode,
            )

        cut = limits.cut_html(caption, limits.CAPTION_LIMIT) if caption else ""

        def run() -> Awaitable[Any]:
            return refused.send(send, cut, None, f"a file ({self.action})")

        if len(content) > reply_data.FILE_LIMIT:
            self.calls.append(Action(run, follow=True, guard=self._owe_file(filename)))
        else:
            self.calls.append(Action(run, Reply(cut, document=(filename, content), photo=photo)))

    def _owe_file(self, filename: str) -> str:
        """The notice owed for a file kept in memory (`document`), recorded before the
        commit; its name. The file is rebuilt on request: the notice's button repeats the
        press that asked for it, or its text names the command (a tap sends it)."""
        name = f"{update_key(self.update, self.settings.pseudonym_secret)}:file:{len(self.calls)}"
        _ = self._
        said = _(
            "The file «{name}» did not reach you: Telegram asked me to wait, and Minka "
            "restarted meanwhile."
        ).format(name=esc(filename))
        message = self.update.effective_message
        words = (message.text or "").split(maxsplit=1) if message else []
        command = words[0].split("@")[0] if words else ""
        markup = None
        if self.query is not None and self.query.data:
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(_("🔁 Ask for it again"), callback_data=self.query.data)]]
            )
            again = _("Press the button to ask for it again.")
        elif command.startswith("/") and command[1:].isidentifier():
            again = _("Send {command} to ask for it again.").format(command=command)
        else:
            again = _("Please ask for it again.")
        self.owed.append(
            partial(
                cut_short.record,
                self.session,
                name=name,
                chat_id=self.chat_id,
                person_id=self.person.id if self.person else None,
                text=f"⚠️ {said} {again}",
                markup=markup,
                now=self.runtime.clock.now(),
            )
        )
        return name

    def kept_file(self, kept: KeptFile, found: Found) -> None:
        """A file Minka keeps (a publication, a workshop's material: bot/kept_files.py), one
        of the update's replies like `document`'s, its delivery recorded once Telegram took
        it. Under flood control the outbox keeps only which file for whom, and looks it up
        again when it is the file's turn."""
        bot, runtime, chat_id = self.context.bot, self.runtime, self.chat_id

        def run() -> Awaitable[None]:
            return kept_files.send(bot, runtime, chat_id, kept, found)

        self.calls.append(Action(run, Reply("", kept=kept)))

    def later(
        self, action: Callable[[], Awaitable[Any]], *, chat: bool = True, guard: str | None = None
    ) -> None:
        """Any other Bot API call to make once the session has committed. One to this chat
        (a file, a photo) or following its replies (`chat`) waits, under flood control,
        behind the chat's held replies (bot/follow_ups.py); other work (an inline answer,
        database writes) is done at once. `guard`: what it owes since this update's
        transaction (bot/cut_short.py), withdrawn once it is made."""
        follow = chat and self.update.effective_chat is not None
        self.calls.append(Action(action, follow=follow, guard=guard))

    async def apart(
        self,
        prepare: Callable[[], Awaitable[list[held_send.Part]]],
        cut_short_notice: str,
        markup: InlineKeyboardMarkup | None = None,
        progress: int | None = None,
    ) -> None:
        """Work of seconds (a report built in a worker process) whose result is replies to
        this chat: `prepare` runs after the commit in a task of its own, not in this update,
        which holds one of the bot's few concurrent update slots and the person's turn; the
        replies it returns are then sent in the chat's turn, or held in the outbox behind its
        waiting replies (bot/follow_ups.py, `held_send.send_or_hold`). With this update's
        transaction the outbox owes `cut_short_notice` (HTML, its buttons `markup`: asking
        again), sent only if the process stops before the replies are sent or held
        (bot/cut_short.py): the person is never left waiting in silence. `progress`: the
        message saying the work is under way, which the notice then replaces."""
        name = f"{update_key(self.update, self.settings.pseudonym_secret)}:apart"
        await cut_short.record(
            self.session,
            name=name,
            chat_id=self.chat_id,
            person_id=self.person.id if self.person else None,
            text=cut_short_notice,
            markup=markup,
            now=self.runtime.clock.now(),
            edit=progress,
        )
        # Delivered only if the person still holds then what they pressed with.
        prepare = still_held.guarded(
            prepare,
            bot=self.context.bot,
            runtime=self.runtime,
            chat_id=self.chat_id,
            telegram_id=self.user.id,
            role=self.role,
            covered=self.coverage,
            t=self.t,
            progress=progress,
            work=name,
        )
        self.calls.append(Action(prepare, apart=True, guard=name))

    def tell(self, chat_id: int, text: str, name: str) -> None:
        """A message (HTML) to someone else's chat (the notice of a changed role), sent by
        the outbox as a reply of that chat (as `held.tell`, kept as `name` of this update):
        written in this update's transaction, so it is owed with what it tells, over any
        stop; a lasting 429 delays it instead of dropping it, and a 403 (blocked) marks the
        person. Once committed, that chat's next replies go behind it."""
        key = f"{update_key(self.update, self.settings.pseudonym_secret)}:{name}"
        application, runtime = self.context.application, self.runtime
        due: list[datetime] = []

        async def owe() -> None:
            due.append(
                await held.keep_in(
                    self.session,
                    runtime.clock.now(),
                    chat_id=chat_id,
                    person_id=None,
                    replies=[Reply(text)],
                    key=key,
                    wait=held.ZERO,
                )
            )

        async def kept() -> None:
            held.kept(runtime, chat_id)
            held.wake(application, due[0])

        self.owed.append(owe)
        self.later(kept, chat=False)
