"""/difundir: a coordinator's message to many people, now or at a chosen time.

The coordinator writes the message (Telegram formatting kept), picks the audience, sees a
preview with the number of recipients and confirms. Each copy is an outbox row, so delivery
respects Telegram's limits, survives restarts and never doubles; the confirmation message is
edited as copies leave ("Enviados 1.234 de 5.000 · 3 fallidos") and ends with a report.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot import held, metrics
from bot import telegram_limits as limits
from bot.i18n import N_, Translator, translator
from bot.outgoing import UNEDITABLE, Outgoing
from bot.ratelimit import retry_after
from bot.reply_data import Reply
from bot.runtime import Runtime
from bot.services import publications
from bot.services.roles import Role
from handlers import audiences
from handlers import broadcast_authority as authority
from handlers.base import Ctx
from handlers.broadcast_copies import start_copies
from handlers.guided import GuidedForm, Step, to_come
from handlers.publications import get_button
from handlers.registry import Buttons, Command, Feature
from storage.repositories import broadcasts as repo
from storage.repositories.outbox import OwedMessage

log = logging.getLogger(__name__)

FORM = "broadcast"
PROGRESS_EVERY = timedelta(seconds=2)
WHEN: dict[str, str] = {"now": N_("Now"), "later": N_("At a chosen time")}


async def _summary(ctx: Ctx, data: dict[str, Any]) -> list[tuple[str, Any]]:
    _ = ctx._
    count = await audiences.count(ctx, data)
    when = (
        ctx.t.datetime(datetime.fromisoformat(data["start"]))
        if data.get("when") == "later"
        else _("Now")
    )
    lines = [
        (_("Recipients"), f"{await audiences.describe(ctx, data)} ({ctx.t.number(count)})"),
        (_("When"), when),
    ]
    if data.get("publication"):
        lines.append((_("Publication"), data.get("publication_title", "")))
    return lines


def _preview_heading(ctx: Ctx) -> str:
    return "👁 " + ctx._("<b>Preview</b> (this is how it will look):") + "\n\n"


def _preview(ctx: Ctx, data: dict[str, Any]) -> str:
    """The heading, then the message as people will read it. A message with as many entities
    as Telegram keeps (100) gets a heading without bold: one more and its last would show
    plain, or the preview would be split in two."""
    heading, message = _preview_heading(ctx), data["message"]
    if limits.entities(heading) + limits.entities(message) > limits.MAX_ENTITIES:
        heading = re.sub(r"<[^>]*>", "", heading)
    return heading + message


def _units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the text people see."""
    return len(text.encode("utf-16-le")) // 2


async def _preview_fits(ctx: Ctx, _value: str) -> str | None:
    """The preview is the message under a heading: refuse, at the message step, a message
    that would make the preview longer than one Telegram message."""
    message = ctx.update.effective_message
    heading = html.unescape(re.sub(r"<[^>]*>", "", _preview_heading(ctx)))
    length = _units(heading) + _units(message.text or "" if message else "")
    limit = MessageLimit.MAX_TEXT_LENGTH
    if length <= limit:
        return None
    return ctx.t.ngettext(  # «Acórtelo en 1 carácter», not «1 caracteres»
        "With the preview's heading this message would be {length} characters long, and "
        "Telegram allows {limit} per message. Please shorten it by {excess} character.",
        "With the preview's heading this message would be {length} characters long, and "
        "Telegram allows {limit} per message. Please shorten it by {excess} characters.",
        length - limit,
    ).format(
        length=ctx.t.number(length), limit=ctx.t.number(limit), excess=ctx.t.number(length - limit)
    )


async def _confirm(ctx: Ctx, data: dict[str, Any]) -> None:
    _ = ctx._
    if not await audiences.allowed(ctx, data):
        return
    now = ctx.runtime.clock.now()
    when = datetime.fromisoformat(data["start"]) if data.get("when") == "later" else now
    audience = {k: v for k, v in data.items() if k.startswith("audience")}
    broadcast = await repo.start(
        ctx.session,
        text=data["message"],
        audience=audience,
        scheduled_at=max(when, now),
        total=await audiences.count(ctx, data),
        created_by=ctx.person.id if ctx.person else None,
        publication_id=await _publication(ctx, data),
    )
    # After this update's commit, in batches: nobody's reply waits behind 10,000 rows.
    db, stop = ctx.runtime.db, ctx.runtime.stopping
    ctx.later(lambda: start_copies(db, broadcast, audience, stop), chat=False)
    message = ctx.query.message if ctx.query else None
    if message is not None:
        await repo.set_progress_message(
            ctx.session, broadcast.id, message.chat.id, message.message_id
        )
    if when > now:
        ctx.show(
            _("🕒 Broadcast scheduled for {date}: {count} recipients.").format(
                date=ctx.t.datetime(when), count=ctx.t.number(broadcast.total)
            )
        )
    else:
        ctx.show(progress_text(ctx.t, broadcast.total, repo.Delivery(0, 0, 0, broadcast.total)))


async def _publication(ctx: Ctx, data: dict[str, Any]) -> int | None:
    """The publication the broadcast announces, if it is still offered."""
    if not data.get("publication"):
        return None
    publication = await publications.available(ctx.session, int(data["publication"]))
    return publication.id if publication is not None else None


def progress_text(t: Translator, total: int, delivery: repo.Delivery) -> str:
    return "📢 " + t.gettext("Sent {sent} of {total} · {failed} failed").format(
        sent=t.number(delivery.sent), total=t.number(total), failed=t.number(delivery.failed)
    )


