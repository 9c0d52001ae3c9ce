"""Meeting forms for coordinators: /nueva_reunion (create and invite) and the change of
time or place offered in /reunion CODE before the meeting starts (invitees are told,
reminders move)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.i18n import N_
from bot.services import coverage
from bot.services import meetings as rules
from bot.services.meetings import AGENDA_MAX, KINDS
from bot.services.roles import Role
from handlers import audiences
from handlers.base import Ctx, esc
from handlers.guided import GuidedForm, Step, to_come
from handlers.refusals import refuse_scope
from handlers.registry import Buttons, Command, Feature
from storage.repositories import meetings as repo

WHEN_AND_WHERE = (
    Step(
        "start",
        N_("When does it <b>start</b>? Lima time, for example <code>15/01 09:00</code>."),
        kind="start",
        check=to_come,
    ),
    Step(
        "end",
        N_("When does it <b>end</b>? A time (<code>13:00</code>) or a duration (<code>3h</code>)."),
        kind="end",
    ),
    Step("place", N_("<b>Place</b>? (optional)"), optional=True, limit=300),
    Step("link", N_("<b>Video link</b>? (optional)"), kind="url", optional=True),
)


NEW_MEETING_FORM = "new_meeting"


async def _meeting_summary(ctx: Ctx, data: dict[str, Any]) -> list[tuple[str, Any]]:
    _ = ctx._
    return [
        (_("Title"), data["title"]),
        (_("Kind"), _(KINDS[data["kind"]])),
        (_("Starts"), ctx.t.datetime(datetime.fromisoformat(data["start"]))),
        (_("Ends"), ctx.t.datetime(datetime.fromisoformat(data["end"]))),
        (_("Place"), data.get("place")),
        (_("Link"), data.get("link")),
        (_("Agenda"), data.get("agenda")),
        await audiences.invited_line(ctx, data),
    ]


async def _time_again(ctx: Ctx, form: GuidedForm, data: dict[str, Any]) -> bool:
    """When the time no longer holds at confirmation (the start passed meanwhile: created or
    moved then, the meeting would enter a period perhaps already read): say why and ask the
    start again, keeping every other answer."""
    start, end = datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"])
    problem = rules.schedule_problem(start, end, ctx.runtime.clock.now())
    return await form.ask_again(ctx, data, problem, "start")


async def _create_meeting(ctx: Ctx, data: dict[str, Any]) -> None:
    _ = ctx._
    if not await audiences.allowed(ctx, data):
        return
    if await _time_again(ctx, NEW_MEETING, data):
        return
    meeting, invited = await rules.create(
        ctx.session,
        title=data["title"],
        kind=data["kind"],
        starts_at=datetime.fromisoformat(data["start"]),
        ends_at=datetime.fromisoformat(data["end"]),
        audience=audiences.audience_of(data),
        offsets=rules.parse_offsets(rules.DEFAULT_OFFSETS),
        now=ctx.runtime.clock.now(),
        place=data.get("place"),
        link=data.get("link"),
        agenda=data.get("agenda"),
        created_by=ctx.person.id if ctx.person else None,
    )
    ctx.show(
        ctx.t.ngettext(
            "✅ Meeting created: «{title}» (code <b>{code}</b>). {count} person is being "
            "invited; reminders go 7 days, 1 day and 2 hours before.",
            "✅ Meeting created: «{title}» (code <b>{code}</b>). {count} people are being "
            "invited; reminders go 7 days, 1 day and 2 hours before.",
            invited,
        ).format(title=esc(meeting.title), code=meeting.code, count=ctx.t.number(invited))
    )


NEW_MEETING = GuidedForm(
    flow=NEW_MEETING_FORM,
    prefix="nm",
    heading=N_("<b>New meeting</b>\nAnswer each question; /cancelar stops at any time."),
    steps=(
        Step("title", N_("What is the meeting's <b>title</b>?")),
        Step("kind", N_("What <b>kind</b> of meeting is it?"), kind="choice", choices=KINDS),
        *WHEN_AND_WHERE,
        Step("agenda", N_("<b>Agenda</b>? (optional)"), optional=True, limit=AGENDA_MAX),
        *audiences.steps(participants=False),
    ),
    summary=_meeting_summary,
    confirm_label=N_("✅ Create and invite"),
    on_confirm=_create_meeting,
    cancelled=N_("Cancelled. No meeting was created."),
)


async def _edit_summary(ctx: Ctx, data: dict[str, Any]) -> list[tuple[str, Any]]:
    _ = ctx._
    meeting = await repo.get(ctx.session, int(data["meeting"]))
    return [
        (_("Title"), meeting.title if meeting else "—"),
        (_("Starts"), ctx.t.datetime(datetime.fromisoformat(data["start"]))),
        (_("Ends"), ctx.t.datetime(datetime.fromisoformat(data["end"]))),
        (_("Place"), data.get("place")),
        (_("Link"), data.get("link")),
    ]


async def _apply_edit(ctx: Ctx, data: dict[str, Any]) -> None:
    _ = ctx._
    meeting = await repo.get(ctx.session, int(data["meeting"]))
    if meeting is None:
        ctx.show(_("This meeting was cancelled."))
        return
    if not await coverage.may_see_meeting(ctx.session, ctx.coverage, meeting):
        await refuse_scope(ctx, f"meeting:{meeting.id}")
        return
    closed = rules.closed(meeting, ctx.runtime.clock.now())  # started or cancelled meanwhile
    if closed is not None:
        ctx.show(_(closed))
        return
    if await _time_again(ctx, EDIT_MEETING, data):
        return
    updated = await rules.reschedule(
        ctx.session,
        meeting,
        ctx.runtime.clock.now(),
        starts_at=datetime.fromisoformat(data["start"]),
        ends_at=datetime.fromisoformat(data["end"]),
        place=data.get("place"),
        link=data.get("link"),
    )
    ctx.show(
        _("✅ «{title}» changed; every invitee is being told and reminders moved.").format(
            title=esc(updated.title)
        )
    )


EDIT_MEETING = GuidedForm(
    flow="edit_meeting",
    prefix="em",
    heading=N_("<b>Change the meeting</b>\nGive the new time and place; invitees are told."),
    steps=(*WHEN_AND_WHERE,),
    summary=_edit_summary,
    confirm_label=N_("✅ Save and tell invitees"),
    on_confirm=_apply_edit,
    cancelled=N_("Cancelled. The meeting was not changed."),
)


async def new_meeting_command(ctx: Ctx) -> None:
    await NEW_MEETING.begin(ctx)


FEATURE = Feature(
    commands=(
        Command(
            "nueva_reunion",
            new_meeting_command,
            N_("Create a meeting and invite"),
            Role.COORDINATOR,
        ),
    ),
    buttons=(
        Buttons("nm", NEW_MEETING.on_button, Role.COORDINATOR),
        Buttons("em", EDIT_MEETING.on_button, Role.COORDINATOR),
    ),
    forms={NEW_MEETING_FORM: NEW_MEETING.on_text, EDIT_MEETING.flow: EDIT_MEETING.on_text},
    forms_role=Role.COORDINATOR,
)
