"""The world the local Bot API server simulates: users, chats, messages and pending updates."""

from __future__ import annotations

import copy
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from bot.local_api.errors import bad_request, conflict, forbidden, migrated
from bot.local_api.events import Signal
from bot.local_api.media import StoredFile

# Update types Telegram does not send unless asked for explicitly in allowed_updates.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Identity sentinel returned to a long poll that a newer getUpdates call replaced.
_SUPERSEDED: list[dict[str, Any]] = []


@dataclass
class Chat:
    """A chat with its messages in sending order (current content, after edits/deletions)."""

    info: dict[str, Any]
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_message_id: int = 1

    @property
    def id(self) -> int:
        return self.info["id"]

    def add(self, message: dict[str, Any]) -> dict[str, Any]:
        """Store a message built without an id, assigning the chat's next message_id."""
        message = {"message_id": self.next_message_id, **message}
        self.next_message_id += 1
        self.messages[message["message_id"]] = message
        return message


# How long after a press (or an inline query typed) Telegram takes the bot's answer; later it
# says «query is too old and response timeout expired or query ID is invalid». The Bot API
# does not document it: bots report refusals after 10-20 s for presses and from 5-10 s for
# inline queries (eternnoir/pyTelegramBotAPI#1615), so the double allows 15 s and 10 s.
CALLBACK_ANSWER_WINDOW = 15.0
INLINE_ANSWER_WINDOW = 10.0


@dataclass
class PendingQuery:
    """A callback or inline query the bot has to answer exactly once, in time."""

    user_id: int
    answer: dict[str, Any] | None = None
    asked: float = field(default_factory=time.monotonic)
    late: float | None = None  # seconds after `asked` of an answer refused as too late

    def too_late(self, window: float) -> bool:
        """True (and the delay kept) when an answer now comes past `window` seconds."""
        waited = time.monotonic() - self.asked
        if waited <= window:
            return False
        self.late = waited
        return True


class UpdateQueue:
    """Unconfirmed updates plus long polling with Telegram's getUpdates semantics."""

    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []
        self.allowed: frozenset[str] | None = None
        self._next_id = 1
        self._generation = 0
        self._closed = False
        self._signal = Signal()

    def push(self, update: dict[str, Any]) -> int:
        update = {"update_id": self._next_id, **update}
        self._next_id = max(self._next_id, update["update_id"]) + 1
        self.updates.append(update)
        self._signal.notify()
        return update["update_id"]

    def clear(self) -> None:
        self.updates.clear()

    def remove(self, update_id: int) -> None:
        """A webhook delivery succeeded: the update is confirmed."""
        self.updates = [u for u in self.updates if u["update_id"] != update_id]

    async def wait_for_any(self, check: Any) -> Any:
        """Wait until `check()` returns something (no time limit)."""
        return await self._signal.wait_for(check, None)  # type: ignore[arg-type]

    def close(self) -> None:
        """Release every long poll (server shutdown)."""
        self._closed = True
        self._signal.notify()

    def set_allowed(self, allowed: Any) -> None:
        if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
            raise bad_request("can't parse allowed updates JSON object")
        self.allowed = frozenset(allowed) or None

    def confirm(self, offset: int) -> None:
        """Forget updates before ``offset``; a negative offset keeps only the last -offset."""
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    def _deliverable(self, limit: int) -> list[dict[str, Any]]:
        self.updates = [u for u in self.updates if self._is_allowed(u)]
        return self.updates[:limit]

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kind = next((key for key in update if key != "update_id"), "")
        return kind in self.allowed if self.allowed else kind not in _OPT_IN_UPDATES

    async def poll(self, offset: int, limit: int, timeout: int) -> list[dict[str, Any]]:
        """getUpdates: a newer call terminates an older waiting one with 409, as in Telegram."""
        self._generation += 1
        generation = self._generation
        self._signal.notify()
        self.confirm(offset)

        def ready() -> list[dict[str, Any]] | None:
            if generation != self._generation:
                return _SUPERSEDED
            return self._deliverable(limit) or ([] if self._closed else None)

        try:
            result = await self._signal.wait_for(ready, timeout) if timeout > 0 else ready()
        except TimeoutError:
            return []
        if result is _SUPERSEDED:
            raise conflict(
                "terminated by other getUpdates request; make sure that only one bot instance "
                "is running"
            )
        return copy.deepcopy(result or [])


