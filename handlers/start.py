"""/start: greeting, privacy notice with consent, and the way into registration."""

from __future__ import annotations

from bot.i18n import N_
from bot.services import profile
from bot.services.meetings import DEEP_LINK_PREFIX as MEETING_LINK_PREFIX
from bot.services.profile import Identity
from bot.services.workshops import DEEP_LINK_PREFIX
from handlers import meeting_checkin, menu, registration, workshop_checkin
from handlers.base import Ctx, esc
from handlers.consent import answered, ask_consent, consent_question
from handlers.registry import Buttons, Command, Feature

# What a newcomer came for, done once registered: a check-in at a workshop or a meeting.
CHECK_IN_LINKS = (DEEP_LINK_PREFIX, MEETING_LINK_PREFIX)


async def start(ctx: Ctx) -> None:
    _ = ctx._
    greeting = _(
        "Hello, {name}! I am Minka, the assistant of the small-scale and artisanal mining "
        "programme of MINEM and the regional governments.\n"
        "I answer questions about the Mining Tool Kit and help you with workshops, meetings "
        "and the cases you attend."
    ).format(name=esc(ctx.user.first_name))
    payload = ctx.args[0] if ctx.args else ""
    if payload.startswith(MEETING_LINK_PREFIX):
        code = payload.removeprefix(MEETING_LINK_PREFIX)
        if ctx.person is not None and ctx.person.is_registered:
            await meeting_checkin.check_in(ctx, code)
        else:
            ctx.reply(greeting)
            await workshop_checkin.needs_registration(ctx, code, prefix=MEETING_LINK_PREFIX)
        return
    if payload.startswith(DEEP_LINK_PREFIX):
        code = payload.removeprefix(DEEP_LINK_PREFIX)
        if ctx.person is not None and ctx.person.is_registered:
            await workshop_checkin.check_in(ctx, code)
        else:
            ctx.reply(greeting)
            await workshop_checkin.needs_registration(ctx, code)
        return
    if ctx.person is None:
        ctx.reply(greeting)
        ask_consent(ctx)
    elif not ctx.person.is_registered:
        ctx.reply(greeting)
        step = await profile.resume_registration(ctx.session, ctx.user.id)
        await registration.continue_at(ctx, step)
    else:
        ctx.reply(greeting)
        menu.show_menu(ctx)


async def on_consent(ctx: Ctx) -> None:
    _ = ctx._
    answer = ctx.data[1] if len(ctx.data) > 1 else ""
    if answer == "yes":
        if ctx.person is not None and ctx.person.is_registered:
            ctx.toast(_("You had already accepted."))
            menu.show_menu(ctx)
            return
        then = ctx.data[2] if len(ctx.data) > 2 else None
        await profile.give_consent(
            ctx.session,
            Identity(ctx.user.id, ctx.user.username, ctx.user.full_name),
            ctx.t.language,
            then=then if then and then.startswith(CHECK_IN_LINKS) else None,
            admin_ids=ctx.settings.bot_admin_ids,
            now=ctx.runtime.clock.now(),
        )
        ctx.show(answered(ctx) + "\n\n✅ " + _("You accepted. Thank you!"))
        ctx.reply(_("Let's register you: five short questions."))
        await registration.continue_at(ctx, profile.STEPS[0])
    elif answer == "no":
        ctx.show(answered(ctx) + "\n\n" + _("You did not accept."))
        ctx.reply(
            _(
                "Understood: Minka stores no personal data about you. You can still consult "
                "the Tool Kit. If you change your mind, write /start."
            )
        )
        menu.show_menu(ctx)
    elif answer == "more":  # «Ver detalle»: the whole notice, the same question under it
        then = ctx.data[2] if len(ctx.data) > 2 else None
        ctx.show(*consent_question(ctx, then=then, whole=True))
    else:
        ctx.toast(_("That button is no longer valid."))


FEATURE = Feature(
    commands=(Command("start", start, N_("Start or resume"), None),),
    buttons=(Buttons("consent", on_consent, None),),
)
