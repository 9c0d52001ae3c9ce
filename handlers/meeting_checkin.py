"""Check-in at a meeting's door, as at a workshop's: the link (/start reunion-CODE, the QR on
the wall), /asistencia CODE, or the code typed alone («K7M2QX», «asistencia K7M2QX»). A
person not registered yet registers first, then is checked in without retyping anything."""

from __future__ import annotations

from bot.services import meeting_attendance as door
from bot.services import meetings as rules
from bot.services.meeting_attendance import CheckIn
from bot.services.quarter_close import its_quarter
from bot.services.workshops import normalize_code, typed_code
from handlers.base import Ctx, esc
from storage.repositories import meetings as repo


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
    if meeting is None or meeting.status == "cancelled":
        ctx.reply(_("I found no meeting with the code «{code}».").format(code=esc(code[:20])))
        return
    title = esc(meeting.title)
    now, zone = ctx.runtime.clock.now(), ctx.t.timezone
    outcome = await door.check_in(ctx.session, meeting, ctx.person.id, now, zone)
    if outcome is CheckIn.ALREADY:
        ctx.reply(_("Your attendance at «{title}» was already recorded.").format(title=title))
    elif outcome is CheckIn.TOO_EARLY:
        ctx.reply(
            _("Check-in for «{title}» opens one hour before it starts ({date}).").format(
                title=title, date=ctx.t.datetime(meeting.starts_at)
            )
        )
    elif outcome is CheckIn.QUARTER_ENDED:
        last = its_quarter(meeting.starts_at, zone).last
        ctx.reply(
            _("Check-in for «{title}» closed when its quarter ended, on {date}.").format(
                title=title, date=ctx.t.date(last)
            )
        )
    elif outcome is CheckIn.CLOSED:
        ctx.reply(_("Check-in for «{title}» closed 12 hours after it ended.").format(title=title))
    else:
        ctx.reply(_("✅ Your attendance at «{title}» was recorded.").format(title=title))
