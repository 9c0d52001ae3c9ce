"""The polite refusals of a handler: a role the person lacks, or an item of a region they do
not cover (which is also written to the audit log).

Apart from `handlers.base` so that the shared context stays free of business rules."""

from __future__ import annotations

from bot.services import coverage
from bot.services.roles import Role
from handlers.base import Ctx


def refuse(ctx: Ctx, required: Role) -> None:
    if required is Role.ADMIN:
        text = ctx._("Only administrators can do that.")
    elif required is Role.SPECIALIST:
        text = ctx._("Only specialists and coordinators can do that.")
    else:
        text = ctx._("Only coordinators can do that.")
    if ctx.query is not None:
        ctx.toast(text, alert=True)
    else:
        ctx.reply(text)


async def refuse_scope(ctx: Ctx, target: str) -> None:
    """An item of a region the person does not cover: a polite refusal, and an audit entry."""
    action = f"button {ctx.data[0]}" if ctx.query is not None else "command"
    await coverage.refused(
        ctx.session, telegram_id=ctx.user.id, action=action, target=target, now=ctx.now
    )
    text = ctx._("That belongs to a region you do not coordinate.")
    if ctx.query is not None:
        ctx.toast(text, alert=True)
    else:
        ctx.reply(text)
