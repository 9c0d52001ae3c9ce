"""Workshop materials (presentations, PDFs): added with `python -m bot talleres material`,
offered to the participants who checked in, with the survey when the workshop ends and
later in /talleres; coordinators who cover the workshop may get them too (not counted). The
file is uploaded to Telegram once, then sent by its file_id; each participant who receives a
material is counted once.

Callback data: wm:get:<material>.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest

from bot.i18n import Translator
from bot.outbox import Outgoing
from bot.services import coverage
from bot.services.roles import Role, allows
from handlers.base import Ctx, esc
from handlers.keyboards import as_number, button
from handlers.refusals import refuse_scope
from handlers.registry import Buttons, Feature
from storage.repositories import audit
from storage.repositories import materials as repo
from storage.repositories import workshops as workshop_repo
from storage.repositories.materials import MaterialRecord
from storage.repositories.outbox import OwedMessage

log = logging.getLogger(__name__)
KIND = "workshop_materials"


def material_button(material: MaterialRecord) -> InlineKeyboardButton:
    return button(f"📎 {material.filename}", f"wm:get:{material.id}")


async def on_button(ctx: Ctx) -> None:
    """wm:get:<material>"""
    data = ctx.data
    material_id = as_number(data[2]) if len(data) == 3 and data[1] == "get" else None
    material = await repo.get(ctx.session, material_id) if material_id else None
    if material is None:
        ctx.toast(ctx._("That button is no longer valid."), alert=True)
        return
    person = ctx.person
    attended = person is not None and await repo.attended(
        ctx.session, material.workshop_id, person.id
    )
    if person is not None and not attended and allows(ctx.role, Role.COORDINATOR):
        workshop = await workshop_repo.get(ctx.session, material.workshop_id)
        if workshop is None or not coverage.may_see_workshop(ctx.coverage, workshop):
            await refuse_scope(ctx, f"material:{material.id}")
            return
    elif person is None or not attended:
        await audit.append(
            ctx.session,
            actor_telegram_id=ctx.user.id,
            action="button wm",
            outcome="denied",
            target=f"material:{material.id}",
        )
        ctx.toast(ctx._("Workshop materials are for the people who attended it."), alert=True)
        return
    content = None if material.file_id else await repo.content(ctx.session, material.id)
    person_id = (
        person.id if attended and person is not None else None
    )  # staff who did not attend are not counted
    ctx.toast(ctx._("Sending the file…"))

    async def send() -> None:
        await _send(ctx, material, content, person_id)

    ctx.later(send)


async def _send(
    ctx: Ctx, material: MaterialRecord, content: bytes | None, person_id: int | None
) -> None:
    bot = ctx.context.bot
    message = None
    if content is None and material.file_id:
        try:
            message = await bot.send_document(ctx.chat_id, material.file_id)
        except BadRequest as error:  # a file_id Telegram no longer knows: upload again
            log.warning("material %s: stored file_id refused: %s", material.id, error)
            async with ctx.runtime.db.session() as session:
                content = await repo.content(session, material.id)
    if message is None:
        upload = InputFile(content or b"", filename=material.filename)
        message = await bot.send_document(ctx.chat_id, upload)
    file_id = message.document.file_id if message.document else None
    async with ctx.runtime.db.session() as session:
        if file_id and file_id != material.file_id:
            await repo.remember_file_id(session, material.id, file_id)
        if person_id is not None:
            await repo.record_delivery(session, material.id, person_id, ctx.runtime.clock.now())


async def render(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    """With the survey: the workshop's materials, one button each."""
    workshop = await workshop_repo.get(session, int(owed.payload["workshop_id"]))
    items = await repo.of_workshops(session, [workshop.id]) if workshop else []
    if workshop is None or not items:
        return None
    text = t.gettext(
        "📎 <b>Materials of the workshop</b> «{title}»: press one to receive it."
    ).format(title=esc(workshop.title))
    return Outgoing(text, InlineKeyboardMarkup([[material_button(m)] for m in items[:20]]))


FEATURE = Feature(
    buttons=(Buttons("wm", on_button, Role.OFFICIAL),),
    outbox={KIND: render},
)
