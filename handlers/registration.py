"""Registration, one question at a time, with "Volver" on every step and a closing summary."""

from __future__ import annotations

from bot.services import profile
from bot.services.meetings import DEEP_LINK_PREFIX as MEETING_LINK_PREFIX
from bot.services.profile import SUMMARY, InvalidAnswer
from bot.services.workshops import DEEP_LINK_PREFIX
from handlers import command_menu, menu
from handlers.base import Ctx, esc
from handlers.keyboards import as_number, button
from handlers.questions import (
    POSITION_SKIPPED,
    answer_line,
    ask,
    summary_lines,
    typed_answer,
)
from handlers.registry import Buttons, Feature
from storage.repositories.regions import get_region


async def continue_at(ctx: Ctx, step: str, *, edit: bool = False) -> None:
    if step == SUMMARY:
        await show_summary(ctx, edit=edit)
    else:
        await ask(ctx, "reg", step, edit=edit)


async def show_summary(ctx: Ctx, *, edit: bool = False) -> None:
    _ = ctx._
    values = await profile.draft(ctx.session, ctx.user.id)
    region = await get_region(ctx.session, values["region"]) if values.get("region") else None
    text = (
        _("<b>Please check your data:</b>")
        + "\n\n"
        + summary_lines(ctx, values, region.name if region else None)
    )
    keyboard = [
        [button(_("✅ Confirm"), "reg:confirm")],
        [button(_("« Back"), f"reg:back:{SUMMARY}")],
    ]
    if edit:
        ctx.show(text, keyboard)
    else:
        ctx.reply(text, keyboard)


async def _current_step(ctx: Ctx) -> str | None:
    if ctx.person is None or ctx.person.is_registered:
        return None
    return await profile.resume_registration(ctx.session, ctx.user.id)


async def on_button(ctx: Ctx) -> None:
    """reg:<step>:<value> | reg:page:<n> | reg:back:<step> | reg:confirm"""
    _ = ctx._
    current = await _current_step(ctx)
    action = ctx.data[1] if len(ctx.data) > 1 else ""
    argument = ctx.data[2] if len(ctx.data) > 2 else ""
    if current is None:
        ctx.toast(_("You are already registered. Use /perfil to change your data."))
        return
    if action == "page" and current == "region" and as_number(argument) is not None:
        await ask(ctx, "reg", "region", page=as_number(argument) or 0, edit=True)
        return
    if action == "back" and argument == current:
        await continue_at(ctx, await profile.go_back(ctx.session, ctx.user.id, current), edit=True)
        return
    if action == "confirm" and current == SUMMARY:
        await _finish(ctx)
        return
    if action != current:
        ctx.toast(_("That button is no longer valid; here is the current question."))
        await continue_at(ctx, current)
        return
    value: str | None = argument
    if action == "name" and argument == "tg":
        value = ctx.user.full_name
    if action == "position" and argument == POSITION_SKIPPED:
        value = None
    await _answer(ctx, current, value, edit=True)


async def _answer(ctx: Ctx, step: str, value: str | None, *, edit: bool) -> None:
    try:
        stored = None if value is None else await profile.validate_answer(ctx.session, step, value)
    except InvalidAnswer as invalid:
        ctx.reply(ctx._(invalid.message))
        await ask(ctx, "reg", step)
        return
    following = await profile.record_answer(ctx.session, ctx.user.id, step, stored)
    if edit:
        await _confirm_pressed(ctx, step, stored)
    await continue_at(ctx, following)


async def _confirm_pressed(ctx: Ctx, step: str, value: str | None) -> None:
    """Turn the answered question into a one-line record of the answer (no buttons left)."""
    region_name = None
    if step == "region" and value:
        region = await get_region(ctx.session, value)
        region_name = region.name if region else None
    ctx.show("✅ " + answer_line(ctx, step, value, region_name))


async def _finish(ctx: Ctx) -> None:
    _ = ctx._
    then = (await profile.draft(ctx.session, ctx.user.id)).get("then")
    try:
        now = ctx.runtime.clock.now()
        person = await profile.complete_registration(ctx.session, ctx.user.id, now)
    except InvalidAnswer as invalid:
        ctx.toast(_(invalid.message), alert=True)
        return
    ctx.person = person
    await command_menu.set_later(ctx)  # what registering opened: /casos, /reuniones...
    ctx.show(_("✅ Registration complete. Thank you, {name}!").format(name=esc(person.full_name)))
    if isinstance(then, str) and then.startswith(DEEP_LINK_PREFIX):
        from handlers import workshop_checkin  # it sends newcomers here first

        await workshop_checkin.check_in(ctx, then.removeprefix(DEEP_LINK_PREFIX))
        return
    if isinstance(then, str) and then.startswith(MEETING_LINK_PREFIX):
        from handlers import meeting_checkin  # as do meetings, at the door

        await meeting_checkin.check_in(ctx, then.removeprefix(MEETING_LINK_PREFIX))
        return
    menu.show_menu(ctx)


async def on_text(ctx: Ctx, text: str) -> None:
    """A typed answer during registration."""
    step = await _current_step(ctx)
    if step is None:
        return
    if step == SUMMARY:
        ctx.reply(ctx._("Please check your data and press «Confirm», or «Back» to correct it."))
        await show_summary(ctx)
        return
    value = await typed_answer(ctx, "reg", step, text)
    if value is not None:
        await _answer(ctx, step, value, edit=False)


FEATURE = Feature(
    buttons=(Buttons("reg", on_button, None),),
    forms={profile.REGISTRATION: on_text},
)
