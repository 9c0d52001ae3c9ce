"""Choosing whom a meeting invites or a broadcast reaches, in two taps."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Subquery, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_, Translator
from bot.services import coverage
from bot.services.meetings import Audience, audience_query
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
    if await _covered_code(ctx.session, ctx.coverage, await _kind(ctx), code):
        return None
    return ctx._("I found nothing with the code «{code}».").format(code=esc(code))


async def _covered_code(
    session: AsyncSession, covered: coverage.Coverage, kind: str, code: str
) -> bool:
    table = Workshop if kind == "workshop" else Meeting
    found = await session.scalar(select(table.id).where(same_code(table.code, code)))
    if found is None:
        return False
    if kind == "workshop":
        workshop = await workshop_repo.get(session, found)
        return workshop is not None and coverage.may_see_workshop(covered, workshop)
    meeting = await meeting_repo.get(session, found)
    return meeting is not None and await coverage.may_see_meeting(session, covered, meeting)


async def covers(session: AsyncSession, covered: coverage.Coverage, data: dict[str, Any]) -> bool:
    """Whether `covered` may write to the audience of these `audience*` answers: one of its
    regions, or the participants of a workshop or meeting it covers. Asked when a form is
    confirmed and again when a scheduled broadcast goes out (handlers/broadcast_authority.py)."""
    choice = data["audience"]
    if choice in PARTICIPANTS:
        return await _covered_code(
            session, covered, choice, normalize_code(str(data["audience_code"]))
        )
    return coverage.may_address(covered, audience_of(data))


async def allowed(ctx: Ctx, data: dict[str, Any]) -> bool:
    """Checked again when the form is confirmed: a regional coordinator addresses only the
    regions they cover (refusals are audited)."""
    choice = data["audience"]
    ok = await covers(ctx.session, ctx.coverage, data)
    if not ok:
        await coverage.refused(
            ctx.session,
            telegram_id=ctx.user.id,
            action="audience",
            target=f"audience:{choice}",
            now=ctx.now,
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


async def count(ctx: Ctx, data: dict[str, Any]) -> int:
    """How many people the choice reaches (registered and reachable)."""
    return await count_in(ctx.session, data)


async def batch_end(
    session: AsyncSession, data: dict[str, Any], after: int, size: int
) -> int | None:
    """The id that ends a batch of `size` of the people the choice reaches (`ids_in`), the
    first of them after the id `after`; None when fewer than `size` remain."""
    ids = _ids(data)
    if ids is None:
        return None
    query = select(ids.c.id).where(ids.c.id > after).order_by(ids.c.id).offset(size - 1)
    return await session.scalar(query.limit(1))


def ids_in(data: dict[str, Any], after: int, last: int | None) -> Select[tuple[int]]:
    """Ids of the people the choice reaches (registered and reachable) after the id `after`
    up to `last` (None: to the end), from its `audience*` answers alone (a broadcast stores
    them): a query, for the database to use where it is (a broadcast's copies)."""
    ids = _ids(data)
    if ids is None:
        return select(Person.id).where(false())
    query = select(ids.c.id).where(ids.c.id > after)
    return query if last is None else query.where(ids.c.id <= last)


async def count_in(session: AsyncSession, data: dict[str, Any]) -> int:
    """How many people the choice reaches, counted by the database (not 10,000 ids loaded)."""
    ids = _ids(data)
    return 0 if ids is None else await session.scalar(select(func.count()).select_from(ids)) or 0


def _ids(data: dict[str, Any]) -> Subquery | None:
    """The ids of the people the choice reaches, each once (None: nobody)."""
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
        return select(Person.id).where(Person.id.in_(reachable)).subquery()
    query = audience_query(audience_of(data))
    return None if query is None else query.subquery()


async def invited_line(ctx: Ctx, data: dict[str, Any]) -> tuple[str, str]:
    """The summary line of a form that invites (meetings, study visits): whom, and how many."""
    return ctx._("Invited"), f"{await describe(ctx, data)} ({await count(ctx, data)})"


async def describe(ctx: Ctx, data: dict[str, Any]) -> str:
    return await described(ctx.session, ctx.t, data)


async def described(session: AsyncSession, t: Translator, data: dict[str, Any]) -> str:
    """The audience in words, in `t`'s language (also for a notice the outbox renders)."""
    label = t.gettext({**AUDIENCES, **PARTICIPANTS}[data["audience"]])
    if data["audience"] == "region":
        region = await get_region(session, data["audience_region"])
        label += f": {region.name if region else '—'}"
    elif data["audience"] in PARTICIPANTS:
        label += f": {normalize_code(str(data['audience_code']))}"
    return label
