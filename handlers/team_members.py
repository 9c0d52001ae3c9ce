"""Who belongs to each Equipo Regional, set by coordinators in the chat: /equipo lists the
members of the regions they cover, /equipo ID|@usuario Región appoints, /quitar_equipo
ID|@usuario removes. A coordinator acts only within the coverage an administrator granted
them (never the region of their own /perfil); refusals and changes are audited.
"""

from __future__ import annotations

from bot.i18n import N_, translator
from bot.services import coverage, staff
from bot.services import team_reports as rules
from bot.services.regions import match_region
from bot.services.roles import Role
from handlers.base import Ctx, esc
from handlers.refusals import refuse_scope
from handlers.registry import Command, Feature
from storage.repositories import audit, people, regions
from storage.repositories.people import PersonRecord

_ADDED = N_(
    "A coordinator added you to the Equipo Regional of {region}. Each month, send the team's "
    "report with /informe_mensual (you will be reminded on the 25th)."
)
_REMOVED = N_("A coordinator removed you from the Equipo Regional of {region}.")


def _who(person: PersonRecord) -> str:
    return esc(person.full_name or person.telegram_name or str(person.telegram_id))


async def _names(ctx: Ctx) -> dict[str, str]:
    return {region.code: region.name for region in await regions.list_regions(ctx.session)}


async def _person(ctx: Ctx, typed: str) -> PersonRecord | None:
    """The registered person named by id or @username; otherwise says why and gives None."""
    target = await staff.resolve_target(ctx.session, typed)
    person = await people.get(ctx.session, target) if target is not None else None
    if person is None or not person.is_registered:
        ctx.reply(
            ctx._(
                "«{who}» has not registered in Minka yet: ask them to write /start and finish "
                "their registration, then repeat the order."
            ).format(who=esc(typed[:64]))
        )
        return None
    return person


async def _official_of_mine(ctx: Ctx, typed: str, region: str) -> PersonRecord | None:
    """For a regional coordinator: the registered person named, if their own region is one
    the coordinator was granted. Anyone else (another region's official, an id that never
    registered) gets one same answer that names nobody, and the refusal is audited: typed
    ids one after another would otherwise give names, or tell who uses Minka, and a team
    role to people the coordinator does not coordinate. (Their region is theirs to state,
    not a grant: it only lets the coordinators of that region find them, as /preguntas does.)
    """
    target = await staff.resolve_target(ctx.session, typed)
    person = await people.get(ctx.session, target) if target is not None else None
    if person is not None and person.is_registered and ctx.coverage.covers(person.region_code):
        return person
    await audit.append(
        ctx.session,
        actor_telegram_id=ctx.user.id,
        action="grant_team",
        outcome="denied",
        target=str(person.telegram_id) if person is not None else typed[:64],
        detail=f"region={region}",
        at=ctx.now,
    )
    ctx.reply(
        ctx._(
            "«{who}» is not among the people registered in Minka in the regions you "
            "coordinate: you can add to an Equipo Regional only people registered in the regions "
            "you coordinate. An administrator or a national coordinator can add anyone else."
        ).format(who=esc(typed[:64]))
    )
    return None


