"""Typed text and other messages that are not commands: forms first, then everything else."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.profile import PROFILE_EDIT, REGISTRATION, SUMMARY
from bot.services.roles import Role, authorize
from handlers import meeting_checkin, toolkit, workshop_checkin
from handlers.base import Ctx, HandlerFn
from storage.repositories.conversations import clear_state, get_state

# Steps answered with a button (typed text only names an option): choices, yes/no, regions;
# and a file, which typed text never is.
BUTTON_KINDS = ("choice", "yesno", "region", "document")


async def on_text(ctx: Ctx) -> None:
    """Route typed text to the form the person is in; outside a form, a workshop's or a
    meeting's code is a check-in, anything else a question for the Tool Kit."""
    message = ctx.update.effective_message
    text = message.text if message and message.text else ""
    if await _to_form(ctx, text) or await workshop_checkin.typed_check_in(ctx, text):
        return
    if not await meeting_checkin.typed_check_in(ctx, text):
        await toolkit.answer_question(ctx, text)


async def _to_form(ctx: Ctx, text: str, *, document: bool = False) -> bool:
    """Hand the message to the form the person is in (with `document`, only to a step that
    takes a file); False when there is none."""
    from handlers import forms  # the registry imports this module

    state = ctx.form  # as the update found it: nothing was written before this
    form = forms().get(state.flow) if state else None
    if document and (state is None or _step_kind(form, state.step) != "document"):
        return False
    if form is not None and state is not None:
        handler, required = form
        if required is not None and not await authorize(
            ctx.session,
            telegram_id=ctx.user.id,
            role=ctx.role,
            required=required,
            action=f"form {state.flow}",
            now=ctx.now,
        ):
            await clear_state(ctx.session, ctx.user.id)
            ctx.reply(
                ctx._(
                    "You no longer have the role this form needs, so it was stopped and "
                    "nothing was saved."
                )
            )
            return True
        ctx.authorised(required)
        await handler(ctx, text)
        return True
    return False


def _step_kind(form: tuple[HandlerFn, Role | None] | None, step: str) -> str | None:
    """The kind of a guided form's step (None for other forms and the summary)."""
    from handlers.guided import GuidedForm

    guided = getattr(form[0], "__self__", None) if form else None
    if not isinstance(guided, GuidedForm) or step == SUMMARY:
        return None
    return guided.step(step).kind


async def takes_typed_answer(session: AsyncSession, telegram_id: int) -> bool:
    """Whether the person's current step reads what they type as its answer (a title, a
    number, a date, a note). The demo then sends a typed «2» as text instead of pressing
    button 2, which on such a step is often «Cancel»."""
    from handlers import forms
    from handlers.guided import GuidedForm

    state = await get_state(session, telegram_id)
    if state is None or state.step == SUMMARY:
        return False
    entry = forms().get(state.flow)  # (handler, role required)
    if entry is None:  # no form reads typed text (a paused registration)
        return False
    form = getattr(entry[0], "__self__", None) if entry else None
    if isinstance(form, GuidedForm):
        return form.step(state.step).kind not in BUTTON_KINDS
    # Registration and profile steps take names, or an option from the buttons: a number
    # there can only mean a button. Every other form is waiting for free text.
    return state.flow not in (REGISTRATION, PROFILE_EDIT)


async def on_other_message(ctx: Ctx) -> None:
    """Stickers, photos, voice notes... where Minka expects text or a button; a file where a
    form asks for one goes to the form."""
    message = ctx.update.effective_message
    if (
        message is not None
        and message.document is not None
        and await _to_form(ctx, "", document=True)
    ):
        return
    from handlers import forms  # the registry imports this module

    if ctx.form is not None and ctx.form.flow in forms():  # not a paused registration
        ctx.reply(ctx._("Please answer with text or with the buttons of the last question."))
    else:
        ctx.reply(ctx._("I can only read text messages. Write /menu to see what I can do."))


async def on_edited_message(ctx: Ctx) -> None:
    """An edit (a typo fixed in a question, a form's answer changed) is not acted on again:
    that would repeat what the message did. Said, so that the edit is not met by silence."""
    ctx.reply(
        ctx._(
            "Minka does not read edited messages. Please send the corrected text as a new message."
        )
    )


async def on_group_message(ctx: Ctx) -> None:
    """Minka collects no personal data in groups; it points people to a private chat."""
    ctx.reply(
        ctx._("Write to me in a private chat to register or to use your profile: @{bot}").format(
            bot=ctx.context.bot.username
        )
    )


async def on_unknown_command(ctx: Ctx) -> None:
    ctx.reply(ctx._("I don't know that command. Write /ayuda to see the ones I know."))


async def on_stale_button(ctx: Ctx) -> None:
    """A button whose prefix no feature knows (from an old version of Minka)."""
    ctx.toast(ctx._("That button is no longer valid."))
