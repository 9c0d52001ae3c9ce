"""What the replicas storm (tests/test_storm_replicas.py) needs around the random-input storm:
a load balancer in front of two webhook replicas that can hand an update to both or make
Telegram send it again, a recorder that labels every Bot API call and log line with the
update whose handling caused it (so that the checks can tell what each update did), a Storm
that also injects faults, blocks people and stops the database, and how to read a call's
end."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import func, select
from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.local_api import Fault, LocalBotApi
from bot.webhook import SECRET_HEADER
from storage.models import OutboxMessage
from storage.repositories import outbox
from tests.postgres import PostgresServer, _free_port
from tests.storm import World
from tests.storm_updates import Storm

# Telegram's answers that Minka handles itself (the message cannot be edited any more...).
TOLERATED = ("not modified", "message can't be edited", "message to edit not found", "no text")
STALL = 5.5  # seconds: longer than python-telegram-bot's 5 s read timeout
FAULTS: dict[str, Callable[[], Fault]] = {
    "429": lambda: Fault.too_many_requests(1),
    "500": lambda: Fault.server_error(500),
    "502": lambda: Fault.server_error(502),
    "drop": Fault.disconnect,
    "timeout": lambda: Fault.stall(STALL),
}


@dataclass(frozen=True)
class Label:
    """One handling of one delivered copy of an update, by one replica."""

    update_id: int
    replica: int
    serial: int


CURRENT: ContextVar[Label | None] = ContextVar("storm_label", default=None)


@dataclass
class Call:
    """A Bot API call Minka made, with the handling that made it and how it ended."""

    label: Label | None
    endpoint: str
    chat_id: Any
    attempts: list[str] = field(default_factory=list)  # "ok" or the error, per try
    error: BaseException | None = None
    done: bool = False
    # A press's answer: the press it answers (also made outside its handling: a press
    # answered early, at PRESS_EARLY, bot/updates.py, or dropped by the anti-flood).
    query_id: str | None = None


class Recorder(logging.Handler):
    """Labels Minka's work with the update being handled: a first handler (group -1) sets a
    context variable that the Bot API calls and the log lines of that handling then see."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.serials = itertools.count()
        self.handlings: defaultdict[int, list[Label]] = defaultdict(list)
        self.calls: list[Call] = []
        self.records: list[logging.LogRecord] = []
        self.busy = 0
        self.last_timeout = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        record.storm_label = CURRENT.get()
        self.records.append(record)

    def attach(self, application: Application, replica: int) -> None:
        async def label(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            handling = Label(update.update_id, replica, next(self.serials))
            CURRENT.set(handling)  # the rest of this update's task sees it
            self.handlings[update.update_id].append(handling)

        application.add_handler(TypeHandler(Update, label), group=-1)
        limiter = application.bot.rate_limiter
        assert limiter is not None
        original = limiter.process_request

        async def process_request(*, callback: Callable[..., Awaitable[Any]], **rest: Any) -> Any:
            data = rest["data"]
            call = Call(CURRENT.get(), rest["endpoint"], data.get("chat_id"))
            call.query_id = data.get("callback_query_id")
            self.calls.append(call)
            self.busy += 1

            async def attempt(*args: Any, **kwargs: Any) -> Any:
                try:
                    result = await callback(*args, **kwargs)
                except Exception as error:
                    call.attempts.append(repr(error))
                    if isinstance(error, TimedOut):
                        self.last_timeout = time.monotonic()
                    raise
                call.attempts.append("ok")
                return result

            try:
                return await original(callback=attempt, **rest)
            except Exception as error:
                call.error = error
                raise
            finally:
                call.done = True
                self.busy -= 1

        limiter.process_request = process_request  # type: ignore[method-assign]


class Balancer:
    """The load balancer behind the webhook's public address: the local Bot API server posts
    to `targets` (one per replica) and each post goes to that replica. An armed mode applies
    to the next new update: "both" hands it to both replicas at once, "lost" says 502 after
    the replica took it and "slow" answers after Telegram gave up, so that Telegram sends it
    again (to the other replica)."""

    def __init__(self, replicas: list[str], slow: float) -> None:
        self.replicas, self.slow = replicas, slow
        self.armed: list[str] = []
        self.updates: dict[int, dict[str, Any]] = {}  # every update seen, by id
        self.accepted: Counter[int] = Counter()  # copies a replica answered 200
        self.busy = 0
        self._http: aiohttp.ClientSession | None = None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[list[str]]:
        app = web.Application()
        app.router.add_post("/{replica}", self._receive)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = _free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        async with aiohttp.ClientSession() as self._http:
            try:
                yield [f"http://127.0.0.1:{port}/{n}" for n in range(len(self.replicas))]
            finally:
                await runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        self.busy += 1
        try:
            body = await request.read()
            update = json.loads(body)
            replica, mode = int(request.match_info["replica"]), None
            if update["update_id"] not in self.updates:
                self.updates[update["update_id"]] = update
                mode = self.armed.pop(0) if self.armed else None
            headers = {SECRET_HEADER: request.headers.get(SECRET_HEADER, "")}
            targets = [replica, 1 - replica] if mode == "both" else [replica]
            statuses = await asyncio.gather(
                *(self._forward(n, body, headers, update["update_id"]) for n in targets)
            )
            if mode == "slow":
                await asyncio.sleep(self.slow)
            return web.Response(status=502 if mode == "lost" else statuses[0])
        finally:
            self.busy -= 1

    async def _forward(self, replica: int, body: bytes, headers: dict[str, str], uid: int) -> int:
        assert self._http is not None
        async with self._http.post(
            f"{self.replicas[replica]}/telegram",
            data=body,
            headers={**headers, "Content-Type": "application/json"},
        ) as response:
            if response.status == 200:
                self.accepted[uid] += 1
            return response.status


class ReplicaStorm(Storm):
    """The storm, plus ("fault", method, kind, times) | ("block", who) | ("unblock", who) |
    ("twice", mode): the next update is delivered twice (see `Balancer`) | ("outage",): the
    database stops for a second while the storm goes on."""

    def __init__(
        self,
        api: LocalBotApi,
        apps: list[Application],
        world: World,
        balancer: Balancer,
        recorder: Recorder,
        database: PostgresServer,
    ) -> None:
        super().__init__(api, apps[0], world)
        self.apps, self.balancer, self.recorder = apps, balancer, recorder
        self.database = database
        self.outages: list[asyncio.Task[None]] = []
        self.blocked: set[int] = set()
        self.injected: Counter[str] = Counter()
        self.audited: set[int] = set()  # update ids already checked
        self.seen_records = self.seen_calls = 0  # recorder entries already checked

    async def send(self, drawn: tuple[Any, ...]) -> None:
        kind = drawn[0]
        if kind == "fault":
            _kind, method, fault, times = drawn
            self.api.inject(method, FAULTS[fault](), times=times)
            self.injected[fault] += times
        elif kind in ("block", "unblock"):
            user_id = self.people[drawn[1]]["id"]
            (self.api.block if kind == "block" else self.api.unblock)(user_id)
            (self.blocked.add if kind == "block" else self.blocked.discard)(user_id)
        elif kind == "twice":
            self.balancer.armed.append(drawn[1])
        elif kind == "outage":  # the next updates find the database away; back in a second
            await asyncio.to_thread(self.database.pause)
            self.outages.append(asyncio.create_task(self._resume(after=1.0)))
        else:
            await super().send(drawn)

    async def _resume(self, after: float) -> None:
        await asyncio.sleep(after)
        await asyncio.to_thread(self.database.resume)

    def unblock_everyone(self) -> None:
        for user_id in self.blocked:
            self.api.unblock(user_id)
        self.blocked.clear()

    async def settle(self, quiet: float = 0.05, timeout: float = 90.0) -> None:
        """Wait until every update was delivered and handled by both replicas, no Bot API call
        (or retry) is under way, a stalled call had time to finish on the server, and nothing
        happened in any chat for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        count, changed = -1, time.monotonic()
        while time.monotonic() < deadline:
            now = time.monotonic()
            activity = len(self.api.events) + len(self.api.calls)
            if activity != count:
                count, changed = activity, now
            busy = (
                self.api.pending_updates
                or self.balancer.busy
                or self.recorder.busy
                or now - self.recorder.last_timeout < STALL - 4.5
                or not all(outage.done() for outage in self.outages)
                or any(
                    not app.update_queue.empty() or app.update_processor.current_concurrent_updates
                    for app in self.apps
                )
            )
            if not busy and now - changed >= quiet:
                if not await self._replies_held():
                    for outage in self.outages:
                        outage.result()  # the database is back
                    return
                await asyncio.sleep(0.2)
            await asyncio.sleep(0.01)
        raise AssertionError(f"the replicas were still busy {timeout} s after the batch")

    async def _replies_held(self) -> bool:
        """Whether replies held for the outbox (flood control, or behind earlier ones) are
        still unsent: the outbox sends them, maybe after a passing failure's backoff."""
        async with self.runtime.db.session() as session:
            unsent = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.kind == outbox.HELD, OutboxMessage.state.in_(outbox.UNSENT))
            )
        return bool(unsent)


