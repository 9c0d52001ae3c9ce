"""Acting as Telegram users for a test: writing, sending files, pressing buttons, inline
queries. Each action queues the update Telegram would deliver (a mixin of `LocalBotApi`)."""

from __future__ import annotations

import copy
import re
from typing import Any

from bot.local_api.media import document_object, new_file
from bot.local_api.state import BotState, Chat, PendingQuery
from bot.local_api.validation import inline_buttons
from bot.telegram_entities import make_entity, utf16_len

MAX_USER_ID = 2**52  # ids have at most 52 significant bits: safe in a double or an int64

# TDLib's bot command pattern: /command (1-64 chars) with an optional @botname (3-32 chars).
_BOT_COMMAND = re.compile(r"(?<![\w/<>])/\w{1,64}(?:@\w{3,32})?(?![\w/<>])", re.ASCII)

# The fields of each ChatMember the bot can be (Bot API: ChatMemberMember, ChatMemberLeft,
# ChatMemberBanned with until_date 0 for "forever", ChatMemberAdministrator).
_MEMBER_FIELDS: dict[str, dict[str, Any]] = {
    "member": {},
    "left": {},
    "kicked": {"until_date": 0},
    "administrator": {
        "can_be_edited": False,
        "is_anonymous": False,
        "can_manage_chat": True,
        "can_delete_messages": False,
        "can_manage_video_chats": False,
        "can_restrict_members": False,
        "can_promote_members": False,
        "can_change_info": False,
        "can_invite_users": True,
        "can_post_stories": False,
        "can_edit_stories": False,
        "can_delete_stories": False,
        "can_pin_messages": False,
    },
}


