"""Sending what Minka owes people (surveys, reminders, results...).

The outbox table is the source of truth; this module only claims due rows, renders each one
in the person's language at sending time, sends it and records the outcome. APScheduler
(PTB's JobQueue) merely wakes `tick` up; a restart loses nothing. How each kind is rendered
belongs to its feature: the application builder hands the renderers over (`install`), so this
module imports no handler. The Bot API calls that send one rendered message are in
bot/outgoing.py."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from bot import chat_order, metrics, outgoing
from bot import outbox_failures as failures
from bot.i18n import Translator, translator
from bot.ledger import Ledger
from bot.outgoing import NO_CHAT, Outgoing
from bot.ratelimit import PriorityRateLimiter, holding, retry_after
from bot.runtime import Runtime
from bot.services import team_reports, workshops
from bot.transport import may_have_arrived
from storage.repositories import outbox, outbox_marks
from storage.repositories.outbox import OwedMessage

log = logging.getLogger(__name__)


Renderer = Callable[[AsyncSession, OwedMessage, Translator, datetime], Awaitable[Outgoing | None]]
MAX_ATTEMPTS = 5
# In a message's payload once its text has arrived and the file that follows it has not: put
# back (a lasting 429), the message sends only the file next time.
TEXT_SENT = "text_sent"
AfterSend = Callable[[Bot, Runtime, list[OwedMessage]], Awaitable[None]]
# Whether a message must not go, asked at its sending: one a staff member's authority sends
# (a broadcast's copy) goes only while they still hold it (handlers/broadcast_authority.py).
Withhold = Callable[[AsyncSession, Runtime, OwedMessage, datetime], Awaitable[bool]]
BATCH = 200
IN_FLIGHT = 12  # concurrent sends: Telegram's round trip, not our loop, sets the pace
BACKGROUND = {"background": True}  # owed messages yield to replies (bot.ratelimit)
STALE_AFTER = timedelta(seconds=30)
KEEP_CLAIM = STALE_AFTER / 3  # a message on its way refreshes its claim this often
SENDERS = "outbox_senders"  # bot_data key of the installed Senders
BEHIND = timedelta(seconds=5)  # a reply held behind a later call is looked at again after


@dataclass(frozen=True, slots=True)
class Senders:
    """The features' renderers by kind of owed message, what follows a sent batch of a kind
    (a broadcast's progress message), and what may withhold a message at its sending."""

    renderers: Mapping[str, Renderer]
    after_send: Mapping[str, AfterSend] = field(default_factory=dict)
    withhold: Mapping[str, Withhold] = field(default_factory=dict)


def install(application: Application, senders: Senders, interval: float) -> None:
    """Keep the features' senders and wake the outbox every `interval` seconds."""
    application.bot_data[SENDERS] = senders
    assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
    application.job_queue.run_repeating(job, interval=interval, first=interval, name="outbox")


async def send_due(application: Application) -> int:
    """Send what is due now with the installed senders (also right after an action that owes
    something at once, such as a workshop check-in after its end)."""
    senders: Senders = application.bot_data[SENDERS]
    runtime: Runtime = application.bot_data["runtime"]
    return await dispatch_due(
        application.bot, runtime, senders.renderers, senders.after_send, senders.withhold
    )


async def dispatch_due(
    bot: Bot,
    runtime: Runtime,
    renderers: Mapping[str, Renderer],
    after_send: Mapping[str, AfterSend] | None = None,
    withhold: Mapping[str, Withhold] | None = None,
) -> int:
    """Send every due message, batch by batch, as background traffic: the rate limiter lets
    replies to people go first. Returns how many were sent.

    When the process begins to stop (`runtime.stopping`), the messages on their way are
    finished and the rest of the claimed batch is put back as it was (`outbox_marks.release`):
    a broadcast of 10,000 copies at 30 a second no longer holds the stop for minutes (PTB's
    `Application.stop` waits for this round), and the next start sends the rest at once.
    Likewise after an owed message's 429 (it is put back, due when Telegram allows): the
    round starts no other message, puts the rest back and claims nothing more until then
    (`PriorityRateLimiter.cool`), so that a broadcast's copies do not meet one 429 each."""
    sent = 0
    slots = asyncio.Semaphore(IN_FLIGHT)
    ledger = Ledger(runtime.db, runtime.clock.now)
    stopping = runtime.stopping
    left: list[OwedMessage] = []  # claimed, not started when the stop (or a 429) came
    # Put back unsent, due at a time: replies behind a later call waiting in memory; a chat's
    # messages while its 429 lasts (`PriorityRateLimiter.chat_until`).
    behind: list[tuple[OwedMessage, datetime]] = []

    async def in_order(messages: list[OwedMessage]) -> int:
        """One chat's messages, one after the other in one slot; if one is put back (flood
        control, a passing failure), the rest went back with it, behind it (outbox.postpone),
        so they still arrive in order."""
        done = 0
        async with slots:
            for n, message in enumerate(messages):
                until = _chat_cooled(runtime, limiter, message)
                if until is None and chat_order.holds_back(
                    runtime, message.telegram_id, message.kind, message.id
                ):
                    until = runtime.clock.now() + BEHIND  # a later call of the chat goes first
                if until is not None:
                    behind.extend((later, until) for later in messages[n:])
                    break
                result = await _send_one(bot, runtime, renderers, withhold, message, ledger)
                if result is None:  # the stop came before it started: it and the rest wait
                    left.extend(messages[n:])
                    break
                if isinstance(result, datetime):
                    break
                done += result
        return done

    limiter = getattr(bot, "rate_limiter", None)
    while not _held_back(runtime, limiter):
        now = runtime.clock.now()
        async with runtime.db.session() as session:
            batch = await outbox.claim_due(session, now, BATCH)
        if not batch:
            break
        chats: dict[int, list[OwedMessage]] = {}
        for message in batch:  # claimed in order: due time, then id
            chat = message.telegram_id if message.telegram_id is not None else -message.id
            chats.setdefault(chat, []).append(message)
        sent += sum(await asyncio.gather(*(in_order(messages) for messages in chats.values())))
        await ledger.flush()  # the batch's marks, before its progress and the next claim
        if behind:  # due again then (a later call made first wakes the outbox)
            async with runtime.db.session() as session:
                for message, until in behind:
                    await outbox.finish(
                        session, message.id, "pending", now, retry_at=until, uncounted=True
                    )
            behind.clear()
        if left:
            async with runtime.db.session() as session:
                await outbox_marks.release(session, [(m.id, m.attempts) for m in left])
            log.info(
                "%s claimed messages put back (%s)",
                len(left),
                "stopping: for the next start"
                if stopping.is_set()
                else "flood control: for when Telegram allows",
            )
            left.clear()
        for kind, hook in (after_send or {}).items():
            touched = [message for message in batch if message.kind == kind]
            if touched:
                try:
                    await hook(bot, runtime, touched)
                except Exception:  # a courtesy (e.g. progress): the next batches still go
                    log.exception("after sending %s messages: the follow-up failed", kind)
    return sent


async def _send_one(
    bot: Bot,
    runtime: Runtime,
    renderers: Mapping[str, Renderer],
    withhold: Mapping[str, Withhold] | None,
    message: OwedMessage,
    ledger: Ledger,
) -> int | datetime | None:
    """1 if a message was sent, 0 if not (now or ever) or for a call, or when it is tried
    again (after a 429 or a passing failure): then its chat's other messages wait behind it.
    None: not started, the process is stopping or Telegram asked to wait (an owed message's
    429: `PriorityRateLimiter.cool`); it stays claimed, for `release`."""
    limiter = getattr(bot, "rate_limiter", None)
    if _held_back(runtime, limiter):
        return None
    now = runtime.clock.now()
    renderer = renderers.get(message.kind)
    check = (withhold or {}).get(message.kind)
    t = translator(message.locale, runtime.settings.timezone)
    try:
        async with runtime.db.session() as session:
            rendered = None
            if check is not None and await check(session, runtime, message, now):
                await outbox.finish(session, message.id, "cancelled", now)
                return 0
            if renderer is not None and message.telegram_id is not None:
                rendered = await renderer(session, message, t, now)
            if rendered is None:
                await outbox.finish(session, message.id, "skipped", now)
                return 0
    except Exception as error:  # a bad payload or a bug: this message only, not the batch
        await failures.render_failed(runtime, message, error, now)
        return 0
    reserved = isinstance(limiter, PriorityRateLimiter) and rendered.call is None
    if reserved:
        await limiter.reserve()  # wait for a slot before the point of no return
    if _held_back(runtime, limiter):
        return None  # the stop (or a 429) came while it waited for its slot: not started
    if not await ledger.start(message.id, message.attempts):
        return 0  # our claim went stale and another process took it over: it sends this one
    forget = rendered.copy
    text_sent = bool(message.payload.get(TEXT_SENT))

    async def send() -> None:
        # Put back at its first 429 (bot/ratelimit.py `holding`), not waited out in memory
        # marked «sending», which a kill turned into «unknown», never sent (a lost copy or
        # reminder: tests/test_flood_copies_kill.py), and which no other replica could take.
        with holding():
            await sending()

    async def sending() -> None:
        nonlocal text_sent
        if rendered.call is not None:
            await rendered.call(bot, runtime, BACKGROUND)
            return
        limits = {**BACKGROUND, "reserved": reserved}
        if not text_sent and (rendered.text or rendered.document is None):
            await outgoing.deliver(bot, message, rendered, limits)
            text_sent, limits = True, BACKGROUND
        if rendered.document is not None:
            await outgoing.send_document(
                bot, message, *rendered.document, limits, rendered.caption, rendered.photo
            )

    def marked() -> dict[str, object] | None:
        """The payload to keep when the message is put back after its text went."""
        return {**message.payload, TEXT_SENT: True} if text_sent else None

    try:
        await _keeping_claim(runtime, message.id, send())
    except Forbidden as error:
        await failures.undeliverable(runtime, message, error.message, now, forget)
        return 0
    except RetryAfter as error:  # no failure: due again retry_after from the refusal
        retry_at = runtime.clock.now() + retry_after(error)
        metrics.flood_round(message.kind)
        if isinstance(limiter, PriorityRateLimiter):  # the chat's (or all) wait until then
            limiter.refused(message.telegram_id, runtime.clock.now(), retry_at)
        async with runtime.db.session() as session:
            await outbox.postpone(
                session, message.id, retry_at, error="429", payload=marked(), flood=True
            )
        return retry_at
    except (BadRequest, TelegramError) as error:
        no_chat = isinstance(error, BadRequest) and NO_CHAT in error.message.lower()
        if no_chat and rendered.call is None:  # a call (a menu) does not mark the person
            await failures.undeliverable(runtime, message, error.message, now, forget)
            return 0
        if may_have_arrived(error):  # as after a crash mid-call: not sent again
            async with runtime.db.session() as session:
                await outbox.finish(
                    session, message.id, "unknown", now, error=str(error), forget=forget
                )
            log.warning(
                "outbox message %s (%s) may not have arrived: %s", message.id, message.kind, error
            )
            return 0
        final = isinstance(error, BadRequest) or message.attempts >= MAX_ATTEMPTS
        log.warning("outbox message %s (%s) not sent: %s", message.id, message.kind, error)
        async with runtime.db.session() as session:
            if final:
                await outbox.finish(
                    session, message.id, "failed", now, error=str(error), forget=forget
                )
                return 0
            retry_at = now + _backoff(message)
            await outbox.postpone(session, message.id, retry_at, error=str(error), payload=marked())
        return retry_at
    ledger.sent(message.id, now, forget)
    return 0 if rendered.call is not None else 1  # messages are counted, not calls


def _chat_cooled(runtime: Runtime, limiter: object, message: OwedMessage) -> datetime | None:
    """When Telegram allows the message's chat again, if one of its owed messages met a 429
    that lasts (`PriorityRateLimiter.refused`). It goes back unsent, due exactly then, as the
    refused one is: of the chat's messages due at that moment the first owed goes first (the
    claim's order: due time, then id). Put back behind it (`outbox.postpone`), the refused
    one, due later than this one, was pushed back by as much again."""
    if not isinstance(limiter, PriorityRateLimiter):
        return None
    return limiter.chat_until(message.telegram_id, runtime.clock.now())


def _held_back(runtime: Runtime, limiter: object) -> bool:
    """Whether no owed message may start now: the process is stopping, or Telegram refused
    one a moment ago and asked to wait (`PriorityRateLimiter.cool`)."""
    cooling = isinstance(limiter, PriorityRateLimiter) and limiter.cooling(runtime.clock.now())
    return cooling or runtime.stopping.is_set()


def _backoff(message: OwedMessage) -> timedelta:
    """How long a passing failure puts a message back: a held reply has a person waiting
    for it (and the chat's next replies behind it), so seconds; anything else minutes."""
    base = 2 if message.kind == outbox.HELD else 30
    return timedelta(seconds=base * 2**message.attempts)


async def _keeping_claim(runtime: Runtime, message_id: int, sending: Awaitable[None]) -> None:
    """Await `sending`, keeping the message's claim fresh meanwhile. A slow call (a file's
    upload) may last longer than STALE_AFTER, and `recover_stale` takes a claim that old for
    a dead process's: the message, still on its way, would be marked unknown, and its chat's
    next messages would overtake it. (A 429 is no longer waited out here: `holding`.)"""
    task = asyncio.ensure_future(sending)
    try:
        while not (await asyncio.wait({task}, timeout=KEEP_CLAIM.total_seconds()))[0]:
            try:
                async with runtime.db.session() as session:
                    await outbox_marks.keep_claim(session, message_id, runtime.clock.now())
            except Exception as error:  # the database away: the send goes on regardless
                log.warning("outbox message %s: claim not refreshed (%r)", message_id, error)
    finally:
        task.cancel()  # only if we were cancelled ourselves: otherwise it is done
    await task


async def tick(application: Application) -> int:
    """One scheduler round: owe what time has made due, then send what is due."""
    runtime: Runtime = application.bot_data["runtime"]
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        await workshops.schedule_due(session, now)
        await team_reports.schedule_due(session, now, runtime.settings.timezone)
        requeued, unknown = await outbox_marks.recover_stale(session, now - STALE_AFTER)
    if requeued or unknown:
        log.warning(
            "a stopped process left %s claimed messages (queued again) and %s half-sent "
            "(not resent: Telegram may have them)",
            requeued,
            len(unknown),
        )
    if unknown:
        await _settled(application, unknown)
    return await send_due(application)


async def _settled(application: Application, unknown: list[tuple[int, str, dict]]) -> None:
    """Half-sent messages of a stopped process are final now, as sent ones are: what follows
    a sent batch of their kind follows them too. A broadcast whose last copies were caught in
    flight by a kill never told its author it had ended: no round sent any of it again."""
    senders: Senders = application.bot_data[SENDERS]
    runtime: Runtime = application.bot_data["runtime"]
    for kind, hook in senders.after_send.items():
        touched = [
            OwedMessage(id_, kind, None, None, "es", payload, 0)
            for id_, of, payload in unknown
            if of == kind
        ]
        if touched:
            try:
                await hook(application.bot, runtime, touched)
            except Exception:  # a courtesy (e.g. progress): the round goes on
                log.exception("after recovering %s messages: the follow-up failed", kind)


async def job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue callback."""
    try:
        await tick(context.application)
    except Exception:  # the next round retries; nothing is lost
        log.exception("scheduler round failed")
