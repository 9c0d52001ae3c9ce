"""Changing an agreement's responsible or due date from /reunion CODE «📌 Follow-up of
agreements» (✏️): a short guided form, each step skipped to keep what it had, a summary to
confirm. Only a coordinator who covers the meeting; the reminder follows the new terms.

Callback data: ae:begin:<agreement> | ae:<step>:<value> | ae:confirm | ae:cancel.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.i18n import N_
from bot.services import agreements as rules
from bot.services.roles import Role
from handlers.agreements import (
    DUE,
    RESPONSIBLE,
    invitee_choices,
    show_list,
    staff_meeting,
)
from handlers.base import Ctx, esc
from handlers.guided import GuidedForm
from handlers.keyboards import as_number
from handlers.registry import Buttons, Feature
from storage.repositories import agreements as repo
from storage.repositories import meetings as meeting_repo

FORM = "agreement_edit"


async def on_button(ctx: Ctx) -> None:
    """ae:begin:<agreement> starts the form; the rest are the form's own buttons."""
    if ctx.data[1:2] != ["begin"]:
        await EDIT.on_button(ctx)
        return
    number = as_number(ctx.data[2]) if len(ctx.data) == 3 else None
    agreement = await repo.get(ctx.session, number) if number is not None else None
    meeting = await meeting_repo.get(ctx.session, agreement.meeting_id) if agreement else None
    if agreement is None or meeting is None:
        ctx.toast(ctx._("That button is no longer valid."))
        return
    if not await staff_meeting(ctx, meeting):
        return
    await EDIT.begin(
        ctx,
        {
            "agreement": agreement.id,
            "text": agreement.text,
            "current_name": agreement.responsible_name or "—",
            "current_due": agreement.due_on.isoformat(),
            "invitees": await invitee_choices(ctx.session, meeting.id),
        },
    )


def _current_who(ctx: Ctx, data: dict[str, Any]) -> str:
    return ctx._("Now: <b>{name}</b>. «Skip» keeps them.").format(name=esc(data["current_name"]))


def _current_due(ctx: Ctx, data: dict[str, Any]) -> str:
    due = rules.parse_due(data["current_due"])
    return ctx._("Now: <b>{date}</b>. «Skip» keeps it.").format(
        date=ctx.t.date(due) if due else "—"
    )


def _terms(data: dict[str, Any]) -> tuple[str | None, Any]:
    """The responsible chosen (None: kept) and the due date it will have."""
    due = rules.parse_due(data.get("due") or data["current_due"])
    return data.get("responsible"), due


async def _summary(ctx: Ctx, data: dict[str, Any]) -> list[tuple[str, Any]]:
    _ = ctx._
    chosen, due = _terms(data)
    who = data["invitees"].get(chosen, "—") if chosen else data["current_name"]
    return [
        (_("Agreement"), data["text"]),
        (_("Responsible"), who),
        (_("Due date"), ctx.t.date(due) if due else "—"),
    ]


async def _confirm(ctx: Ctx, data: dict[str, Any]) -> None:
    agreement = await repo.get(ctx.session, int(data["agreement"]))
    meeting = await meeting_repo.get(ctx.session, agreement.meeting_id) if agreement else None
    chosen, due = _terms(data)
    if agreement is None or meeting is None or due is None:
        ctx.show(ctx._("That button is no longer valid."))
        return
    if not await staff_meeting(ctx, meeting):
        return
    try:
        changed = await rules.edit(
            ctx.session,
            agreement,
            responsible_id=int(chosen) if chosen else agreement.responsible_id,
            # «Omitir» keeps the due date it has now: the one shown when the form began may
            # have been changed since by someone else (tests/test_agreement_edit_meanwhile)
            due_on=due if data.get("due") else agreement.due_on,
            now=ctx.runtime.clock.now(),
            zone=ctx.settings.timezone,
        )
    except rules.AgreementError as error:
        ctx.show(ctx._(str(error)))
        return
    if not changed:  # both steps skipped, or the terms it had chosen again
        ctx.show(ctx._("No changes: the agreement stays as it was."))
        await show_list(ctx, meeting, edit=False)
        return
    done = ctx._("✅ Agreement changed; the responsible will be reminded before the due date.")
    quarter = rules.closed_quarter(agreement, ctx.today)
    if quarter is not None:
        done += "\n" + ctx._(
            "Its due date's quarter ({period}) has ended: that quarter's reports keep counting "
            "the agreement as it stood at the quarter's end."
        ).format(period=quarter.label(ctx.t))
    ctx.show(done)
    await show_list(ctx, meeting, edit=False)


EDIT = GuidedForm(
    flow=FORM,
    prefix="ae",
    heading=N_("<b>Change the agreement</b>\n/cancelar stops at any time."),
    steps=(
        replace(RESPONSIBLE, optional=True, hint=_current_who),
        replace(DUE, optional=True, hint=_current_due),
    ),
    summary=_summary,
    confirm_label=N_("📌 Save the changes"),
    on_confirm=_confirm,
    cancelled=N_("Cancelled. The agreement was not changed."),
)

FEATURE = Feature(
    buttons=(Buttons("ae", on_button, Role.COORDINATOR),),
    forms={FORM: EDIT.on_text},
    forms_role=Role.COORDINATOR,
)