async def team_command(ctx: Ctx) -> None:
    """/equipo [ID|@usuario Región]"""
    if len(ctx.args) < 2:
        await _listing(ctx)
        return
    typed = " ".join(ctx.args[1:])
    known = [r for r in await regions.list_regions(ctx.session) if r.code != coverage.CENTRAL]
    match = match_region(typed, known, unambiguous=True)
    region = match.region
    if region is None:
        text = ctx._("I don't know the region «{region}».").format(region=esc(typed[:64]))
        if match.candidates:
            text += " " + ctx._("Did you mean: {names}?").format(
                names=esc(", ".join(r.name for r in match.candidates))
            )
        ctx.reply(text)
        return
    if not ctx.coverage.covers(region.code):
        await refuse_scope(ctx, f"team:{region.code}")
        return
    if ctx.coverage.national:
        person = await _person(ctx, ctx.args[0])
    else:
        person = await _official_of_mine(ctx, ctx.args[0], region.code)
    if person is None:
        return
    current = await rules.region_of(ctx.session, person.id)
    if not rules.may_change(ctx.coverage.covers, current, region.code):
        await refuse_scope(ctx, f"team:{current}")
        return
    await rules.appoint(
        ctx.session,
        person.id,
        region.code,
        ctx.runtime.clock.now(),
        admin_ids=ctx.settings.bot_admin_ids,
    )
    await audit.append(
        ctx.session,
        actor_telegram_id=ctx.user.id,
        action="grant_team",
        outcome="done",
        target=str(person.telegram_id),
        detail=f"region={region.code}",
        at=ctx.now,
    )
    ctx.reply(
        ctx._("Done: {who} is part of the Equipo Regional of {region}.").format(
            who=_who(person), region=esc(region.name)
        )
    )
    ctx.tell(person.telegram_id, _notice(ctx, person, _ADDED, region.name), "team")


async def remove_command(ctx: Ctx) -> None:
    """/quitar_equipo ID|@usuario"""
    if len(ctx.args) != 1:
        ctx.reply(ctx._("Usage: /quitar_equipo &lt;Telegram id or @username&gt;"))
        return
    person = await _person(ctx, ctx.args[0])
    if person is None:
        return
    current = await rules.region_of(ctx.session, person.id)
    if current is None:
        # Named only within the coordinator's regions (the person's): typed ids one after
        # another would otherwise list the names of other regions' officials.
        covered = ctx.coverage.covers(person.region_code)
        who = _who(person) if covered else esc(ctx.args[0][:64])
        ctx.reply(ctx._("{who} is not part of an Equipo Regional.").format(who=who))
        return
    if not rules.may_change(ctx.coverage.covers, current, None):
        await refuse_scope(ctx, f"team:{current}")
        return
    await rules.dismiss(ctx.session, person.id, ctx.now, admin_ids=ctx.settings.bot_admin_ids)
    await audit.append(
        ctx.session,
        actor_telegram_id=ctx.user.id,
        action="revoke_team",
        outcome="done",
        target=str(person.telegram_id),
        detail=f"region={current}",
        at=ctx.now,
    )
    ctx.reply(
        ctx._("Done: {who} is no longer part of an Equipo Regional.").format(who=_who(person))
    )
    name = (await _names(ctx)).get(current, current)
    ctx.tell(person.telegram_id, _notice(ctx, person, _REMOVED, name), "team")


async def _listing(ctx: Ctx) -> None:
    _ = ctx._
    names = await _names(ctx)
    members = await rules.members(ctx.session, ctx.coverage.regions)
    lines = [_("<b>Equipos Regionales</b> of your regions")]
    for member in members:
        region = names.get(member.region_code, member.region_code)
        lines.append(f"• {esc(member.name or '—')} — {esc(region)}")
    if not members:
        lines.append(_("Nobody yet."))
    lines.append(
        "\n"
        + _(
            "Add someone with <code>/equipo ID Región</code> (or <code>@usuario</code> instead "
            "of the id); remove them with <code>/quitar_equipo ID</code>."
        )
    )
    ctx.reply("\n".join(lines))


def _notice(ctx: Ctx, person: PersonRecord, message: str, region: str) -> str:
    """What the member reads (HTML), in their language."""
    return (
        translator(person.locale, ctx.settings.timezone).gettext(message).format(region=esc(region))
    )


FEATURE = Feature(
    commands=(
        Command(
            "equipo",
            team_command,
            N_("Equipo Regional: see or add its members"),
            Role.COORDINATOR,
        ),
        Command(
            "quitar_equipo",
            remove_command,
            N_("Remove someone from an Equipo Regional"),
            Role.COORDINATOR,
        ),
    ),
)
