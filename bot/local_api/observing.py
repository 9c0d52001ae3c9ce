"""Observing what the bot did, for a test's assertions: calls, refusals, events per chat,
messages as they stand, answers to queries, stored commands (a mixin of `LocalBotApi`)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from bot.local_api.events import BotEvent, CallLog, EventLog, Refusal
from bot.local_api.server import ApiServer
from bot.local_api.state import BotState, PendingQuery
from bot.local_api.validation import parse_scope, scope_key

# How long a wait for what the bot does lasts by default. What comes ends the wait at once, so
# only a failing test waits this long; 5 s fell short on a busy 2-core box (load 9-20: several
# test processes and their PostgreSQL servers), where a reply can take seconds of CPU queueing.
WAIT = 30.0


class Observing:
    """Read-only views of the server's state and logs, and waits for what is still to come."""

    bot_user: dict[str, Any]
    _state: BotState
    _events: EventLog
    _calls: CallLog
    _server: ApiServer

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
    def ignored_parameters(self) -> list[tuple[str, str]]:
        """(method, parameter) for each parameter sent that today's Bot API does not define for
        that method: deprecated («disable_web_page_preview (use link_preview_options)»),
        misspelt or of another method. Telegram takes the call and ignores (or, deprecated,
        still honours) it; a bot under test should send none."""
        return list(self._server.ignored)

    @property
    def lost_formatting(self) -> list[tuple[str, int]]:
        """(method, entities dropped) for each text or caption (an inline result's text too)
        whose formatting Telegram takes but does not all show: past its first 100 entities,
        or nested as the Bot API forbids (a bold inside or around a code or pre, links
        overlapping, a blockquote in another: bot/entity_rules.py)."""
        return list(self._state.lost_formatting)

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

    async def next_event(self, chat_id: int, timeout: float = WAIT) -> BotEvent:
        """Next not yet consumed bot action in the chat (FIFO); TimeoutError lists recent ones."""
        return await self._events.next(chat_id, timeout)

    def drain(self, chat_id: int) -> list[BotEvent]:
        """Consume and return everything queued so far for the chat."""
        return self._events.drain(chat_id)

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = WAIT,
    ) -> dict[str, Any]:
        """Parameters of the first not yet consumed matching call, past or future."""
        return await self._calls.wait(method, predicate, timeout)

    async def callback_answer(
        self, callback_query_id: str, timeout: float = WAIT
    ) -> dict[str, Any]:
        """Wait until the bot answers the callback query; returns the answer parameters."""
        return await self._answer(self._state.callback_queries, callback_query_id, timeout)

    async def inline_answer(self, inline_query_id: str, timeout: float = WAIT) -> dict[str, Any]:
        """Wait until the bot answers the inline query; returns the answer parameters."""
        return await self._answer(self._state.inline_queries, inline_query_id, timeout)

    async def _answer(
        self, queries: dict[str, PendingQuery], query_id: str, timeout: float
    ) -> dict[str, Any]:
        query = queries.get(query_id)
        if query is None:
            raise ValueError(f"unknown query id {query_id!r}")
        try:
            await self._state.answers.wait_for(lambda: query.answer or query.late, timeout)
        except TimeoutError:
            raise TimeoutError(f"query {query_id} not answered within {timeout}s") from None
        if query.answer is None:
            raise AssertionError(
                f"query {query_id} answered {query.late:.1f} s after it was asked: Telegram "
                "refuses it («query is too old»), the person's button spins until it gives up"
            )
        return query.answer

    @property
    def unanswered_presses(self) -> list[str]:
        """Callback queries the bot never tried to answer, or answered too late: on a phone
        the button spins until Telegram gives up. A bot must answer every press, even one it
        refuses (a stale button, an error); an answer met by an injected fault (a 429, a
        5xx) was tried, and is the world's doing."""
        tried = {
            params.get("callback_query_id")
            for method, params in self._calls.entries
            if method == "answerCallbackQuery"
        }
        return [
            query_id
            for query_id, query in self._state.callback_queries.items()
            if query.answer is None and (query.late is not None or query_id not in tried)
        ]

    def menu_button(self, chat_id: int = 0) -> dict[str, Any]:
        """The menu button setChatMenuButton left for a user's chat (0: the bot's default)."""
        return copy.deepcopy(self._state.menu_buttons.get(chat_id, {"type": "default"}))

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """Commands stored by setMyCommands for exactly this scope and language."""
        key = (scope_key(parse_scope(scope)), language_code)
        return copy.deepcopy(self._state.commands.get(key, []))

    def commands_seen_by(self, user_id: int) -> list[dict[str, str]]:
        """The command menu a user sees in their private chat, as Telegram picks it (Bot API,
        «Determining list of commands»): the first list set for the chat in the user's
        language, the chat, all private chats in the user's language, all private chats,
        the default scope in the user's language, the default scope. The user's language is
        their app's (`language_code`, «pt-br» read as «pt»)."""
        user = self._state.users[user_id]
        language = str(user.get("language_code") or "").split("-")[0].lower()
        chat = {"type": "chat", "chat_id": user_id}
        private = {"type": "all_private_chats"}
        for scope in (chat, private, {"type": "default"}):
            for code in dict.fromkeys((language, "")):
                key = (scope_key(parse_scope(scope)), code)
                if key in self._state.commands:
                    return copy.deepcopy(self._state.commands[key])
        return []

    def description(self, field: str = "description", language_code: str = "") -> str:
        """The bot's `description` or `short_description` set for a language ("" if none)."""
        return self._state.descriptions.get((field, language_code), "")
