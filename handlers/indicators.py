"""/indicadores: coordinators pick a period and a scope and receive the programme's indicator
report: a text summary, the charts (PNG) and the XLSX workbook.

Callback data: ind:p:<period code> (period chosen) | ind:go:<period code>:<region code|all>.
Everything needed travels in the data; coverage, and that the period is a whole quarter or
year (`periods.chosen`: no two reports may differ by a day, issue #13), are checked again on
every press.
"""

from __future__ import annotations

import time
from contextlib import suppress
from datetime import date
from functools import partial

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot import calls, held_send, refused, workers
from bot.i18n import N_, Translator
from bot.ratelimit import AFTER_REPLIES
from bot.reply_data import Reply
from bot.runtime import Runtime
from bot.services import registered
from bot.services.indicators import build_report
from bot.services.indicators.periods import Period, chosen, offered
from bot.services.indicators.render import summary_messages
from bot.services.roles import Role
from bot.telegram_limits import CAPTION_LIMIT, cut_html, split_html
from handlers.base import Ctx, esc
from handlers.keyboards import button, main_menu_row, rows
from handlers.registry import Buttons, Command, Feature
from storage.repositories import audit
from storage.repositories.regions import list_regions

ALL = "all"
PROGRESS_EVERY = 1.5  # seconds between edits of the progress message


def _today(ctx: Ctx) -> date:
    return ctx.runtime.clock.now().astimezone(ctx.settings.timezone).date()


def period_choices(t: Translator, today: date) -> list[tuple[str, Period]]:
    """The periods offered as buttons, labelled: whole quarters and years only."""
    _ = t.gettext
    choices = []
    for period, running in offered(today):
        if period.quarters() == [period]:
            number = (period.first.month - 1) // 3 + 1
            label = _("Quarter {number} of {year}").format(number=number, year=period.first.year)
        else:
            label = _("Year {year}").format(year=period.first.year)
        choices.append((label + " " + _("(so far)") if running else label, period))
    return choices


async def indicators_command(ctx: Ctx) -> None:
    _ = ctx._
    buttons = [button(label, f"ind:p:{p.code}") for label, p in period_choices(ctx.t, _today(ctx))]
    ctx.reply(
        "📊 <b>"
        + _("Programme indicators")
        + "</b>\n"
        + _("Which period should the report cover?"),
        rows(buttons, 2),
    )


async def on_button(ctx: Ctx) -> None:
    _ = ctx._
    action = ctx.data[1] if len(ctx.data) > 1 else ""
    period = chosen(ctx.data[2], _today(ctx)) if len(ctx.data) > 2 else None
    if period is None:
        ctx.toast(_("That button is no longer valid."))
    elif action == "p" and len(ctx.data) == 3:
        await _ask_scope(ctx, period)
    elif action == "go" and len(ctx.data) == 4:
        await _start(ctx, period, None if ctx.data[3] == ALL else ctx.data[3])
    else:
        ctx.toast(_("That button is no longer valid."))


async def _ask_scope(ctx: Ctx, period: Period) -> None:
    _ = ctx._
    regions = ctx.coverage.regions  # granted by an admin, never the profile's region
    if regions is not None and len(regions) == 1:
        await _start(ctx, period, next(iter(regions)))
        return
    if regions is not None and not regions:
        ctx.show(
            _("You have no region to coordinate yet; ask an administrator."),
            [main_menu_row(_)],
        )
        return
    choices = [
        r
        for r in await list_regions(ctx.session)
        if r.kind in ("regional_government", "lima_metropolitana") and ctx.coverage.covers(r.code)
    ]
    keyboard = []
    if ctx.coverage.national:
        keyboard.append([button(_("🇵🇪 All regions"), f"ind:go:{period.code}:{ALL}")])
    keyboard += rows([button(r.name, f"ind:go:{period.code}:{r.code}") for r in choices], 2)
    text = _("Period: {period}.\nFor all regions or for one?").format(period=period.label(ctx.t))
    ctx.show(text, keyboard)


async def _start(ctx: Ctx, period: Period, region: str | None) -> None:
    _ = ctx._
    if not ctx.coverage.covers(region):
        await audit.append(
            ctx.session,
            actor_telegram_id=ctx.user.id,
            action="indicators",
            outcome="denied",
            target=f"{period.code}:{region or ALL}",
            at=ctx.now,
        )
        ctx.toast(_("You do not coordinate that region."), alert=True)
        return
    await audit.append(
        ctx.session,
        actor_telegram_id=ctx.user.id,
        action="indicators",
        outcome="done",
        target=f"{period.code}:{region or ALL}",
        at=ctx.now,
    )
    text = "⏳ " + _("Preparing the indicator report for {period}…").format(
        period=esc(period.label(ctx.t))
    )
    message = ctx.query.message if ctx.query else None
    progress_id = None
    if isinstance(message, Message):  # a pressed button: its message becomes the progress
        ctx.show(text)
        progress_id = message.message_id
    else:  # nothing to edit: the progress is a message of its own, and so is «ready»
        ctx.reply(text)
    # Seconds of work in a worker: apart from this update, which holds one of the bot's few
    # concurrent update slots (other people's replies must not queue behind a report). If
    # Minka stops meanwhile, the coordinator is told after the restart, and one press asks
    # for the same report again.
    again = f"ind:go:{period.code}:{region or ALL}"
    await ctx.apart(
        partial(
            _prepare, ctx.context.bot, ctx.runtime, ctx.chat_id, progress_id, period, region, ctx.t
        ),
        "⚠️ "
        + _(
            "Your indicator report for {period} was cut short: Minka restarted while "
            "preparing it. Press the button to ask for it again."
        ).format(period=esc(period.label(ctx.t))),
        InlineKeyboardMarkup([[button(_("🔁 Ask for the report again"), again)]]),
        progress_id,  # «⏳ Preparando…» replaced by the notice: not left there for good
    )


