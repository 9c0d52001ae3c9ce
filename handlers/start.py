"""/start: greeting, privacy notice with consent, and the way into registration."""

from __future__ import annotations

from bot.i18n import N_
from bot.services import profile
from bot.services.profile import Identity
from handlers import menu, registration
from handlers.base import Ctx, esc
from handlers.keyboards import button
from handlers.registry import Buttons, Command, Feature

CONSENT_KEYBOARD_DATA = ("consent:yes", "consent:no")


def privacy_notice(ctx: Ctx) -> str:
    _ = ctx._
    return _(
        "🔒 <b>Privacy notice</b>\n\n"
        "To register you, Minka stores your Telegram id and username, your full name, region, "
        "institution, position and sex, and the date you gave your consent. They are used only "
        "for the programme's work with the regional governments: inviting you to meetings and "
        "workshops, recording the cases you attend, and reporting participation by region and "
        "by sex. They are not shared with third parties. For security, Minka also records "
        "attempts to use restricted functions (Telegram id, action and time).\n\n"
        "You can see your data with /mis_datos and delete it at any time with "
        "/borrar_mis_datos (Ley 29733, Ley de Protección de Datos Personales)."
    )


def ask_consent(ctx: Ctx, *, lead: str | None = None) -> None:
    """Show the notice with Acepto / No acepto; `lead` explains why it is asked now."""
    _ = ctx._
    text = privacy_notice(ctx) + "\n\n" + _("Do you accept?")
    if lead:
        text = lead + "\n\n" + text
    ctx.reply(
        text,
        [[button(_("I accept"), "consent:yes"), button(_("I do not accept"), "consent:no")]],
    )


async def start(ctx: Ctx) -> None:
    _ = ctx._
    greeting = _(
        "Hello, {name}! I am Minka, the assistant of the small-scale and artisanal mining "
        "programme of MINEM and the regional governments.\n"
        "I answer questions about the Mining Tool Kit and help you with workshops, meetings "
        "and the cases you attend."
    ).format(name=esc(ctx.user.first_name))
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
        await profile.give_consent(
            ctx.session,
            Identity(ctx.user.id, ctx.user.username, ctx.user.full_name),
            ctx.t.language,
        )
        ctx.show(privacy_notice(ctx) + "\n\n✅ " + _("You accepted. Thank you!"))
        ctx.reply(_("Let's register you: five short questions."))
        await registration.continue_at(ctx, profile.STEPS[0])
    elif answer == "no":
        ctx.show(privacy_notice(ctx) + "\n\n" + _("You did not accept."))
        ctx.reply(
            _(
                "Understood: Minka stores no personal data about you. You can still consult "
                "the Tool Kit. If you change your mind, write /start."
            )
        )
        menu.show_menu(ctx)
    else:
        ctx.toast(_("That button is no longer valid."))


FEATURE = Feature(
    commands=(Command("start", start, N_("Start or resume"), None),),
    buttons=(Buttons("consent", on_consent, None),),
)
