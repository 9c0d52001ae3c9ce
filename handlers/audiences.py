"""Choosing whom a meeting invites or a broadcast reaches, in two taps."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.services import coverage
from bot.services.meetings import Audience
from bot.services.roles import Role
from bot.services.workshops import normalize_code
from handlers.base import Ctx, esc
from handlers.guided import Step
from storage.codes import same_code
from storage.models import Meeting, MeetingInvitation, Person, Workshop, WorkshopAttendance
from storage.repositories import meetings as meeting_repo
from storage.repositories import workshops as workshop_repo
from storage.repositories.regions import get_region

AUDIENCES: dict[str, str] = {
    "everyone": N_("Everyone registered"),
    "region": N_("One region"),
    "gr": N_("Regional governments (DREM/GREM)"),
    "minem": N_("MINEM"),
    "regional_team": N_("Regional support teams"),
    "coordinators": N_("Coordinators"),
}
PARTICIPANTS: dict[str, str] = {
    "workshop": N_("Participants of a workshop"),
    "meeting": N_("Participants of a meeting"),
}


def steps(*, participants: bool) -> tuple[Step, ...]:
    """The audience question, then the region or the workshop/meeting code when needed."""
    choices = {**AUDIENCES, **(PARTICIPANTS if participants else {})}
    result = [
        Step("audience", N_("Whom is it for?"), kind="choice", choices=choices),
        Step(
            "audience_region",
            N_("Which <b>region</b>?"),
            kind="region",
            asked_if=lambda data: data.get("audience") == "region",
            covered_only=True,
        ),
    ]
    if participants:
        result.append(
            Step(
                "audience_code",
                N_("Write the workshop's or meeting's <b>code</b>."),
                limit=12,
                asked_if=lambda data: data.get("audience") in PARTICIPANTS,
                check=_known_code,
            )
        )
    return tuple(result)


async def _known_code(ctx: Ctx, value: str) -> str | None:
    """A code of a workshop or meeting the person covers (others are as unknown)."""
    code = normalize_code(value)
    if await _covered_code(ctx, await _kind(ctx), code):
        return None
    return ctx._("I found nothing with the code «{code}».").format(code=esc(code))


async def _covered_code(ctx: Ctx, kind: str, code: str) -> bool:
    table = Workshop if kind == "workshop" else Meeting
    found = await ctx.session.scalar(select(table.id).where(same_code(table.code, code)))
    if found is None:
        return False
    if kind == "workshop":
        workshop = await workshop_repo.get(ctx.session, found)
        return workshop is not None and coverage.may_see_workshop(ctx.coverage, workshop)
    meeting = await meeting_repo.get(ctx.session, found)
    return meeting is not None and await coverage.may_see_meeting(
        ctx.session, ctx.coverage, meeting
    )


async def allowed(ctx: Ctx, data: dict[str, Any]) -> bool:
    """Checked again when the form is confirmed: a regional coordinator addresses only the
    regions they cover (refusals are audited)."""
    choice = data["audience"]
    if choice in PARTICIPANTS:
        ok = await _covered_code(ctx, choice, normalize_code(str(data["audience_code"])))
    else:
        ok = coverage.may_address(ctx.coverage, audience_of(data))
    if not ok:
        await coverage.refused(
            ctx.session, telegram_id=ctx.user.id, action="audience", target=f"audience:{choice}"
        )
        ctx.show(
            ctx._(
                "You can only invite or write to the people of the regions you coordinate: "
                "choose «One region» and one of yours. Nothing was created or sent."
            )
        )
    return ok


async def _kind(ctx: Ctx) -> str:
    from storage.repositories.conversations import get_state

    state = await get_state(ctx.session, ctx.user.id)
    return str(state.data.get("audience")) if state else ""


def audience_of(data: dict[str, Any]) -> Audience:
    choice = data["audience"]
    if choice == "everyone":
        return Audience(everyone=True)
    if choice == "region":
        return Audience(regions={data["audience_region"]})
    if choice == "coordinators":
        return Audience(roles={Role.COORDINATOR.value, Role.ADMIN.value})
    return Audience(institutions={choice})


async def people(ctx: Ctx, data: dict[str, Any]) -> list[int]:
    """Person ids of everyone the choice reaches (registered and reachable)."""
    return await people_in(ctx.session, data)


async def people_in(session: AsyncSession, data: dict[str, Any]) -> list[int]:
    """`people`, from the choice's `audience*` answers alone (a broadcast stores them)."""
    choice = data["audience"]
    if choice in PARTICIPANTS:
        code = normalize_code(str(data["audience_code"]))
        if choice == "workshop":
            query = (
                select(WorkshopAttendance.person_id)
                .join(Workshop, Workshop.id == WorkshopAttendance.workshop_id)
                .where(same_code(Workshop.code, code))
            )
        else:
            query = (
                select(MeetingInvitation.person_id)
                .join(Meeting, Meeting.id == MeetingInvitation.meeting_id)
                .where(same_code(Meeting.code, code), MeetingInvitation.attended_at.is_not(None))
            )
        reachable = query.join(Person, Person.id == query.selected_columns[0]).where(
            Person.telegram_id.is_not(None), Person.active.is_(True)
        )
        return sorted(set(await session.scalars(reachable)))
    audience = audience_of(data)
    return await meeting_repo.audience(
        session,
        everyone=audience.everyone,
        regions=audience.regions,
        institutions=audience.institutions,
        roles=audience.roles,
        telegram_ids=audience.telegram_ids,
    )


async def invited_line(ctx: Ctx, data: dict[str, Any]) -> tuple[str, str]:
    """The summary line of a form that invites (meetings, study visits): whom, and how many."""
    people = await people_in(ctx.session, data)
    return ctx._("Invited"), f"{await describe(ctx, data)} ({len(people)})"


async def describe(ctx: Ctx, data: dict[str, Any]) -> str:
    label = ctx._({**AUDIENCES, **PARTICIPANTS}[data["audience"]])
    if data["audience"] == "region":
        region = await get_region(ctx.session, data["audience_region"])
        label += f": {region.name if region else '—'}"
    elif data["audience"] in PARTICIPANTS:
        label += f": {normalize_code(str(data['audience_code']))}"
    return label
