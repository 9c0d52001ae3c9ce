"""Study visit forms for coordinators: /nueva_visita (create and invite, the audience chosen
as for /nueva_reunion) and the change of dates or destination offered in /visita CODE
(invitees are told, reminders and the questionnaire move). Both are guided forms
(handlers.guided): a bad answer is explained and asked again, nothing typed is lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.i18n import N_
from bot.services import coverage
from bot.services import meetings as meeting_rules
from bot.services import visits as rules
from bot.services.roles import Role
from handlers import audiences
from handlers.base import Ctx, esc
from handlers.guided import GuidedForm, Step
from handlers.refusals import refuse_scope
from handlers.registry import Buttons, Command, Feature
from storage.repositories import visits as repo

NEW_VISIT_FORM = "new_visit"


async def _in_future(ctx: Ctx, value: str) -> str | None:
    if datetime.fromisoformat(value) <= ctx.runtime.clock.now():
        return ctx._("The departure must be in the future.")
    return None


DATES = (
    Step(
        "start",
        N_(
            "When does the delegation <b>leave</b>? Lima time, for example "
            "<code>07/03 08:00</code>."
        ),
        kind="start",
        check=_in_future,
    ),
    Step(
        "end",
        N_(
            "When does it <b>return</b>? Lima time, for example <code>15/03 20:00</code>, "
            "or the number of days (<code>8d</code>)."
        ),
        kind="end",
        invalid=N_(
            "The return must be a valid date after the departure (for example "
            "<code>15/03 20:00</code>, or the number of days: <code>8d</code>)."
        ),
    ),
)


def _dates(ctx: Ctx, data: dict[str, Any]) -> list[tuple[str, Any]]:
    _ = ctx._
    return [
        (_("Departure"), ctx.t.datetime(datetime.fromisoformat(data["start"]))),
        (_("Return"), ctx.t.datetime(datetime.fromisoformat(data["end"]))),
    ]


async def _dates_again(ctx: Ctx, form: GuidedForm, data: dict[str, Any]) -> bool:
    """When the dates no longer hold at confirmation (the departure passed meanwhile): say
    why and ask the departure again, keeping every other answer."""
    start, end = datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"])
    problem = rules.schedule_problem(start, end, ctx.runtime.clock.now())
    return await form.ask_again(ctx, data, problem, "start")


async def _new_summary(ctx: Ctx, data: dict[str, Any]) -> list[tuple[str, Any]]:
    _ = ctx._
    return [
        (_("Title"), data["title"]),
        (_("Destination"), data["destination"]),
        *_dates(ctx, data),
        (_("Instructions"), data.get("instructions")),
        await audiences.invited_line(ctx, data),
    ]


async def _create(ctx: Ctx, data: dict[str, Any]) -> None:
    if not await audiences.allowed(ctx, data):
        return
    if await _dates_again(ctx, NEW_VISIT, data):
        return
    visit, invited = await rules.create(
        ctx.session,
        title=data["title"],
        destination=data["destination"],
        instructions=data.get("instructions"),
        starts_at=datetime.fromisoformat(data["start"]),
        ends_at=datetime.fromisoformat(data["end"]),
        audience=audiences.audience_of(data),
        offsets=meeting_rules.parse_offsets(rules.DEFAULT_OFFSETS),
        now=ctx.runtime.clock.now(),
        words=rules.leader_words(ctx.runtime.settings.leader_position_words),
        created_by=ctx.person.id if ctx.person else None,
    )
    ctx.show(
        ctx.t.ngettext(
            "✅ Study visit created: «{title}» (code <b>{code}</b>). {count} person is being "
            "invited; whoever accepts is reminded 14, 3 and 1 days before departure. See the "
            "answers with /visita {code}.",
            "✅ Study visit created: «{title}» (code <b>{code}</b>). {count} people are being "
            "invited; whoever accepts is reminded 14, 3 and 1 days before departure. See the "
            "answers with /visita {code}.",
            invited,
        ).format(title=esc(visit.title), code=visit.code, count=ctx.t.number(invited))
    )


NEW_VISIT = GuidedForm(
    flow=NEW_VISIT_FORM,
    prefix="nv",
    heading=N_("<b>New study visit</b>\nAnswer each question; /cancelar stops at any time."),
    steps=(
        Step("title", N_("What is the visit's <b>title</b>?")),
        Step("destination", N_("What is the <b>destination</b>? For example «Toronto, Canadá».")),
        *DATES,
        Step(
            "instructions",
            N_(
                "<b>Instructions</b> for the delegation: schedule, documents to bring… They go "
                "with the invitation and the reminders. (optional)"
            ),
            optional=True,
            limit=rules.INSTRUCTIONS_MAX,
        ),
        *audiences.steps(participants=False),
    ),
    summary=_new_summary,
    confirm_label=N_("✅ Create and invite"),
    on_confirm=_create,
    cancelled=N_("Cancelled. No visit was created."),
)


async def _edit_summary(ctx: Ctx, data: dict[str, Any]) -> list[tuple[str, Any]]:
    _ = ctx._
    visit = await repo.get(ctx.session, int(data["visit"]))
    destination = data.get("destination") or (visit.destination if visit else "—")
    instructions = data.get("instructions") or (visit.instructions if visit else None)
    return [
        (_("Title"), visit.title if visit else "—"),
        (_("Destination"), destination),
        *_dates(ctx, data),
        (_("Instructions"), instructions),
    ]


async def _apply_edit(ctx: Ctx, data: dict[str, Any]) -> None:
    _ = ctx._
    visit = await repo.get(ctx.session, int(data["visit"]))
    if visit is None:
        ctx.show(_("That visit no longer exists."))
        return
    if not await coverage.may_see_visit(ctx.session, ctx.coverage, visit):
        await refuse_scope(ctx, f"visit:{visit.id}")
        return
    now = ctx.runtime.clock.now()
    closed = rules.closed(visit, now)
    if closed is not None:
        ctx.show(_(closed))
        return
    if await _dates_again(ctx, EDIT_VISIT, data):
        return
    updated, told = await rules.change(
        ctx.session,
        visit,
        now,
        actor=ctx.user.id,
        destination=data.get("destination") or visit.destination,
        instructions=data.get("instructions") or visit.instructions,
        starts_at=datetime.fromisoformat(data["start"]),
        ends_at=datetime.fromisoformat(data["end"]),
    )
    ctx.show(
        ctx.t.ngettext(
            "✅ «{title}» changed; {count} invitee is being told, and the reminders and the "
            "questionnaire moved to the new dates.",
            "✅ «{title}» changed; {count} invitees are being told, and the reminders and the "
            "questionnaire moved to the new dates.",
            told,
        ).format(title=esc(updated.title), count=ctx.t.number(told))
    )


EDIT_VISIT = GuidedForm(
    flow="edit_visit",
    prefix="ev",
    heading=N_(
        "<b>Change the study visit</b>\nGive the destination, the new dates and the "
        "instructions; every invitee is told."
    ),
    steps=(
        Step(
            "destination",
            N_("New <b>destination</b>? Press «Skip» to keep the current one."),
            optional=True,
        ),
        *DATES,
        Step(
            "instructions",
            N_(
                "New <b>instructions</b> (schedule, documents)? Press «Skip» to keep the "
                "current ones."
            ),
            optional=True,
            limit=rules.INSTRUCTIONS_MAX,
        ),
    ),
    summary=_edit_summary,
    confirm_label=N_("✅ Save and tell invitees"),
    on_confirm=_apply_edit,
    cancelled=N_("Cancelled. The visit was not changed."),
)


async def new_visit_command(ctx: Ctx) -> None:
    await NEW_VISIT.begin(ctx)


FEATURE = Feature(
    commands=(
        Command(
            "nueva_visita",
            new_visit_command,
            N_("Create a study visit and invite"),
            Role.COORDINATOR,
        ),
    ),
    buttons=(
        Buttons("nv", NEW_VISIT.on_button, Role.COORDINATOR),
        Buttons("ev", EDIT_VISIT.on_button, Role.COORDINATOR),
    ),
    forms={NEW_VISIT_FORM: NEW_VISIT.on_text, EDIT_VISIT.flow: EDIT_VISIT.on_text},
    forms_role=Role.COORDINATOR,
)
