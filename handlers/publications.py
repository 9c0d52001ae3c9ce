"""/publicaciones: the programme's publications (the regionalization document...), each
sent as a file with its summary when pressed; a broadcast can carry the same button.

The file is uploaded to Telegram once; the file_id Telegram returns is sent from then on.
A delivery is recorded after Telegram accepted the file, once per person and publication
(bot/kept_files.py); under flood control the file waits in the outbox with the replies.

Coordinators also get «📢 Announce» under each one: /difundir with that publication's button
under the message.

Callback data: pub:get:<publication>[:b|:k] (b: pressed under a broadcast, k: under a Tool Kit
answer whose article names the publication) | pub:announce:<publication> (coordinators).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot import kept_files
from bot.i18n import N_
from bot.kept_files import KeptFile
from bot.services import publications as rules
from bot.services.access import Needs
from bot.services.roles import Role, allows, authorize
from handlers.base import Ctx, Keyboard, esc
from handlers.keyboards import as_number, button, main_menu_row
from handlers.refusals import refuse
from handlers.registry import Buttons, Command, Feature
from storage.repositories import publications as repo

SHOWN = 20  # the newest publications listed in the chat
# A title of up to 200 characters is cut to this in the list, so that 20 of them, numbered and
# dated, fit in one message (4,096 characters); the file's caption carries it whole.
LISTED_TITLE = 140


# Where a delivery button was pressed, after the publication's id in its callback data.
SOURCES = {"b": "broadcast", "k": "toolkit"}


def get_button(label: str, publication_id: int, *, source: str = "") -> InlineKeyboardButton:
    """`source`: "" (/publicaciones), "b" (under a broadcast) or "k" (under a Tool Kit answer)."""
    return button(label, f"pub:get:{publication_id}" + (f":{source}" if source else ""))


def _registered(ctx: Ctx) -> bool:
    if ctx.person is not None and ctx.person.is_registered:
        return True
    text = ctx._("To receive publications, first register with /start.")
    if ctx.query is not None:
        ctx.toast(text, alert=True)
    else:
        ctx.reply(text)
    return False


async def publications_command(ctx: Ctx) -> None:
    if not _registered(ctx):
        return
    items = (await repo.listed(ctx.session))[:SHOWN]
    if not items:
        ctx.reply(ctx._("There are no publications yet."), [main_menu_row(ctx._)])
        return
    lines = ["📚 <b>" + ctx._("Publications") + "</b>"]
    keyboard: Keyboard = []
    staff = allows(ctx.role, Role.COORDINATOR)
    for number, item in enumerate(items, start=1):
        title = (
            item.title if len(item.title) <= LISTED_TITLE else item.title[: LISTED_TITLE - 1] + "…"
        )
        lines.append(f"{number}. <b>{esc(title)}</b> — {ctx.t.date(item.published_on)}")
        row = [get_button(f"{number}. {item.title}", item.id)]
        if staff:
            row.append(button("📢 " + ctx._("Announce"), f"pub:announce:{item.id}"))
        keyboard.append(row)
    lines.append("\n" + ctx._("Press one to receive the file."))
    if staff:
        lines.append(ctx._("«Announce» sends a broadcast with a button that delivers it."))
    ctx.reply("\n".join(lines), keyboard)


async def on_button(ctx: Ctx) -> None:
    """pub:get:<publication>[:b|:k] | pub:announce:<publication>"""
    data = ctx.data
    action = data[1] if len(data) >= 3 else ""
    publication_id = as_number(data[2]) if action in ("get", "announce") else None
    if publication_id is None or len(data) > 4:
        ctx.toast(ctx._("That button is no longer valid."), alert=True)
        return
    if action == "announce" and not await authorize(
        ctx.session,
        telegram_id=ctx.user.id,
        role=ctx.role,
        required=Role.COORDINATOR,
        action="button pub:announce",
        now=ctx.now,
    ):
        refuse(ctx, Role.COORDINATOR)
        return
    if not _registered(ctx) or ctx.person is None:
        return
    publication = await rules.available(ctx.session, publication_id)
    if publication is None:
        ctx.toast(ctx._("This publication is no longer available."), alert=True)
        return
    if action == "announce":
        from handlers import broadcasts  # broadcasts send this module's buttons

        await broadcasts.announce(ctx, publication.id, publication.title)
        return
    source = SOURCES.get(data[3], "chat") if len(data) == 4 else "chat"
    kept = KeptFile(kept_files.PUBLICATION, publication.id, ctx.person.id, source)
    ctx.toast(ctx._("Sending the file…"))
    ctx.kept_file(kept, await kept_files.publication(ctx.session, publication))


FEATURE = Feature(
    commands=(
        Command(
            "publicaciones",
            publications_command,
            N_("Publications of the programme"),
            Role.OFFICIAL,
            needs=Needs.REGISTERED,
        ),
    ),
    buttons=(Buttons("pub", on_button, Role.OFFICIAL),),
)