class Users:
    """The users' side of the chat; works on the server's state."""

    _state: BotState

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "es",
    ) -> dict[str, Any]:
        """Register a Telegram user; the bot can reach them once they write to it. A user's
        id is positive and «has at most 52 significant bits» (Bot API, User)."""
        if not 0 < user_id < MAX_USER_ID:
            raise ValueError(f"a Telegram user id is 1 to 2**52 - 1, not {user_id}")
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in optional.items() if value is not None})
        self._state.users[user_id] = user
        return dict(user)

    def open_chat(self, user_id: int) -> None:
        """The user's private chat exists, as if they had written to the bot long ago (no
        update is queued): benchmarks seed thousands of people this way."""
        self._state.private_chat(self._user(user_id))

    async def send_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The user writes ``text`` (to the bot, or in group ``chat_id`` < 0); queues the update.
        ``entities`` is the formatting the user's app gave it (bold, links...), in UTF-16
        offsets; commands are marked as Telegram marks them."""
        user = self._user(user_id)
        chat = self._chat_for(user, chat_id)
        content: dict[str, Any] = {
            "from": dict(user),
            "chat": chat.info,
            "date": self._state.now(),
            "text": text,
        }
        commands = [
            make_entity("bot_command", utf16_len(text[: m.start()]), utf16_len(m.group()))
            for m in _BOT_COMMAND.finditer(text)
        ]
        formatting = sorted(
            [*commands, *(entities or [])], key=lambda e: (e["offset"], -e["length"])
        )
        if formatting:
            content["entities"] = formatting
        message = chat.add(content)
        self._state.updates.push({"message": copy.deepcopy(message)})
        return copy.deepcopy(message)

    async def send_document(
        self, user_id: int, data: bytes, file_name: str, *, caption: str | None = None
    ) -> dict[str, Any]:
        """The user sends a file (📎) to the bot; it is stored like an upload, so the bot can
        getFile and download it, or send it on by its file_id. Queues the update."""
        user = self._user(user_id)
        chat = self._chat_for(user, None)
        stored = new_file("document", data, file_name, None, len(self._state.files) + 1)
        self._state.files[stored.file_id] = stored
        content: dict[str, Any] = {
            "from": dict(user),
            "chat": chat.info,
            "date": self._state.now(),
            "document": document_object(stored),
        }
        if caption:
            content["caption"] = caption
        message = chat.add(content)
        self._state.updates.push({"message": copy.deepcopy(message)})
        return copy.deepcopy(message)

    async def send_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update; an ``update_id`` is assigned when missing. A callback or inline
        query in it can be answered once, as any query Telegram delivers (an ``id`` is
        assigned when missing)."""
        update = copy.deepcopy(update)
        for kind, pending in (
            ("callback_query", self._state.callback_queries),
            ("inline_query", self._state.inline_queries),
        ):
            if isinstance(query := update.get(kind), dict):
                query.setdefault("id", self._state.next_query_id())
                pending[query["id"]] = PendingQuery(query["from"]["id"])
        return self._state.updates.push(update)

    async def press_button(
        self, user_id: int, message_id: int, callback_data: str, *, chat_id: int | None = None
    ) -> str:
        """Press the inline button carrying ``callback_data``; returns the callback query id."""
        user = self._user(user_id)
        chat, message = self._message(user_id if chat_id is None else chat_id, message_id)
        buttons = inline_buttons(message.get("reply_markup"))
        if not any(button.get("callback_data") == callback_data for button in buttons):
            offered = [(b["text"], b.get("callback_data")) for b in buttons]
            raise ValueError(
                f"message {message_id} in chat {chat.id} has no button with "
                f"callback_data {callback_data!r}; buttons: {offered}"
            )
        query_id = self._state.next_query_id()
        self._state.callback_queries[query_id] = PendingQuery(user_id)
        self._state.updates.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": copy.deepcopy(message),
                    "chat_instance": str(chat.id * 1_000_003 % 2**63),
                    "data": callback_data,
                }
            }
        )
        return query_id

    async def press_button_text(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> str:
        """Press the inline callback button whose label is exactly ``text``."""
        _, message = self._message(user_id if chat_id is None else chat_id, message_id)
        buttons = inline_buttons(message.get("reply_markup"))
        button = next((b for b in buttons if b["text"] == text), None)
        if button is None or "callback_data" not in button:
            raise ValueError(
                f"message {message_id} has no callback button labelled {text!r}; "
                f"buttons: {[b['text'] for b in buttons]}"
            )
        return await self.press_button(
            user_id, message_id, button["callback_data"], chat_id=chat_id
        )

    def age_query(self, query_id: str, seconds: float) -> None:
        """Make a pending callback or inline query `seconds` older, as if the bot got to it
        that much later (a slow network, a busy bot): Telegram refuses answers past a window
        (CALLBACK_ANSWER_WINDOW; this server's `callback_window`), and so does this server."""
        query = self._state.callback_queries.get(query_id) or self._state.inline_queries[query_id]
        query.asked -= seconds

    async def send_inline_query(self, user_id: int, query: str) -> str:
        """The user types ``@bot query``; returns the inline query id."""
        user = self._user(user_id)
        query_id = self._state.next_query_id()
        self._state.inline_queries[query_id] = PendingQuery(user_id)
        self._state.updates.push(
            {
                "inline_query": {
                    "id": query_id,
                    "from": user,
                    "query": query,
                    "offset": "",
                    "chat_type": "sender",
                }
            }
        )
        return query_id

    def change_membership(self, user_id: int, status: str, *, chat_id: int | None = None) -> int:
        """The bot's own membership changes and Telegram sends ``my_chat_member``. In the
        user's private chat ``kicked`` is the user blocking the bot (sends then get 403) and
        ``member`` unblocking it; in group ``chat_id`` the user adds the bot (``member``,
        ``administrator``) or removes it (``left``, ``kicked``). The ChatMemberUpdated has
        the Bot API's shape: the old and new ChatMember of the bot with the fields of their
        status. Returns the update's id."""
        if status not in _MEMBER_FIELDS:
            raise ValueError(f"unsupported status {status!r}; one of {sorted(_MEMBER_FIELDS)}")
        user = self._user(user_id)
        if chat_id is None or chat_id == user_id:
            if status not in ("member", "kicked"):
                raise ValueError("in a private chat the bot is a member or blocked (kicked)")
            chat = self._state.private_chat(user)
            old = "member" if user_id not in self._state.blocked else "kicked"
            (self._state.blocked.add if status == "kicked" else self._state.blocked.discard)(
                user_id
            )
        else:
            chat = self._chat_for(user, chat_id)
            old = self._state.bot_status.get(chat.id, "left")
            self._state.bot_status[chat.id] = status
        return self._state.updates.push(
            {
                "my_chat_member": {
                    "chat": copy.deepcopy(chat.info),
                    "from": dict(user),
                    "date": self._state.now(),
                    "old_chat_member": self._chat_member(old),
                    "new_chat_member": self._chat_member(status),
                }
            }
        )

    def _chat_member(self, status: str) -> dict[str, Any]:
        return {"status": status, "user": dict(self._state.bot_user), **_MEMBER_FIELDS[status]}

    def _user(self, user_id: int) -> dict[str, Any]:
        if user_id not in self._state.users:
            raise ValueError(f"unknown user {user_id}; call add_user() first")
        return self._state.users[user_id]

    def _chat_for(self, user: dict[str, Any], chat_id: int | None) -> Chat:
        if chat_id is None or chat_id == user["id"]:
            return self._state.private_chat(user)
        if chat_id < 0 and chat_id in self._state.chats:
            return self._state.chats[chat_id]  # a group, or the supergroup it became
        if chat_id < 0:
            return self._state.group_chat(chat_id)
        raise ValueError(f"user {user['id']} cannot write in private chat {chat_id}")

    def tamper_button(self, chat_id: int, message_id: int, callback_data: str) -> None:
        """Add a button the bot never sent to a stored message, as a modified client could;
        tests then press it to check that forged callback data changes nothing."""
        _chat, message = self._message(chat_id, message_id)
        markup = message.setdefault("reply_markup", {"inline_keyboard": []})
        markup.setdefault("inline_keyboard", []).append(
            [{"text": "forged", "callback_data": callback_data}]
        )

    def migrate_group(self, chat_id: int) -> int:
        """A basic group becomes a supergroup (Telegram does it when a group grows or its
        history is made visible): a new chat with a new id, the old one gone. Calls to the
        old id get 400 with ``migrate_to_chat_id``; the bot receives the two service
        messages Telegram sends. Returns the supergroup's id."""
        old = self._state.chats.get(chat_id)
        if old is None or old.info["type"] != "group":
            raise ValueError(f"no basic group {chat_id}")
        new_id = int(f"-100{-chat_id}")
        new = Chat({**old.info, "id": new_id, "type": "supergroup"})
        self._state.chats[new_id] = new
        del self._state.chats[chat_id]
        self._state.migrated[chat_id] = new_id
        for chat, field, value in (
            (old, "migrate_to_chat_id", new_id),
            (new, "migrate_from_chat_id", chat_id),
        ):
            message = chat.add({"chat": chat.info, "date": self._state.now(), field: value})
            self._state.updates.push({"message": copy.deepcopy(message)})
        return new_id

    def delete_for_both(self, chat_id: int, message_id: int) -> None:
        """The person deletes a message of their private chat for both sides: the bot's later
        edits of it are refused ("message to edit not found")."""
        chat, _message = self._message(chat_id, message_id)
        del chat.messages[message_id]

    def _message(self, chat_id: int, message_id: int) -> tuple[Chat, dict[str, Any]]:
        chat = self._state.chats.get(chat_id)
        message = None if chat is None else chat.messages.get(message_id)
        if chat is None or message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id} (never sent or deleted)")
        return chat, message