async def _prepare(
    bot: Bot,
    runtime: Runtime,
    chat_id: int,
    progress_id: int | None,
    period: Period,
    region: str | None,
    t: Translator,
) -> list[held_send.Part]:
    """The report built in a worker process (bot/services/indicators/apart.py: its own
    read-only transaction), and its replies: summary, charts, workbook, the progress message
    edited to «ready», each as its call and as data (`held_send.Part`). bot/follow_ups.py sends
    them in the chat's turn, one by one; under flood control, or behind the chat's replies
    waiting in the outbox, the rest is kept there with them (bot/held.py): in order, over a
    restart, nothing sent twice. Nothing of the report is computed on the event loop."""
    _ = t.gettext
    last_edit = time.monotonic()

    async def advance(done: int, total: int) -> None:
        nonlocal last_edit
        if progress_id is None or time.monotonic() - last_edit < PROGRESS_EVERY or done == total:
            return
        if chat_id in runtime.held.chats:  # its replies may wait in the outbox: not ahead
            return
        last_edit = time.monotonic()
        text = "⏳ " + _("Computing the indicators: {done} of {total}…").format(
            done=done, total=total
        )
        # A courtesy: under flood control the progress is not worth a wait or a failure.
        with suppress(RetryAfter, NetworkError):
            await _edit(bot, chat_id, progress_id, text)

    db, now = runtime.db, runtime.clock.now()
    await registered.freeze_months(db, now, runtime.settings.timezone)  # a short write each
    until = time.monotonic() + runtime.settings.report_seconds  # REPORT_SECONDS
    if db.shareable:
        report = await workers.run(
            "bot.services.indicators.apart:build",
            *(db.url, db.timeouts, period, region, t, now, until),
            progress=advance,
        )
    else:  # SQLite in memory: no other process sees it
        async with db.session() as session:
            report = await build_report(
                session, period, region, t, now, progress=advance, until=until
            )
    # In a worker process: openpyxl and matplotlib never load into the bot (bot/workers.py).
    workbook = await workers.run("bot.services.indicators.xlsx:report_xlsx", report, t)
    images = await workers.run("bot.services.indicators.charts:chart_images", report, t)
    # A dozen calls after seconds of work: people's replies meanwhile go first (bot.ratelimit).
    options = {"parse_mode": ParseMode.HTML, "rate_limit_args": AFTER_REPLIES}
    # Each text as a reply is sent (handlers.delivery.send), and as the outbox sends it if
    # held: within Telegram's count (UTF-16 units, 100 entities), plain if its HTML is refused.
    parts: list[held_send.Part] = [
        (partial(_say, bot, chat_id, text), Reply(text))
        for message in summary_messages(report, t)
        for text in split_html(message)
    ]
    for image in images:
        # escaped HTML: without parse_mode «&» would show as «&amp;»
        caption = cut_html(esc(image.caption), CAPTION_LIMIT)
        png = InputFile(image.png, filename=image.filename)
        parts.append(
            (
                partial(bot.send_photo, chat_id, png, caption=caption, **options),
                Reply(caption, document=(image.filename, image.png), photo=True),
            )
        )
    filename = f"indicadores-{period.code}-{region or 'todas'}.xlsx"
    caption = esc(_("Indicator report: one sheet per indicator, definitions on the cover."))
    book = InputFile(workbook, filename=filename)
    parts.append(
        (
            partial(bot.send_document, chat_id, book, caption=caption, **options),
            Reply(caption, document=(filename, workbook)),
        )
    )
    done = "✅ " + _("Indicator report ready: {period}, {scope}.").format(
        period=esc(period.label(t)), scope=esc(report.scope)
    )
    if progress_id is None:
        parts.append((partial(_say, bot, chat_id, done), Reply(done)))
    else:
        parts.append(
            (partial(_edit, bot, chat_id, progress_id, done), Reply(done, edit=progress_id))
        )
    return parts


async def _say(bot: Bot, chat_id: int, text: str) -> None:
    """A text of the report (HTML), after people's replies (bot.ratelimit)."""
    await refused.send(
        lambda body, mode, keys: calls.send(bot, chat_id, body, mode, keys, limits=AFTER_REPLIES),
        text,
        None,
        "the indicator report",
    )


async def _edit(bot: Bot, chat_id: int, message_id: int, text: str) -> None:
    """Progress is a courtesy: if the message was deleted, the report still arrives."""
    with suppress(BadRequest):
        await bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML
        )


FEATURE = Feature(
    commands=(
        Command(
            "indicadores",
            indicators_command,
            N_("The programme's indicators: summary, charts and XLSX"),
            Role.COORDINATOR,
        ),
    ),
    buttons=(Buttons("ind", on_button, Role.COORDINATOR),),
)
