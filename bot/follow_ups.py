"""A chat's later calls (notices sent after its replies, a reply's file over 5 MB:
`Ctx.later`; and replies refused while the database could not keep them, handlers/delivery.py)
under flood control: never dropped, never ahead of the chat's held replies. (A
reply's own file or QR code, `Ctx.document`, and a publication's or material's file,
`Ctx.kept_file`, are among the replies: held in the outbox with them, bot/held.py.)

When an earlier reply of the chat waits in the outbox (bot/held.py), or Telegram still
refuses the call after the rate limiter's retries, the calls wait here, in memory, for the
chat's turn with nothing of it left in the outbox, and are made then; a refused one is tried
again after Telegram's `retry_after`, as often as Telegram asks, for at most `WAIT` in all
(a count of tries gave up after ~22 s of 429s with retry_after 1). Only then are they given
up: one warning, and the person is told through the outbox. They are not written to the
database (a file over `reply_data.FILE_LIMIT` is too large for a row, and is rebuilt on request),
but a file is owed from the update's transaction (bot/cut_short.py, `Ctx.document`): a stop,
graceful or not, before it is sent leaves the person a notice after the restart, with the
command or a button to ask for it again (a graceful stop abandons the calls waiting here and
makes their notices due at once: `stopped`). The other later calls of a chat are command
menus, set again at the next start (handlers/command_menu.py), and an erased person's menu
taken away, owed like a file (`command_menu.forget_later`): the next process makes it.

Replies that first need seconds of work elsewhere (the indicator report, built in a worker
process: `Ctx.apart`) are prepared here too, in a task of their own started after the
update's commit: the update ends at once, so that work holds none of the bot's concurrent
update slots (`CONCURRENT_UPDATES`) and not the person's turn, and other people's replies
never queue behind a coordinator's report. What it prepares are replies, not later calls:
sent in the chat's turn or held in the outbox with the chat's replies (bot/held.py), so
they are neither overtaken nor lost with a restart once built. Before that, the request is
owed from the update's transaction (bot/cut_short.py): a stop during the work leaves the
person a notice, sent after the restart, instead of silence; a graceful stop abandons the work
still being prepared (`stopped`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import Application

from bot import chat_order, cut_short, held, held_send, metrics
from bot.ratelimit import retry_after
from bot.runtime import Runtime

WAIT = 600.0  # seconds a call may wait for the chat's held replies and Telegram
POLL = 0.5  # seconds between looks at whether the chat's held replies are all sent
GRACE = 3.0  # seconds a stopping process gives prepared replies on their way to be sent
log = logging.getLogger(__name__)
_running: set[asyncio.Task[None]] = set()  # kept referenced until done


@dataclass(slots=True)
class _Work:
    """Replies being prepared (`start_prepared`): the work's cut-short notice, if one is
    owed (bot/cut_short.py), and whether its replies are being sent already."""

    guard: str | None
    sending: bool = False


_prepared: dict[asyncio.Task[None], _Work] = {}
# Later calls waiting in memory (`start`): the cut-short notices of those not made yet.
_waiting: dict[asyncio.Task[None], list[str | None]] = {}


def start(
    application: Application,
    *,
    chat_id: int,
    calls: list[Callable[[], Awaitable[Any]]],
    refused: RetryAfter | None,
    what: str,
    key: str,
    notice: str,
    guards: list[str | None] | None = None,
    place: chat_order.Later | None = None,
) -> None:
    """Make `calls` in order once the chat's held replies are sent (`refused`: the first
    call's refusal, already after the retries). `what` names the update and handler in the
    log; `notice` (HTML) is what the person reads, kept as reply `key`, if they fail.
    `guards`, one per call: the cut-short notice it owes since the update (a large file's,
    bot/cut_short.py), its lease kept fresh while it waits and withdrawn once it is made; a
    stop before that leaves it due (`stopped`). `place`: theirs in the chat's line
    (bot/chat_order.py), after the replies held before them, before those held after."""
    owed = list(guards) if guards else [None] * len(calls)
    follow = _follow(application, chat_id, list(calls), refused, what, key, notice, owed, place)
    task = _spawn(follow)
    _waiting[task] = owed
    task.add_done_callback(lambda done: _waiting.pop(done, None))


def start_prepared(
    application: Application,
    *,
    chat_id: int,
    person_id: int | None,
    prepare: Callable[[], Awaitable[list[held_send.Part]]],
    what: str,
    key: str,
    failed: str,
    notice: str,
    guard: str | None = None,
) -> None:
    """Run `prepare` as a task of its own, then send the replies it returns in the chat's
    turn, or keep them in the outbox behind the chat's held replies (`held_send.send_or_hold`: in
    order, over a restart); a file too large to keep there, and what follows it, waits here
    behind them (as `start`'s calls, `notice` if given up). If it fails, `failed` (HTML) is
    what the person reads, kept as reply `key`. `guard`: the work's cut-short notice owed
    since the update (its lease kept fresh meanwhile), withdrawn once the replies or a
    message in their place are sent or kept."""
    runtime: Runtime = application.bot_data["runtime"]
    work = _Work(guard)

    async def prepared() -> None:
        lease = _spawn(cut_short.keep_fresh(runtime, guard)) if guard else None
        try:
            parts = await prepare()
            work.sending = True
            unkept = await held_send.send_or_hold(
                application,
                chat_id=chat_id,
                person_id=person_id,
                parts=parts,
                key=key,
                what=what,
                done=guard,
            )
            if unkept is not None:  # in memory: the notice stays owed until they are made
                calls = [send for send, _reply in unkept.parts]
                refusal, place = unkept.refused, unkept.place
                await _follow(application, chat_id, calls, refusal, what, key, notice, None, place)
                if guard is not None:
                    await cut_short.ended(runtime, guard)
        except Exception:  # the person asked for it: told, never left waiting in silence
            log.exception("%s: preparing or sending its replies failed", what)
            await held.tell(
                application, chat_id=chat_id, text=failed, key=f"{key}:prepared", done=guard
            )
        finally:
            if lease is not None:
                lease.cancel()

    task = _spawn(prepared())
    _prepared[task] = work
    task.add_done_callback(lambda done: _prepared.pop(done, None))


async def stopped(application: Application) -> None:
    """The process stops: replies still being prepared are abandoned (their worker's job
    with the pool, bot/workers.py), those on their way get `GRACE` seconds to be sent or
    held; later calls waiting in memory (for Telegram or the chat's held replies) are
    abandoned. The cut-short notices of what did not end are due at once, so the next start
    (or another replica) tells those people without waiting for the leases to run out."""
    works, waiting = dict(_prepared), dict(_waiting)
    if not works and not waiting:
        return
    for task, work in works.items():
        if not work.sending:
            task.cancel()
    for task in waiting:
        task.cancel()
    if works:
        _ended, late = await asyncio.wait(works, timeout=GRACE)
        for task in late:
            task.cancel()
    await asyncio.gather(*works, *waiting, return_exceptions=True)
    cut = [work.guard for task, work in works.items() if work.guard and not _ended_well(task)]
    cut += [guard for guards in waiting.values() for guard in guards if guard]
    if not cut:
        return
    runtime: Runtime = application.bot_data["runtime"]
    try:
        await cut_short.due_now(runtime, cut)
        log.warning(
            "stopping: %d replies cut short (prepared, or in memory); told at the next start",
            len(cut),
        )
    except Exception as error:  # told anyway, when their leases run out
        log.warning("stopping: %d cut-short notices not made due now (%r)", len(cut), error)


def _spawn(work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    task = asyncio.get_running_loop().create_task(work)
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


def _ended_well(task: asyncio.Task[None]) -> bool:
    """It ran to its end (its replies sent or kept, or the person told it failed)."""
    return not task.cancelled() and task.exception() is None


async def _follow(
    application: Application,
    chat_id: int,
    calls: list[Callable[[], Awaitable[Any]]],
    refused: RetryAfter | None,
    what: str,
    key: str,
    notice: str,
    guards: list[str | None] | None = None,
    place: chat_order.Later | None = None,
) -> None:
    """`calls` made in the chat's turn, each refusal waited out; `guards` (one per call,
    emptied with them) their cut-short notices, kept fresh meanwhile and withdrawn as they
    are made. Given up, the person is told `notice` instead (kept as reply `key`). `place`:
    theirs in the chat's line, left at the end (the chat's replies held behind go then)."""
    runtime: Runtime = application.bot_data["runtime"]
    guards = guards if guards is not None else [None] * len(calls)
    lease = _spawn(cut_short.keep_fresh(runtime, guards)) if any(guards) else None
    try:
        if await _made(runtime, chat_id, calls, refused, what, guards, place):
            return
        await held.tell(application, chat_id=chat_id, text=notice, key=f"{key}:later")
        for guard in guards:  # the person was told: these are owed no more
            if guard is not None:
                await cut_short.ended(runtime, guard)
    finally:
        if lease is not None:
            lease.cancel()
        if place is not None:
            _leave(application, place)


def _leave(application: Application, place: chat_order.Later) -> None:
    """The line moves on; the outbox is woken for the replies it held back behind it."""
    runtime: Runtime = application.bot_data["runtime"]
    chat_order.leave(runtime, place)
    if not runtime.stopping.is_set():
        try:
            held.wake(application, runtime.clock.now())
        except Exception as error:  # the scheduler stopped: the next round sends them
            log.warning("chat %s: outbox not woken (%r)", place.chat_id, error)


async def _made(
    runtime: Runtime,
    chat_id: int,
    calls: list[Callable[[], Awaitable[Any]]],
    refused: RetryAfter | None,
    what: str,
    guards: list[str | None],
    place: chat_order.Later | None = None,
) -> bool:
    """Whether all `calls` were made, within `WAIT` (else one line in the log says why)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    tries = 1 if refused else 0
    pause = retry_after(refused).total_seconds() if refused else 0.0
    behind = "waited too long for the chat's held replies"
    cause = f"flood control, {tries} attempts" if refused else behind
    try:
        while calls:
            if loop.time() + pause > deadline:
                break
            await asyncio.sleep(pause)
            async with runtime.held.turn(chat_id):  # nothing of the chat can overtake now
                if await (
                    chat_order.ahead(runtime, place) if place else held.waiting(runtime, chat_id)
                ):
                    pause, cause = POLL, behind
                    continue
                try:
                    while calls:
                        await calls[0]()
                        calls.pop(0)
                        if (guard := guards.pop(0)) is not None:
                            await cut_short.ended(runtime, guard)
                except RetryAfter as error:  # after the rate limiter's retries
                    metrics.flood_round("later")
                    tries += 1
                    cause = f"flood control, {tries} attempts"
                    pause = retry_after(error).total_seconds()
    except Exception:  # a defect, not flood control: the traceback, and the person is told
        log.exception("%s: a later call failed", what)
        return False
    if calls:
        log.warning("%s: %d later calls not made (%s)", what, len(calls), cause)
        return False
    return True
