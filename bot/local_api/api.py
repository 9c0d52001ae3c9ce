"""LocalBotApi: the test-facing handle on a local Telegram Bot API server.

A test (or the token-free demo) starts it, points python-telegram-bot at :attr:`base_url`, then
plays users (:meth:`send_message`, :meth:`press_button`...) and observes what the bot did
(:attr:`events`, :meth:`next_event`, :meth:`messages`...).  Faults and flood control let tests
exercise error handling against the same responses Telegram would give. Those three roles
are mixins, each in its module: `users.Users`, `observing.Observing`, `faults.FaultControls`.
"""

from __future__ import annotations

import re
from types import TracebackType
from typing import Any

from bot.local_api.events import CallLog, EventLog
from bot.local_api.faults import FaultControls, FaultInjector, RateLimiter
from bot.local_api.methods_bot import BotMethods
from bot.local_api.methods_messages import MessageMethods
from bot.local_api.observing import Observing
from bot.local_api.server import ApiServer
from bot.local_api.state import CALLBACK_ANSWER_WINDOW, BotState
from bot.local_api.users import Users
from bot.local_api.webhook import WebhookPusher


class LocalBotApi(Users, Observing, FaultControls):
    """In-process Telegram Bot API server with user simulation (`Users`), observation
    (`Observing`) and faults (`FaultControls`)."""

    def __init__(
        self,
        token: str = "123456789:TEST-TOKEN",
        *,
        bot_username: str = "minka_test_bot",
        bot_first_name: str = "Minka",
        host: str = "127.0.0.1",
        port: int = 0,
        callback_window: float = CALLBACK_ANSWER_WINDOW,
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
        # Seconds Telegram takes a press's answer (15); a test of the early answer may
        # shorten it, with PRESS_EARLY_SECONDS, to wait less for the same race.
        self._state.callback_window = callback_window
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
