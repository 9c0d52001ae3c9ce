"""LocalBotApi: the test-facing handle on a local Telegram Bot API server.

A test (or the token-free demo) starts it, points python-telegram-bot at :attr:`base_url`, then
plays users (:meth:`send_message`, :meth:`press_button`...) and observes what the bot did
(:attr:`events`, :meth:`next_event`, :meth:`messages`...).  Faults and flood control let tests
exercise error handling against the same responses Telegram would give.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from bot.local_api.events import BotEvent, CallLog, EventLog, Refusal
from bot.local_api.faults import Fault, FaultInjector, RateLimiter
from bot.local_api.media import document_object, new_file
from bot.local_api.methods_bot import BotMethods
from bot.local_api.methods_messages import MessageMethods
from bot.local_api.schema import CANONICAL_NAMES
from bot.local_api.server import ApiServer
from bot.local_api.state import BotState, Chat, PendingQuery
from bot.local_api.validation import inline_buttons, parse_scope, scope_key
from bot.local_api.webhook import WebhookPusher
from bot.telegram_entities import make_entity, utf16_len

# TDLib's bot command pattern: /command (1-64 chars) with an optional @botname (3-32 chars).
_BOT_COMMAND = re.compile(r"(?<![\w/<>])/\w{1,64}(?:@\w{3,32})?(?![\w/<>])", re.ASCII)


class LocalBotApi:
    """In-process Telegram Bot API server with user simulation, observation and faults."""

    def __init__(
        self,
        token: str = "123456789:TEST-TOKEN",
        *,
        bot_username: str = "minka_test_bot",
        bot_first_name: str = "Minka",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token):
            raise ValueError(f"not a bot token (expected '<id>:<secret>'): {token!r}")
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._host = host
        self._port = port
        self._state = BotState(self.bot_user)
        self._events = EventLog()
        self._calls = CallLog()
        self._faults = FaultInjector()
        self._limiter = RateLimiter()
        handlers = {
            **MessageMethods(self._state, self._events).handlers(),
            **BotMethods(self._state).handlers(),
        }
        self._pusher: WebhookPusher | None = None
        self._server = ApiServer(
            token, self._state, handlers, self._calls, self._faults, self._limiter
        )

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind the HTTP server; port 0 picks a free port."""
        self._port = await self._server.start(self._host, self._port)

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        if self._pusher is not None:
            await self._pusher.stop()
        await self._server.stop()

    def deliver_webhooks(
        self, targets: list[str], *, timeout: float = 10.0, retry_delay: float = 0.2
    ) -> WebhookPusher:
        """Once the bot has set a webhook, POST updates to `targets` in turn (a stand-in for
        the load balancer behind the webhook's public URL). An answer slower than `timeout`
        or not 2xx makes the update be sent again, as Telegram does."""
        self._pusher = WebhookPusher(self._state, targets, timeout=timeout, retry_delay=retry_delay)
        self._pusher.start()
        return self._pusher

    async def __aenter__(self) -> LocalBotApi:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """Pass as ``base_url`` to python-telegram-bot, which appends the token."""
        return f"http://{self._host}:{self._require_port()}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host}:{self._require_port()}/file/bot"

    def _require_port(self) -> int:
        if not self._server.port:
            raise RuntimeError("LocalBotApi is not started")
        return self._server.port

    # -- acting as users -------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "es",
    ) -> dict[str, Any]:
        """Register a Telegram user; the bot can reach them once they write to it."""
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
            "date": int(time.time()),
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
            "date": int(time.time()),
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

    def _user(self, user_id: int) -> dict[str, Any]:
        if user_id not in self._state.users:
            raise ValueError(f"unknown user {user_id}; call add_user() first")
        return self._state.users[user_id]

    def _chat_for(self, user: dict[str, Any], chat_id: int | None) -> Chat:
        if chat_id is None or chat_id == user["id"]:
            return self._state.private_chat(user)
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

    def _message(self, chat_id: int, message_id: int) -> tuple[Chat, dict[str, Any]]:
        chat = self._state.chats.get(chat_id)
        message = None if chat is None else chat.messages.get(message_id)
        if chat is None or message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id} (never sent or deleted)")
        return chat, message

    # -- observing the bot -----------------------------------------------------------------

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Every request as (canonical method name, coerced parameters), in order."""
        return self._calls.entries

    @property
    def refusals(self) -> list[Refusal]:
        """Every call the server refused, in order (injected faults and 429s aside)."""
        return list(self._server.refusals)

    @property
    def malformed_requests(self) -> list[Refusal]:
        """Refusals for breaking a Bot API rule (a limit, a type, the HTML): what real
        Telegram would refuse too, so a bot under test should have none."""
        return [refusal for refusal in self._server.refusals if refusal.malformed]

    @property
    def events(self) -> list[BotEvent]:
        """Every successful bot action that touched a chat, in order."""
        return self._events.all

    @property
    def pending_updates(self) -> int:
        """Updates the bot has not confirmed yet (by asking getUpdates for a later offset)."""
        return len(self._state.updates.updates)

    @property
    def files(self) -> dict[str, bytes]:
        """Uploaded content by file_id (photo thumbnails map to the original bytes)."""
        return {file_id: stored.data for file_id, stored in self._state.files.items()}

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Current messages of a chat (after edits and deletions), bot's and users', in order."""
        chat = self._state.chats.get(chat_id)
        return [] if chat is None else copy.deepcopy(list(chat.messages.values()))

    def last_bot_message(self, chat_id: int) -> dict[str, Any] | None:
        mine = [m for m in self.messages(chat_id) if m["from"]["id"] == self.bot_user["id"]]
        return mine[-1] if mine else None

    async def next_event(self, chat_id: int, timeout: float = 5.0) -> BotEvent:
        """Next not yet consumed bot action in the chat (FIFO); TimeoutError lists recent ones."""
        return await self._events.next(chat_id, timeout)

    def drain(self, chat_id: int) -> list[BotEvent]:
        """Consume and return everything queued so far for the chat."""
        return self._events.drain(chat_id)

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """Parameters of the first not yet consumed matching call, past or future."""
        return await self._calls.wait(method, predicate, timeout)

    async def callback_answer(self, callback_query_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait until the bot answers the callback query; returns the answer parameters."""
        return await self._answer(self._state.callback_queries, callback_query_id, timeout)

    async def inline_answer(self, inline_query_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait until the bot answers the inline query; returns the answer parameters."""
        return await self._answer(self._state.inline_queries, inline_query_id, timeout)

    async def _answer(
        self, queries: dict[str, PendingQuery], query_id: str, timeout: float
    ) -> dict[str, Any]:
        query = queries.get(query_id)
        if query is None:
            raise ValueError(f"unknown query id {query_id!r}")
        try:
            return await self._state.answers.wait_for(lambda: query.answer, timeout)
        except TimeoutError:
            raise TimeoutError(f"query {query_id} not answered within {timeout}s") from None

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """Commands stored by setMyCommands for exactly this scope and language."""
        key = (scope_key(parse_scope(scope)), language_code)
        return copy.deepcopy(self._state.commands.get(key, []))

    # -- faults ----------------------------------------------------------------------------

    def inject(self, method: str, fault: Fault, *, times: int = 1) -> None:
        """Apply ``fault`` to the next ``times`` calls of ``method`` ("*" for any method)."""
        if method != "*":
            if method.lower() not in CANONICAL_NAMES:
                raise ValueError(f"unsupported method {method!r}")
            method = CANONICAL_NAMES[method.lower()]
        self._faults.inject(method, fault, times)

    def inject_for(self, method: str, fault: Fault, *, seconds: float) -> None:
        """Apply ``fault`` to every call of ``method`` ("*" for any method, getUpdates
        included) for the next ``seconds``: an outage such as a lasting flood control."""
        if method != "*":
            if method.lower() not in CANONICAL_NAMES:
                raise ValueError(f"unsupported method {method!r}")
            method = CANONICAL_NAMES[method.lower()]
        self._faults.inject_for(method, fault, seconds)

    def inject_every(self, method: str, fault: Fault | None, nth: int = 3) -> None:
        """Apply ``fault`` to every ``nth`` call of ``method`` from now on (None stops it)."""
        if method.lower() not in CANONICAL_NAMES:
            raise ValueError(f"unsupported method {method!r}")
        self._faults.inject_every(CANONICAL_NAMES[method.lower()], fault, nth)

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends and edits in their chat get 403."""
        self._state.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._state.blocked.discard(user_id)

    @property
    def throttled(self) -> int:
        """How many calls flood control answered with 429 since it was configured."""
        return self._limiter.rejected

    def rate_limit(
        self, per_second: float | None, per_chat_per_second: float | None = None
    ) -> None:
        """Enable flood control (None disables a limit); excess calls get 429 + retry_after."""
        self._limiter.configure(per_second, per_chat_per_second)