def same_update(one: Call, other: Call) -> bool:
    """Made while handling copies of the same update (answers: to the same press)."""
    if one.query_id is not None and one.query_id == other.query_id:
        return True
    return bool(one.label and other.label and one.label.update_id == other.label.update_id)


def outcome(call: Call, blocked: set[int], calls: list[Call]) -> str:
    """How a Bot API call ended: "ok" (also when Telegram's refusal says it is done: the same
    edit again, a press answered already), "fault" (only an injected fault or a person who
    blocked Minka explains it) or "bug"."""
    error = call.error
    if error is None:
        return "ok"
    if isinstance(error, Forbidden):
        return "fault" if call.chat_id in blocked else "bug"
    if isinstance(error, TimedOut | RetryAfter) or type(error) is NetworkError:
        return "fault"
    message = error.message.lower() if isinstance(error, BadRequest) else ""
    if any(reason in message for reason in TOLERATED):
        return "ok"
    if "query is too old" in message:
        earlier: list[str] = []  # tries to answer this press before this one (by any copy)
        for other in calls:
            if same_update(other, call) and other.endpoint == call.endpoint:
                earlier += other.attempts[:-1] if other is call else other.attempts
                if other is call:
                    break
        if any(attempt == "ok" or attempt.startswith("TimedOut") for attempt in earlier):
            return "ok"  # answered already (or maybe, by a try that timed out)
        # Answered in time by another call, whichever was recorded first: two copies' early
        # answers (bot/updates.py PRESS_EARLY) run at once, outside their handlings.
        if call.query_id is not None and any(
            "ok" in other.attempts for other in calls if other.query_id == call.query_id
        ):
            return "ok"
    return "bug"


def must_handle(update: dict[str, Any]) -> bool:
    """Updates some handler always takes: a press, a new message in a private chat."""
    message = update.get("message")
    return "callback_query" in update or (
        message is not None and message["chat"]["type"] == "private"
    )


def failure(record: logging.LogRecord) -> BaseException | None:
    """The error of an update that failed, as the error handler logged it."""
    if record.name == "handlers.errors" and record.levelno >= logging.ERROR:
        error = getattr(record, "failure", None)
        return error if isinstance(error, BaseException) else None
    return None
