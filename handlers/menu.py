"""/menu, /ayuda and /cancelar: finding one's way around Minka."""

from __future__ import annotations

from bot.services.access import access_of, may_use
from bot.services.profile import REGISTRATION, REGISTRATION_PAUSED, pause_registration
from handlers.base import Ctx
from handlers.keyboards import button, main_menu_row
from handlers.questions import FIELD_LABELS
from storage.repositories.conversations import clear_state, get_state

# Sections that later features fill in; until then their button says so instead of doing nothing.
COMING_SOON: dict[str, str] = {}


def _registered(ctx: Ctx) -> bool:
    return ctx.person is not None and ctx.person.is_registered


def menu_keyboard(ctx: Ctx) -> list:
    _ = ctx._
    if not _registered(ctx):  # cases, meetings and a profile need a registration
        return [
            [button(_("📚 Consult the Tool Kit"), "kb:topics")],
            [button(_("🎓 Workshops"), "menu:workshops"), button(_("❓ Help"), "menu:help")],
        ]
    cases = button(_("📁 My cases"), "menu:cases")
    meetings = button(_("🤝 Meetings"), "menu:meetings")
    workshops = button(_("🎓 Workshops"), "menu:workshops")
    return [
        [button(_("📚 Consult the Tool Kit"), "kb:topics")],
        [workshops, meetings],
        [cases, button(_("👤 My profile"), "menu:profile")],
        [button(_("❓ Help"), "menu:help")],
    ]


def show_menu(ctx: Ctx, *, edit: bool = False) -> None:
    text = ctx._("<b>Main menu</b>\nWhat would you like to do?")
    if not _registered(ctx):
        text += "\n" + ctx._("Meetings, cases and your profile open once you register: /start.")
    if edit:
        ctx.show(text, menu_keyboard(ctx))
    else:
        ctx.reply(text, menu_keyboard(ctx))


async def menu_command(ctx: Ctx) -> None:
    show_menu(ctx)


async def help_text(ctx: Ctx) -> str:
    """The commands this person can use now (their role, registration and Equipo Regional)."""
    from handlers import all_commands  # the registry imports this module

    _ = ctx._
    access = await access_of(ctx.session, ctx.person, ctx.role)
    lines = [_("<b>What Minka can do</b>"), ""]
    for command in all_commands():
        if may_use(access, command.role, command.needs):
            lines.append(f"/{command.name}: {_(command.description)}")
    lines += [
        "",
        _(
            "Use the buttons under each message to answer; typing also works for names and "
            "regions. /cancelar leaves any form."
        ),
    ]
    if not access.registered:
        lines.append(
            _(
                "Meetings, cases, workshop ratings and your profile open once you register: "
                "register with /start."
            )
        )
    return "\n".join(lines)


async def help_command(ctx: Ctx) -> None:
    ctx.reply(await help_text(ctx), [[button(ctx._("« Main menu"), "menu:main")]])


async def cancel_command(ctx: Ctx) -> None:
    _ = ctx._
    state = await get_state(ctx.session, ctx.user.id)
    if state is None or state.flow == REGISTRATION_PAUSED:
        ctx.reply(_("There is nothing to cancel."), [main_menu_row(_)])
        return
    if state.flow == REGISTRATION:
        answered = await pause_registration(ctx.session, ctx.user.id)
        if answered:
            fields = ", ".join(_(FIELD_LABELS[step]).lower() for step in answered)
            ctx.reply(
                _(
                    "Your registration is paused. Minka kept what you answered ({fields}); "
                    "write /start to go on from the question where you stopped. Meanwhile "
                    "you can consult the Tool Kit."
                ).format(fields=fields)
            )
        else:
            ctx.reply(
                _(
                    "Your registration was stopped. When you want to register, write /start; "
                    "meanwhile you can consult the Tool Kit."
                )
            )
    else:
        await clear_state(ctx.session, ctx.user.id)
        ctx.reply(_("Cancelled. Nothing was changed."))
    show_menu(ctx)


async def on_button(ctx: Ctx) -> None:
    """menu:<section>"""
    from handlers import profile  # profile's keyboard links back to the menu

    section = ctx.data[1] if len(ctx.data) > 1 else ""
    if section in COMING_SOON:
        ctx.toast(ctx._("This section will be available soon."), alert=True)
    elif section == "cases":
        from handlers import cases  # the case views link back to the menu

        await cases.show_list(ctx, "mine", 0)
    elif section == "meetings":
        from handlers import meetings  # meetings' replies link back to the menu

        await meetings.meetings_command(ctx)
    elif section == "workshops":
        from handlers import workshops  # workshops' replies link back to the menu

        await workshops.workshops_command(ctx)
    elif section == "profile":
        await profile.show_profile(ctx, edit=True)
    elif section == "help":
        ctx.show(await help_text(ctx), [[button(ctx._("« Main menu"), "menu:main")]])
    else:
        show_menu(ctx, edit=True)
