"""Webhook delivery as Telegram does it: queued updates are POSTed, in order, to the webhook
with the secret-token header; an update not answered 2xx in time is sent again later, so a slow
or failing bot sees it twice. `targets` stand for the load balancer in front of the replicas
(Telegram itself only knows the public HTTPS URL): updates go to them in turn."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import aiohttp

from bot.local_api.state import BotState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookPusher:
    def __init__(
        self, state: BotState, targets: list[str], *, timeout: float, retry_delay: float
    ) -> None:
        self._state = state
        self._targets = targets
        self._timeout = timeout
        self._retry_delay = retry_delay
        self._task: asyncio.Task[None] | None = None
        self.deliveries: list[tuple[int, str, int | None]] = []  # (update_id, target, status)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _next(self) -> dict[str, Any] | None:
        webhook = self._state.webhook
        queue = self._state.updates
        return queue.updates[0] if webhook is not None and queue.updates else None

    async def _run(self) -> None:
        turn = 0
        async with aiohttp.ClientSession() as http:
            while True:
                update = await self._state.updates.wait_for_any(self._next)
                target = self._targets[turn % len(self._targets)]
                turn += 1
                status = await self._post(http, target, update)
                self.deliveries.append((update["update_id"], target, status))
                if status is not None and 200 <= status < 300:
                    self._state.updates.remove(update["update_id"])
                else:
                    assert self._state.webhook is not None
                    self._state.webhook["last_error_date"] = int(time.time())
                    self._state.webhook["last_error_message"] = (
                        f"Wrong response from the webhook: {status}"
                        if status
                        else "Read timeout expired"
                    )
                    await asyncio.sleep(self._retry_delay)

    async def _post(
        self, http: aiohttp.ClientSession, target: str, update: dict[str, Any]
    ) -> int | None:
        secret = (self._state.webhook or {}).get("secret_token")
        headers = {SECRET_HEADER: secret} if secret else {}
        try:
            async with http.post(
                target,
                json=update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self._timeout),
            ) as response:
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return None