class BotState:
    """Users, chats and everything the bot has configured, shared by all request handlers."""

    def __init__(self, bot_user: dict[str, Any]) -> None:
        self.bot_user = bot_user
        self.users: dict[int, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        # The bot's status in groups a test added it to or removed it from (change_membership);
        # a group not named here counts the bot as a member, as when a user first writes there.
        self.bot_status: dict[int, str] = {}
        # (method, how many) for each text or caption with more than 100 entities: Telegram
        # accepts it but shows the rest as plain text, so a bot under test should send none.
        self.lost_formatting: list[tuple[str, int]] = []
        self.chats: dict[int, Chat] = {}
        self.migrated: dict[int, int] = {}  # a basic group's id -> its supergroup's
        self.updates = UpdateQueue()
        self.callback_queries: dict[str, PendingQuery] = {}
        self.inline_queries: dict[str, PendingQuery] = {}
        self.callback_window = CALLBACK_ANSWER_WINDOW  # seconds a press's answer is taken
        self.answers = Signal()
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        # setChatMenuButton: a user's chat's button (the bot's default under 0), when not the
        # default one ({"type": "default"}: no specific choice, as the Bot API describes it).
        self.menu_buttons: dict[int, dict[str, Any]] = {}
        self.webhook: dict[str, Any] | None = None
        self._query_ids = itertools.count(int(time.time()) * 1000)
        self.time_offset = 0.0  # seconds the server's clock is ahead (LocalBotApi.advance_time)

    def now(self) -> int:
        """Unix time as the server sees it: message dates, and their age for deleteMessage."""
        return int(time.time() + self.time_offset)

    def next_query_id(self) -> str:
        """Callback/inline query ids are opaque numeric strings in Telegram."""
        return str(next(self._query_ids))

    def resolve_user(self, user_id: int) -> dict[str, Any] | None:
        return self.users.get(user_id)

    def private_chat(self, user: dict[str, Any]) -> Chat:
        """The user's private chat, created when they first write to the bot."""
        if user["id"] not in self.chats:
            info = {
                key: user[key]
                for key in ("id", "first_name", "last_name", "username")
                if key in user
            }
            self.chats[user["id"]] = Chat({**info, "type": "private"})
        return self.chats[user["id"]]

    def group_chat(self, chat_id: int) -> Chat:
        """A basic group the bot is in, created when a user first writes there."""
        if chat_id in self.migrated:
            raise ValueError(f"group {chat_id} is now supergroup {self.migrated[chat_id]}")
        if chat_id not in self.chats:
            self.chats[chat_id] = Chat(
                {"id": chat_id, "title": f"Group {-chat_id}", "type": "group"}
            )
        return self.chats[chat_id]

    def find_chat(self, chat_id: int | str) -> Chat:
        """A chat the bot can see, or Telegram's 'chat not found' / can't-initiate errors."""
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is not None:
            return chat
        if isinstance(chat_id, int) and chat_id in self.migrated:
            raise migrated(self.migrated[chat_id])
        if isinstance(chat_id, int) and chat_id in self.users:
            raise forbidden("bot can't initiate conversation with a user")
        raise bad_request("chat not found")

    def writable_chat(self, chat_id: int | str) -> Chat:
        """A chat the bot may post to or edit in right now."""
        chat = self.find_chat(chat_id)
        if chat.info["type"] == "private" and chat.id in self.blocked:
            raise forbidden("bot was blocked by the user")
        if self.bot_status.get(chat.id) == "kicked":
            raise forbidden(f"bot was kicked from the {chat.info['type']} chat")
        if self.bot_status.get(chat.id) == "left":
            raise forbidden(f"bot is not a member of the {chat.info['type']} chat")
        return chat

    def bot_message(self, chat: Chat, content: dict[str, Any]) -> dict[str, Any]:
        """Store a new message from the bot with Telegram's common fields."""
        return chat.add({"from": self.bot_user, "chat": chat.info, "date": self.now(), **content})

    def stored_file(self, file_id: str, kind: str) -> StoredFile:
        """A previously uploaded file reused by file_id, typed like Telegram checks it."""
        stored = self.files.get(file_id)
        if stored is None:
            if file_id.lower().startswith(("http://", "https://")):
                raise bad_request("failed to get HTTP URL content")
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return stored
