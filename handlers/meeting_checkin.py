"""Check-in at a meeting's door, as at a workshop's: the link (/start reunion-CODE, the QR on
the wall), /asistencia CODE, or the code typed alone («K7M2QX», «asistencia K7M2QX»). A
person not registered yet registers first, then is checked in without retyping anything."""

from __future__ import annotations

from datetime import timedelta

from bot.services import meetings as rules
from bot.services.workshops import normalize_code, typed_code
from handlers.base import Ctx, esc
from storage.repositories import meetings as repo

CHECKIN_OPENS_BEFORE = timedelta(hours=1)
CHECKIN_CLOSES_AFTER = timedelta(hours=12)


async def typed_check_in(ctx: Ctx, text: str) -> bool:
    """A meeting's code typed without /asistencia: the person's check-in. False when the text
    is no meeting's code (it goes on to the Tool Kit)."""
    code = typed_code(text)
    meeting = await repo.get_by_code(ctx.session, code) if code else None
    if code is None or meeting is None or meeting.status == "cancelled":
        return False
    await check_in_or_register(ctx, code)
    return True


async def check_in_or_register(ctx: Ctx, code: str) -> None:
    if ctx.person is None or not ctx.person.is_registered:
        from handlers import workshop_checkin  # its /asistencia sends meeting codes here

        await workshop_checkin.needs_registration(ctx, code, prefix=rules.DEEP_LINK_PREFIX)
        return
    await check_in(ctx, code)


async def check_in(ctx: Ctx, code: str) -> None:
    """Mark the registered person as present (invited or not); explain what prevents it."""
    _ = ctx._
    assert ctx.person is not None
    meeting = await repo.get_by_code(ctx.session, normalize_code(code))
    now = ctx.runtime.clock.now()
    if meeting is None or meeting.status == "cancelled":
        ctx.reply(_("I found no meeting with the code «{code}».").format(code=esc(code[:20])))
        return
    title = esc(meeting.title)
    invitation = await repo.invitation(ctx.session, meeting.id, ctx.person.id)
    if invitation is not None and invitation.attended_at is not None:
        ctx.reply(_("Your attendance at «{title}» was already recorded.").format(title=title))
        return
    if now < meeting.starts_at - CHECKIN_OPENS_BEFORE:
        ctx.reply(
            _("Check-in for «{title}» opens one hour before it starts ({date}).").format(
                title=title, date=ctx.t.datetime(meeting.starts_at)
            )
        )
        return
    if now > meeting.ends_at + CHECKIN_CLOSES_AFTER:
        ctx.reply(_("Check-in for «{title}» closed 12 hours after it ended.").format(title=title))
        return
    await repo.invite(ctx.session, meeting.id, [ctx.person.id])  # present without invitation
    await repo.mark_attended(ctx.session, meeting.id, ctx.person.id, now)
    ctx.reply(_("✅ Your attendance at «{title}» was recorded.").format(title=title))