def final_text(t: Translator, total: int, delivery: repo.Delivery) -> str:
    text = "✅ " + t.gettext(
        "Broadcast finished: {sent} of {total} delivered · {failed} failed"
    ).format(sent=t.number(delivery.sent), total=t.number(total), failed=t.number(delivery.failed))
    if delivery.unknown:
        text += "\n" + t.gettext(
            "{count} copies got no answer from Telegram (Minka stopped or the connection was cut"
            " while sending): they may have arrived, so they were not sent again."
        ).format(count=t.number(delivery.unknown))
    if delivery.failed:
        text += "\n" + t.gettext(
            "Failures are mostly people who blocked Minka; they are skipped from now on."
        )
    return text


async def render(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    broadcast = await repo.get(session, int(owed.payload["broadcast_id"]))
    if broadcast is None:
        return None
    markup = None
    if broadcast.publication_id is not None:
        publication = await publications.available(session, broadcast.publication_id)
        if publication is not None:  # withdrawn since: the message goes without its button
            label = "📄 " + t.gettext("Receive «{title}»").format(title=publication.title)
            markup = InlineKeyboardMarkup([[get_button(label, publication.id, source="b")]])
    return Outgoing(broadcast.text, markup)


async def report_progress(bot: Bot, runtime: Runtime, sent: list[OwedMessage]) -> None:
    """After each batch: edit the coordinator's message, at most every 2 s, and at the end."""
    now = runtime.clock.now()
    for broadcast_id in sorted({int(m.payload["broadcast_id"]) for m in sent}):
        async with runtime.db.session() as session:
            broadcast = await repo.get(session, broadcast_id)
            if broadcast is None or broadcast.finished_at is not None:
                continue
            delivery = await repo.delivery(session, broadcast_id)
            # Copies still being written: the first ones sent do not finish the broadcast.
            done = delivery.done and broadcast.status != repo.PREPARING
            recent = broadcast.progress_at and now - broadcast.progress_at < PROGRESS_EVERY
            if recent and not done:
                continue
            await repo.touch_progress(session, broadcast_id, now, finished=done)
        if broadcast.progress_chat_id and broadcast.progress_message_id:
            t = translator(runtime.settings.bot_locale, runtime.settings.timezone)
            text = (final_text if done else progress_text)(t, broadcast.total, delivery)
            try:
                await _show_progress(
                    bot, broadcast.progress_chat_id, broadcast.progress_message_id, text, final=done
                )
            except BadRequest:
                raise  # the request's form refused: a bug, logged with its traceback
            except TelegramError as error:  # progress is a courtesy; delivery goes on...
                if done and isinstance(error, RetryAfter):  # ...but the final report is owed
                    metrics.flood_round("reply")
                    await held.keep(
                        runtime,
                        chat_id=broadcast.progress_chat_id,
                        person_id=None,
                        replies=[Reply(text, edit=broadcast.progress_message_id)],
                        key=f"broadcast:{broadcast_id}:final",
                        wait=retry_after(error),
                    )
                    log.warning("broadcast %s: final report held for the outbox", broadcast_id)
                else:
                    log.info("broadcast %s: progress not shown: %s", broadcast_id, error)


async def _show_progress(
    bot: Bot, chat_id: int, message_id: int, text: str, *, final: bool
) -> None:
    """Edit the progress message; if it cannot be edited (the coordinator deleted it), the
    final report comes as a new message and the progress in between is skipped."""
    try:
        await bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML
        )
    except BadRequest as error:
        if "not modified" in error.message:
            return
        if not any(reason in error.message.lower() for reason in UNEDITABLE):
            raise
        if final:
            await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)


BROADCAST = GuidedForm(
    flow=FORM,
    prefix="bc",
    heading=N_(
        "<b>New broadcast</b>\nWrite the message as people should read it; bold, italics and "
        "links are kept. /cancelar stops at any time."
    ),
    steps=(
        Step(
            "message",
            N_("Write the <b>message</b>:"),
            kind="message",
            limit=MessageLimit.MAX_TEXT_LENGTH,
            check=_preview_fits,
        ),
        *audiences.steps(participants=True),
        Step("when", N_("<b>When</b> should it go out?"), kind="choice", choices=WHEN),
        Step(
            "start",
            N_("At what time? Lima time, for example <code>15/01 09:00</code>."),
            kind="start",
            check=to_come,
            asked_if=lambda data: data.get("when") == "later",
        ),
    ),
    summary=_summary,
    confirm_label=N_("📢 Send"),
    on_confirm=_confirm,
    cancelled=N_("Cancelled. Nothing was sent."),
    preview=_preview,
)


async def broadcast_command(ctx: Ctx) -> None:
    await BROADCAST.begin(ctx)


async def announce(ctx: Ctx, publication_id: int, title: str) -> None:
    """/difundir with a publication's button under the message (from /publicaciones)."""
    await BROADCAST.begin(ctx, {"publication": publication_id, "publication_title": title})


FEATURE = Feature(
    commands=(
        Command(
            "difundir", broadcast_command, N_("Send a message to many people"), Role.COORDINATOR
        ),
    ),
    buttons=(Buttons("bc", BROADCAST.on_button, Role.COORDINATOR),),
    forms={FORM: BROADCAST.on_text},
    forms_role=Role.COORDINATOR,
    outbox={repo.KIND: render, authority.KIND: authority.render},
    after_send={repo.KIND: report_progress},
    withhold={repo.KIND: authority.withhold},
)
