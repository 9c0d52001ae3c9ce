"""/publicaciones: the programme's publications (the regionalization document...), each
sent as a file with its summary when pressed; a broadcast can carry the same button.

The file is uploaded to Telegram once; the file_id Telegram returns is sent from then on.
A delivery is recorded after Telegram accepted the file, once per person and publication.

Coordinators also get «📢 Announce» under each one: /difundir with that publication's button
under the message.

Callback data: pub:get:<publication>[:b|:k] (b: pressed under a broadcast, k: under a Tool Kit
answer whose article names the publication) | pub:announce:<publication> (coordinators).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.i18n import N_
from bot.services import publications as rules
from bot.services.access import Needs
from bot.services.roles import Role, allows, authorize
from handlers.base import Ctx, Keyboard, cut_html, esc
from handlers.keyboards import as_number, button, main_menu_row
from handlers.refusals import refuse
from handlers.registry import Buttons, Command, Feature
from storage.repositories import publications as repo
from storage.repositories.publications import PublicationRecord

log = logging.getLogger(__name__)
CAPTION_LIMIT = 1024  # Bot API: a document's caption, after entities are parsed
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


def caption(publication: PublicationRecord) -> str:
    return cut_html(f"<b>{esc(publication.title)}</b>\n\n{esc(publication.summary)}", CAPTION_LIMIT)


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
    # The bytes are read only when Telegram does not have the file yet.
    content = None if publication.file_id else await repo.content(ctx.session, publication.id)
    source = SOURCES.get(data[3], "chat") if len(data) == 4 else "chat"
    person_id = ctx.person.id
    ctx.toast(ctx._("Sending the file…"))

    async def send() -> None:
        await _send(ctx, publication, content, person_id, source)

    ctx.later(send)


async def _send(
    ctx: Ctx, publication: PublicationRecord, content: bytes | None, person_id: int, source: str
) -> None:
    bot = ctx.context.bot
    text = caption(publication)
    message = None
    if content is None and publication.file_id:
        try:
            message = await bot.send_document(
                ctx.chat_id, publication.file_id, caption=text, parse_mode=ParseMode.HTML
            )
        except BadRequest as error:  # a file_id Telegram no longer knows: upload again
            log.warning("publication %s: stored file_id refused: %s", publication.id, error)
            async with ctx.runtime.db.session() as session:
                content = await repo.content(session, publication.id)
    if message is None:
        upload = InputFile(content or b"", filename=publication.filename)
        message = await bot.send_document(
            ctx.chat_id, upload, caption=text, parse_mode=ParseMode.HTML
        )
    file_id = message.document.file_id if message.document else None
    async with ctx.runtime.db.session() as session:
        await rules.delivered(
            session, publication, person_id, source, ctx.runtime.clock.now(), file_id
        )


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
