"""/perfil: see and change every field, including the language."""

from __future__ import annotations

from bot.i18n import LANGUAGES, N_, translator
from bot.services import profile
from bot.services.access import Needs
from bot.services.profile import STEPS, InvalidAnswer
from bot.services.roles import ROLE_LABELS
from handlers import registration
from handlers.base import Ctx, esc
from handlers.consent import ask_consent
from handlers.keyboards import as_number, button, rows
from handlers.questions import (
    FIELD_LABELS,
    POSITION_SKIPPED,
    ask,
    summary_lines,
    typed_answer,
)
from handlers.registry import Buttons, Command, Feature
from storage.repositories import people
from storage.repositories.conversations import clear_state, get_state


async def show_profile(ctx: Ctx, *, edit: bool = False) -> None:
    _ = ctx._
    person = ctx.person
    if person is None:
        ask_consent(ctx, lead=_("To have a profile, Minka needs your consent first."))
        return
    if not person.is_registered:
        ctx.reply(_("You have not finished registering yet; let's continue."))
        await registration.continue_at(
            ctx, await profile.resume_registration(ctx.session, ctx.user.id)
        )
        return
    values = {
        "name": person.full_name,
        "region": person.region_code,
        "institution": person.institution,
        "position": person.position,
        "sex": person.sex,
    }
    text = "\n".join(
        [
            _("<b>My profile</b>"),
            "",
            summary_lines(ctx, values, person.region_name),
            "<b>{label}:</b> {value}".format(
                label=_("Language"), value=esc(LANGUAGES.get(person.locale, person.locale))
            ),
            "<b>{label}:</b> {value}".format(label=_("Role"), value=esc(_(ROLE_LABELS[ctx.role]))),
            "",
            _("Press a button to change a field."),
        ]
    )
    fields = [button(_(FIELD_LABELS[step]), f"prof:edit:{step}") for step in STEPS]
    fields.append(button(_("Language"), "prof:edit:language"))
    keyboard = [*rows(fields, 2), [button(_("« Main menu"), "menu:main")]]
    if edit:
        ctx.show(text, keyboard)
    else:
        ctx.reply(text, keyboard)


async def profile_command(ctx: Ctx) -> None:
    if await _editing(ctx):
        await clear_state(ctx.session, ctx.user.id)
    await show_profile(ctx)


async def _editing(ctx: Ctx) -> str | None:
    state = await get_state(ctx.session, ctx.user.id)
    return state.step if state and state.flow == profile.PROFILE_EDIT else None


async def on_button(ctx: Ctx) -> None:
    """prof:view | prof:edit:<field> | prof:page:<n> | prof:<field>:<value> | prof:language:<x>"""
    _ = ctx._
    if ctx.person is None or not ctx.person.is_registered:
        await show_profile(ctx)
        return
    action = ctx.data[1] if len(ctx.data) > 1 else ""
    argument = ctx.data[2] if len(ctx.data) > 2 else ""
    if action == "view":
        await clear_state(ctx.session, ctx.user.id)
        await show_profile(ctx, edit=True)
    elif action == "edit" and argument in STEPS:
        await profile.start_edit(ctx.session, ctx.user.id, argument)
        await ask(ctx, "prof", argument, edit=True)
    elif action == "edit" and argument == "language":
        keyboard = [[button(name, f"prof:language:{code}") for code, name in LANGUAGES.items()]]
        keyboard.append([button(_("« Back to my profile"), "prof:view")])
        ctx.show(_("Choose the language Minka uses with you:"), keyboard)
    elif action == "language" and argument in LANGUAGES:
        await profile.set_language(
            ctx.session, ctx.user.id, argument, ctx.now, admin_ids=ctx.settings.bot_admin_ids
        )
        await _reload(ctx)
        await show_profile(ctx, edit=True)
    elif action == "page" and as_number(argument) is not None and await _editing(ctx) == "region":
        await ask(ctx, "prof", "region", page=as_number(argument) or 0, edit=True)
    elif action in STEPS and await _editing(ctx) == action:
        value: str | None = argument
        if action == "name" and argument == "tg":
            value = ctx.user.full_name
        if action == "position" and argument == POSITION_SKIPPED:
            value = None
        await _save(ctx, action, value, edit=True)
    else:
        ctx.toast(_("That button is no longer valid."))
        await show_profile(ctx)


async def _save(ctx: Ctx, step: str, value: str | None, *, edit: bool) -> None:
    try:
        stored = None if value is None else await profile.validate_answer(ctx.session, step, value)
    except InvalidAnswer as invalid:
        ctx.reply(ctx._(invalid.message))
        await ask(ctx, "prof", step)
        return
    await profile.save_field(ctx.session, ctx.user.id, step, stored)
    await _reload(ctx)
    ctx.toast(ctx._("Saved."))
    if not edit:
        ctx.reply(ctx._("✅ Saved."))
    await show_profile(ctx, edit=edit)


async def _reload(ctx: Ctx) -> None:
    """Re-read the person after a change so the reply shows (and speaks) the new values."""
    ctx.person = await people.get(ctx.session, ctx.user.id)
    if ctx.person is not None:
        ctx.t = translator(ctx.person.locale, ctx.settings.timezone)


async def on_text(ctx: Ctx, text: str) -> None:
    step = await _editing(ctx)
    if step is None or ctx.person is None:
        return
    value = await typed_answer(ctx, "prof", step, text)
    if value is not None:
        await _save(ctx, step, value, edit=False)


FEATURE = Feature(
    commands=(
        Command(
            "perfil",
            profile_command,
            N_("See and edit my profile"),
            None,
            needs=Needs.REGISTERED,
        ),
    ),
    buttons=(Buttons("prof", on_button, None),),
    forms={profile.PROFILE_EDIT: on_text},
)
