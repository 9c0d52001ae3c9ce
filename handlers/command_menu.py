"""Telegram's command menu (setMyCommands): for all private chats, what a newcomer can use; each
registered person's, specialist's, coordinator's and admin's own chat scope with what they can
use (bot/services/access.py): set at start-up by a job that outlasts flood control, and owed
through the outbox when someone registers, changes role or language, or joins or leaves an
Equipo Regional. Registered people's menus are set again at start-up only when the menus
changed (a digest kept in app_state), so that a restart is not a call per person; and those
of the people who registered while the last processes ran (`SINCE`), whose menu was set from
memory after the replies and is lost when a process stops first."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes, JobQueue

from bot import cut_short, metrics
from bot.config import Settings
from bot.i18n import LANGUAGES, Translator, translator
from bot.outbox import BACKGROUND
from bot.outgoing import Outgoing
from bot.ratelimit import retry_after
from bot.runtime import Runtime
from bot.services.access import Access, access_of, may_use
from bot.services.roles import Role, effective_role
from handlers.base import Ctx
from handlers.update_keys import update_key
from storage.repositories import app_state, people, replicas, staff_traces
from storage.repositories.app_state import ADMIN_MENU
from storage.repositories.outbox import OwedMessage
from storage.repositories.replicas import SILENT_BEATS

log = logging.getLogger(__name__)
_UTC = ZoneInfo("UTC")  # command descriptions contain no dates
START_UP = "command menus"  # the start-up job's name
AGAIN = timedelta(seconds=30)  # after a database error, the start-up job's next run
DIGEST = "command menus"  # app_state: the digest of the menus registered people were given
# app_state: registrations from this moment on may have lost their menu (set from memory);
# moved on by a start-up that set theirs while no other replica was running.
SINCE = "command menus since"
MARGIN = timedelta(minutes=1)  # clocks of replicas, a registration committed as a process starts
GONE = "menu_gone"  # outbox kind: an erased person's own menu taken away (`forget_later`)
# app_state, one row per chat (`ADMIN_MENU`): an administrator's menu set there (BOT_ADMIN_IDS),
# recorded before the call; once they are out of BOT_ADMIN_IDS, start-up gives the chat what
# they can use now and drops the row (so does their erasure). ADMINS_KEPT: those rows are kept
# (a Minka from before they were did not: its first start re-sets every registered person's
# menu instead).
ADMINS_KEPT = "command menu admins kept"
# app_state: the chats that acted as staff (storage/repositories/staff_traces.py) were given
# the menu of what they can use now, once: an admin taken out of BOT_ADMIN_IDS before
# ADMIN_MENU rows were kept, who never registered, is known only by those traces.
TRACED = "command menu staff traced"
# Seconds between two people's menus set by the start-up job. After a change of the menus every
# registered person's is set again, a call each (two reads, the menu translated, PTB's request):
# flat out, 10,000 of them took a quarter of the event loop's time for 40-100 s, as much as all
# the people's updates, and the bench's server as busy answering them (py-spy, bench.broadcast:
# the broadcast made in that minute, its replies' p99 94 ms; #17). Paced, about 20 a second, a
# percent or two of the loop: 10,000 menus in about 9 minutes, each person keeping the old menu
# until then (Telegram does not promise a call rate for setMyCommands either).
MENU_PAUSE = 0.05


def commands_for(access: Access | None, language: str) -> list[BotCommand]:
    """The menu of someone with `access` (None: a newcomer, everyone's menu)."""
    from handlers import all_commands  # the registry imports this module

    t = translator(language, _UTC)
    return [
        BotCommand(command.name, t.gettext(command.description))
        for command in all_commands()
        if command.in_menu and may_use(access, command.role, command.needs)
    ]


def menus_digest() -> str:
    """Every menu Minka can give, in every language: a new one re-sets registered menus."""
    menus = [
        [(c.command, c.description) for c in commands_for(access, language)]
        for language in LANGUAGES
        for access in [
            None,
            *(
                Access(role, registered, team)
                for role in Role
                for registered in (False, True)
                for team in (False, registered)
            ),
        ]
    ]
    return hashlib.sha256(json.dumps(menus, ensure_ascii=False).encode()).hexdigest()


def set_at_start(application: Application) -> None:
    """Everyone's menu (in BOT_LOCALE, whatever language the person's Telegram app is in) and
    each staff member's own (in the language they chose; and, when the menus changed, each
    registered person's), set by a job, so that start-up waits for none of it. Everyone's
    menu in another language, which earlier versions set for the apps in that language (an
    official's phone in English read an English menu), is deleted: Telegram keeps it until
    then. Under flood control past the rate
    limiter's retries the job runs again after Telegram's retry_after, for as long as
    Telegram refuses, going on where it stopped: with five tries it gave up after ~20 s of
    429s, and people kept an old menu until the next start."""
    runtime: Runtime = application.bot_data["runtime"]
    default = runtime.settings.bot_locale
    languages = [default, *(language for language in LANGUAGES if language != default)]
    assert application.job_queue is not None
    _schedule(application.job_queue, _Owed(languages, started=runtime.clock.now() - MARGIN), 0.0)


@dataclass(slots=True)
class _Owed:
    """What start-up has still to set: everyone's menu in `languages` (the default one
    first, set; the others deleted), then the menus of the staff's (and registered
    people's) `chats` (None: not listed yet); `digest`: recorded once they all are (None:
    registered people's are unchanged), and `started` as `SINCE` (this process sets, from
    memory, the menus of those who register from then on)."""

    languages: list[str]
    started: datetime
    chats: list[int] | None = None
    digest: str | None = None
    former: list[int] | None = None  # former admins: their rows dropped once all are set
    traced: bool = False  # the staff's traces were listed: `TRACED` recorded once all are set


def _schedule(job_queue: JobQueue, owed: _Owed, delay: float) -> None:
    # No misfire grace: scheduled before the job queue starts (post_init), it must still run.
    job_queue.run_once(
        _set_owed, delay, data=owed, name=START_UP, job_kwargs={"misfire_grace_time": None}
    )


async def _set_owed(context: ContextTypes.DEFAULT_TYPE) -> None:
    runtime: Runtime = context.bot_data["runtime"]
    owed = context.job.data if context.job else None
    assert isinstance(owed, _Owed) and context.job_queue is not None
    settings = runtime.settings
    try:
        while owed.languages:
            language = owed.languages[0]
            if language == settings.bot_locale:
                await context.bot.set_my_commands(
                    commands_for(None, language), scope=BotCommandScopeAllPrivateChats()
                )
            else:  # the app's language is no choice: Minka's is BOT_LOCALE's until /perfil
                await context.bot.delete_my_commands(
                    scope=BotCommandScopeAllPrivateChats(), language_code=language
                )
            owed.languages.pop(0)
        if owed.chats is None:
            async with runtime.db.session() as session:
                chats = {telegram_id for telegram_id, _role, _locale in await people.staff(session)}
                digest = menus_digest()
                since = await app_state.get(session, SINCE)
                if await app_state.get(session, DIGEST) != digest or since is None:
                    chats |= set(await people.registered_chats(session))
                    owed.digest = digest
                else:  # those whose menu the processes before may not have set
                    since_at = datetime.fromisoformat(since)
                    chats |= set(await people.registered_chats(session, since_at))
                owed.former = await _admins_before(session, settings.bot_admin_ids)
                if owed.former is None:  # not known: every registered person's menu
                    chats |= set(await people.registered_chats(session))
                    owed.digest = digest
                if await app_state.get(session, TRACED) is None:
                    chats |= await staff_traces.staff_chats(session, staff_flows())
                    owed.traced = True
            owed.chats = sorted(chats | settings.bot_admin_ids | set(owed.former or ()))
        while owed.chats:
            if runtime.stopping.is_set():  # the next start goes on (the digest not recorded)
                return
            await _set_for_chat(context.bot, runtime, owed.chats[0])
            owed.chats.pop(0)
            if owed.chats:
                await asyncio.sleep(MENU_PAUSE)  # background work: replies go first
        async with runtime.db.session() as session:
            if owed.digest is not None:
                await app_state.put(session, DIGEST, owed.digest)
            for chat_id in owed.former or ():
                await app_state.drop(session, f"{ADMIN_MENU}{chat_id}")
            if owed.traced:
                await app_state.put(session, TRACED, runtime.clock.now().isoformat())
            silent = timedelta(seconds=SILENT_BEATS * settings.heartbeat_seconds)
            if await replicas.alive(session, runtime.clock.now() - silent) <= 1:  # only this one
                await app_state.put(session, SINCE, owed.started.isoformat())
        owed.digest = owed.former = None
        owed.traced = False
    except RetryAfter as error:  # after the rate limiter's retries: again when Telegram allows
        wait = retry_after(error).total_seconds()
        metrics.flood_round("start_menus")
        log.info("command menus: flood control, trying again in %g s", wait)
        _schedule(context.job_queue, owed, wait)
    except SQLAlchemyError as error:  # the database away: look again soon
        log.warning("command menus: database error (%r), trying again", error)
        _schedule(context.job_queue, owed, AGAIN.total_seconds())
    except TelegramError as error:
        log.warning("could not set the command menu: %s", error)


async def _admins_before(session: AsyncSession, admins: frozenset[int]) -> list[int] | None:
    """The chats given an administrator's menu that are no longer in `admins` (None: not
    known, `ADMINS_KEPT` missing); each of `admins` recorded before its menu is set, so that
    a stop after the call cannot lose it."""
    kept = await app_state.get(session, ADMINS_KEPT) is not None
    before = {
        int(key.removeprefix(ADMIN_MENU))
        for key in await app_state.keys_with(session, ADMIN_MENU)
        if key.removeprefix(ADMIN_MENU).isdigit()
    }
    for chat_id in admins - before:
        await app_state.put(session, f"{ADMIN_MENU}{chat_id}", "1")
    if not kept:
        await app_state.put(session, ADMINS_KEPT, "1")
        return None
    return sorted(before - admins)


def staff_flows() -> set[str]:
    """The forms only staff may fill in (someone with one open acted as staff)."""
    from handlers import forms  # the registry imports this module

    return {name for name, (_handler, role) in forms().items() if role not in (None, Role.OFFICIAL)}


async def own_menu(session: AsyncSession, chat_id: int, settings: Settings) -> list[BotCommand]:
    """The chat's own menu: what the person can use now; empty when they have no more than a
    newcomer's (everyone's menu): an administrator taken out of BOT_ADMIN_IDS who never
    registered, or a person erased."""
    person = await people.get(session, chat_id)
    role = effective_role(chat_id, person.role if person else None, settings.bot_admin_ids)
    access = await access_of(session, person, role)
    if not access.own_menu:
        return []
    return commands_for(access, person.locale if person is not None else settings.bot_locale)


async def set_own_menu(
    bot: Bot, chat_id: int, commands: list[BotCommand], limits: dict[str, object]
) -> None:
    """`commands` as the chat's own menu, or none of its own (deleteMyCommands: harmless for
    a chat that has none)."""
    scope = BotCommandScopeChat(chat_id)
    if commands:
        await bot.set_my_commands(commands, scope=scope, rate_limit_args=limits)
    else:
        await bot.delete_my_commands(scope=scope, rate_limit_args=limits)


async def _set_for_chat(bot: Bot, runtime: Runtime, chat_id: int) -> None:
    """The menu of what the person can use now (read at the call, so a change since start-up
    is not undone: that change owes its own menu through the outbox)."""
    async with runtime.db.session() as session:
        commands = await own_menu(session, chat_id, runtime.settings)
    try:
        await set_own_menu(bot, chat_id, commands, BACKGROUND)  # replies to people go first
    except RetryAfter:
        raise
    except TelegramError as error:
        # Expected for someone who has not opened a chat with Minka yet.
        log.info("command menu for chat %s not set: %s", chat_id, error)


async def set_later(ctx: Ctx) -> None:
    """The person's own menu, set after this update's replies (behind any held back by flood
    control, retried while Telegram refuses): not owed through the outbox, where it would wait
    for the next round and hold the chat's held replies behind it."""
    access = await access_of(ctx.session, ctx.person, ctx.role)
    if not access.own_menu:
        return
    commands = commands_for(access, ctx.t.language)
    scope = BotCommandScopeChat(ctx.user.id)
    bot = ctx.context.bot
    ctx.later(lambda: bot.set_my_commands(commands, scope=scope, rate_limit_args=BACKGROUND))


async def render(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing:
    """A menu owed to a person's chat (bot/services/staff.py: `owe_menu`): the commands of
    what they can use, set by the outbox, which puts it back under flood control."""
    payload = owed.payload
    access = Access(
        Role(payload["role"]),
        # Owed before registration and teams were told: people whose role changed.
        registered=bool(payload.get("registered", True)),
        team=bool(payload.get("team", False)),
    )
    commands = commands_for(access, str(payload["language"]))
    scope = BotCommandScopeChat(owed.telegram_id)

    async def call(bot: Bot, _runtime: Runtime, limits: dict[str, object]) -> None:
        await bot.set_my_commands(commands, scope=scope, rate_limit_args=limits)

    return Outgoing("", call=call)


def forget_later(ctx: Ctx) -> None:
    """The person's own menu taken away (deleteMyCommands: they erased their data), after
    this update's replies, in the chat's turn, waiting behind its held replies and out any
    flood control in memory (bot/follow_ups.py). Owed from this update's transaction under a
    lease (bot/cut_short.py `record_call`): a stop before it is made leaves it due, and the
    next process makes it. Nothing else would: after the erasure no start-up knows the chat,
    and a stop lost it, the staff member's commands left on their phone for good."""
    name = f"{update_key(ctx.update, ctx.settings.pseudonym_secret)}:menu"
    chat_id, bot = ctx.user.id, ctx.context.bot
    owe = partial(
        cut_short.record_call,
        ctx.session,
        name=name,
        kind=GONE,
        chat_id=chat_id,
        now=ctx.runtime.clock.now(),
    )
    ctx.owed.append(owe)
    ctx.later(lambda: _take_away(bot, chat_id, {}), guard=name)


async def _take_away(bot: Bot, chat_id: int, limits: dict[str, object]) -> None:
    """Flood control (RetryAfter) is not swallowed: the call waits and is tried again, in
    memory or by the outbox. Any other refusal leaves a stale menu, harmless as every
    command still checks the role."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id), rate_limit_args=limits)
    except RetryAfter:
        raise
    except TelegramError as error:
        log.warning("an erased person's command menu was not cleared: %s", error.message)


async def render_gone(
    _session: AsyncSession, owed: OwedMessage, _t: Translator, _now: datetime
) -> Outgoing:
    """`forget_later`'s call, owed after a stop: made by the outbox (put back under flood
    control); once made, the row keeps no trace of the chat (`copy`)."""
    chat_id = owed.telegram_id
    assert chat_id is not None  # the outbox renders only rows with a chat

    async def call(bot: Bot, _runtime: Runtime, limits: dict[str, object]) -> None:
        await _take_away(bot, chat_id, limits)

    return Outgoing("", call=call, copy=True)
