"""/privacidad, /mis_datos and /borrar_mis_datos (Ley 29733)."""

from __future__ import annotations

import json
import logging

from sqlalchemy.exc import SQLAlchemyError

from bot.i18n import N_, translator
from bot.services import my_data, privacy
from bot.services.access import access_of
from bot.updates import inbox_in
from handlers import command_menu
from handlers.base import Ctx
from handlers.consent import ask_consent, full_notice
from handlers.keyboards import button
from handlers.registry import Buttons, Command, Feature
from storage.repositories.erasure import WIPED

log = logging.getLogger(__name__)


async def privacy_command(ctx: Ctx) -> None:
    _ = ctx._
    if ctx.person is None:  # asked for the notice itself: the whole of it
        ask_consent(ctx, whole=True)
    else:
        consent = ctx.t.datetime(ctx.person.consent_at) if ctx.person.consent_at else "—"
        ctx.reply(
            full_notice(ctx)
            + "\n\n"
            + _("You accepted this notice on {date}.").format(date=consent)
        )


async def my_data_command(ctx: Ctx) -> None:
    _ = ctx._
    # Spanish labels, like the keys, whatever the person's language; times in Lima.
    titles = {a.id: a.title for a in ctx.runtime.knowledge.kit.articles.values()}
    spanish = translator("es", ctx.settings.timezone)
    data = await my_data.export(ctx.session, ctx.user.id, spanish, titles)
    if data is None:
        ctx.reply(_("Minka holds no personal data about you."))
        return
    ctx.reply(
        _(
            "Here is everything Minka holds about you, in a file you can open on your phone. "
            "To correct it use /perfil; to delete it, /borrar_mis_datos."
        )
    )
    content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    ctx.document("mis_datos_minka.json", content, caption=_("Your data in Minka"))


async def erase_command(ctx: Ctx) -> None:
    _ = ctx._
    if not await privacy.holds_anything(ctx.session, ctx.user.id):
        ctx.reply(_("Minka holds no personal data about you."))
        return
    ctx.reply(
        _(
            "Do you want to delete your personal data? Your name, position, Telegram account "
            "and every text you wrote will be removed from Minka; in the cases you registered, "
            "the description and your notes become «[eliminado a pedido del titular]». "
            "Anonymous counts (region, institution, sex) stay in the programme's indicators. "
            "This cannot be undone."
        ),
        [
            [button(_("Yes, delete my data"), "priv:erase:yes")],
            [button(_("No, keep them"), "priv:erase:no")],
        ],
    )


async def on_button(ctx: Ctx) -> None:
    """priv:erase:yes | priv:erase:no"""
    _ = ctx._
    if ctx.data[1:] == ["erase", "yes"]:
        # Their own menu (a role's, or a registered person's) goes with the data; so does an
        # administrator's from BOT_ADMIN_IDS, as the record of her chat's menu does
        # (app_state.ADMIN_MENU): kept, no start would take it away once she is out of
        # BOT_ADMIN_IDS. While she is in it the next start gives it back.
        had_menu = ctx.user.id in ctx.settings.bot_admin_ids or (
            ctx.person is not None and (await access_of(ctx.session, ctx.person, ctx.role)).own_menu
        )
        erased = await privacy.erase(
            ctx.session,
            ctx.user.id,
            key=ctx.settings.pseudonym_secret,
            now=ctx.runtime.clock.now(),
        )
        if not erased:
            ctx.show(_("Minka holds no personal data about you."))
            return
        ctx.keep_replies = False  # nothing of theirs kept after this commit, not even these
        ctx.person = None  # these replies are no one's: held (bot/held.py), they still go
        # Before the reply, at once (not the chat's): done when the person reads it.
        ctx.later(lambda: _after_erasure(ctx), chat=False)
        ctx.show(
            _(
                "Your personal data has been deleted. Thank you for having used Minka. "
                "If you want to come back, write /start."
            )
        )
        if had_menu:  # after the reply: a refusal of the call must not hold the reply back
            command_menu.forget_later(ctx)
    elif ctx.data[1:] == ["erase", "no"]:
        ctx.show(_("Nothing was deleted."))
    else:
        ctx.toast(_("That button is no longer valid."))


async def _after_erasure(ctx: Ctx) -> None:
    """Before the reply, which waits for it: the person is told the data is gone when it is.
    This update's row in hand, if written after the erasure's delete, goes (bot/inbox.py);
    then old copies of the erased rows must not stay in the database's files: SQLite's WAL,
    PostgreSQL's dead rows (`Database.wipe_erased`)."""
    inbox = inbox_in(ctx.context.application)
    if inbox is not None:
        await inbox.forget(ctx.user.id)
    try:
        wiped = await ctx.runtime.db.wipe_erased(WIPED)
    except (SQLAlchemyError, OSError) as error:  # the database away meanwhile
        log.warning("after an erasure the old rows were not wiped: %r", error)
        return
    if not wiped:
        log.warning("after an erasure old rows were not wiped (database busy)")


FEATURE = Feature(
    commands=(
        Command("privacidad", privacy_command, N_("Privacy notice"), None),
        Command("mis_datos", my_data_command, N_("Receive all my data"), None),
        Command("borrar_mis_datos", erase_command, N_("Delete my personal data"), None),
    ),
    buttons=(Buttons("priv", on_button, None),),
    outbox={command_menu.GONE: command_menu.render_gone},
)
