"""Workshop materials (presentations, PDFs): added with `python -m bot talleres material`,
offered to the participants who checked in, with the survey when the workshop ends and
later in /talleres; coordinators who cover the workshop may get them too (not counted). The
file is uploaded to Telegram once, then sent by its file_id; each participant who receives a
material is counted once.

Callback data: wm:get:<material>.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import kept_files
from bot.i18n import Translator
from bot.kept_files import KeptFile
from bot.outgoing import Outgoing
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
            at=ctx.now,
        )
        ctx.toast(ctx._("Workshop materials are for the people who attended it."), alert=True)
        return
    ctx.toast(ctx._("Sending the file…"))
    # Staff who did not attend get the file but are not counted among its receivers.
    kept = KeptFile(kept_files.MATERIAL, material.id, person.id if attended else None)
    ctx.kept_file(kept, await kept_files.material(ctx.session, material))


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
