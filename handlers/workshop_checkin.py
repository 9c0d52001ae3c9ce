"""Check-in at a workshop's door: the link (/start taller-CODE, the QR on the wall),
/asistencia CODE (a meeting's code too), or the code typed alone. A person not registered yet
registers first, then is checked in without retyping anything (meetings' check-in uses the
same way in, `needs_registration`)."""

from __future__ import annotations

from bot.i18n import N_
from bot.outbox import send_due
from bot.services import workshops as rules
from bot.services.workshops import CheckIn
from handlers.base import Ctx, esc
from handlers.consent import ask_consent
from handlers.registry import Command, Feature
from storage.repositories import workshops as repo


async def check_in(ctx: Ctx, code: str) -> None:
    """Check the person in (they are registered); explain anything that prevents it."""
    _ = ctx._
    assert ctx.person is not None
    result = await rules.check_in(ctx.session, ctx.person, code, ctx.runtime.clock.now())
    workshop = result.workshop
    if result.outcome is CheckIn.UNKNOWN:
        ctx.reply(
            _("I found no workshop with the code «{code}». Please check it and try again.").format(
                code=esc(code[:20])
            )
        )
        return
    assert workshop is not None
    title = esc(workshop.title)
    if result.outcome is CheckIn.TOO_EARLY:
        ctx.reply(
            _("Check-in for «{title}» opens one hour before it starts ({date}).").format(
                title=title, date=ctx.t.datetime(workshop.starts_at)
            )
        )
    elif result.outcome is CheckIn.CLOSED:
        ctx.reply(_("Check-in for «{title}» closed 24 hours after it ended.").format(title=title))
    elif result.outcome is CheckIn.ALREADY:
        ctx.reply(_("Your attendance at «{title}» was already recorded.").format(title=title))
    elif result.survey_now:
        ctx.reply(
            _("✅ Attendance recorded: «{title}». The survey arrives now.").format(title=title)
        )
        ctx.later(lambda: _send_owed(ctx), chat=False)  # the outbox keeps order
    else:
        ctx.reply(
            _(
                "✅ Attendance recorded: «{title}» ({date}). When it ends you will receive a "
                "short survey."
            ).format(title=title, date=ctx.t.datetime(workshop.starts_at))
        )


async def _send_owed(ctx: Ctx) -> None:
    await send_due(ctx.context.application)


async def attendance_command(ctx: Ctx) -> None:
    _ = ctx._
    if not ctx.args:
        ctx.reply(_("Write the workshop's code after the command, for example: /asistencia K7M2QX"))
        return
    code = rules.normalize_code(ctx.args[0])
    if not await repo.code_exists(ctx.session, code):
        from handlers import meeting_checkin  # it imports this module

        if await meeting_checkin.typed_check_in(ctx, code):  # a meeting's code: the same
            return
    await _check_in_or_register(ctx, ctx.args[0])


async def typed_check_in(ctx: Ctx, text: str) -> bool:
    """A workshop's code typed without /asistencia, as participants are told at the door:
    their check-in. False when the text is no workshop's code."""
    code = await rules.typed_workshop(ctx.session, text)
    if code is None:
        return False
    await _check_in_or_register(ctx, code)
    return True


async def _check_in_or_register(ctx: Ctx, code: str) -> None:
    if ctx.person is None or not ctx.person.is_registered:
        await needs_registration(ctx, code)
        return
    await check_in(ctx, code)


async def needs_registration(ctx: Ctx, code: str, prefix: str = rules.DEEP_LINK_PREFIX) -> None:
    """Walk a newcomer through registration first, then check them in (no retyping) at the
    workshop, or at the meeting with the meetings' `prefix`."""
    from bot.services import profile
    from handlers import registration  # registration links back here when it finishes

    code = rules.normalize_code(code)
    # What may be a (mistyped) code rides along, to be checked after registration; not junk,
    # which would not fit in the button (64 bytes of callback data).
    plausible = rules.valid_code(code)
    then = f"{prefix}{code}" if plausible else None
    _ = ctx._
    if ctx.person is None:
        ask_consent(
            ctx,
            lead=_("To record your attendance, Minka first needs to register you."),
            then=then,
        )
        return
    step = await profile.resume_registration(ctx.session, ctx.user.id)
    if then is not None:
        await profile.remember_then(ctx.session, ctx.user.id, then)
    ctx.reply(_("First let's finish your registration; then your attendance is recorded."))
    await registration.continue_at(ctx, step)


FEATURE = Feature(
    commands=(
        Command(
            "asistencia", attendance_command, N_("Record my attendance: /asistencia CODE"), None
        ),
    ),
)
