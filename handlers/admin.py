"""Staff commands: naming coordinators (with the regions they cover) and specialists, taking
roles away, reading the audit log, registration counts."""

from __future__ import annotations

from bot.i18n import N_, translator
from bot.services import coverage, registered, staff
from bot.services.export_labels import OUTCOMES, Labels
from bot.services.profile import SEXES
from bot.services.roles import ROLE_LABELS, Role
from bot.services.spreadsheet import MISSING
from handlers import command_menu
from handlers.base import Ctx, esc
from handlers.registry import Command, Feature
from storage.repositories import audit, people, regions


async def coordinator_command(ctx: Ctx) -> None:
    """/coordinador <id or @username> <regions separated by commas | nacional>"""
    _ = ctx._
    if len(ctx.args) < 2:
        ctx.reply(
            _(
                "Usage: /coordinador &lt;Telegram id or @username&gt; &lt;regions&gt;, for "
                "example <code>/coordinador @usuario Puno</code>, <code>/coordinador 222222222 "
                "Puno, Cusco</code> or <code>/coordinador @usuario nacional</code> (every "
                "region)."
            )
        )
        return
    try:
        scope = await coverage.read_grant(ctx.session, " ".join(ctx.args[1:]))
    except coverage.CoverageError as error:
        ctx.reply(esc(_(error.message).format(**error.params)))
        return
    await _grant(ctx, Role.COORDINATOR, scope)


async def specialist_command(ctx: Ctx) -> None:
    if len(ctx.args) != 1:
        ctx.reply(ctx._("Usage: /especialista &lt;Telegram id or @username&gt;"))
        return
    await _grant(ctx, Role.SPECIALIST, None)


async def _target(ctx: Ctx) -> int | None:
    target = await staff.resolve_target(ctx.session, ctx.args[0])
    if target is None:
        ctx.reply(
            ctx._(
                "I don't know «{who}». Ask the person to write /start to Minka, or use their "
                "numeric Telegram id."
            ).format(who=esc(ctx.args[0][:64]))
        )
    return target


async def _grant(ctx: Ctx, role: Role, scope: str | None) -> None:
    _ = ctx._
    target = await _target(ctx)
    if target is None:
        return
    grant = await staff.grant_role(
        ctx.session,
        target,
        role,
        granted_by=ctx.user.id,
        admin_ids=ctx.settings.bot_admin_ids,
        now=ctx.now,
        coverage=scope,
    )
    who = esc(grant.name or str(target))
    if grant.configured:
        ctx.reply(_(staff.CONFIGURED_GRANT).format(who=who))
        return
    role_name = _(ROLE_LABELS[role]).lower()
    if role is Role.COORDINATOR:
        names = await coverage.stored_names(ctx.session, scope)
        role_name += " (" + esc(", ".join(names) if names is not None else _("national")) + ")"
    if grant.applied_now:
        person = await people.get(ctx.session, target)
        language = person.locale if person else ctx.settings.bot_locale
        ctx.reply(_("Done: {who} now has the role {role}.").format(who=who, role=role_name))
        # The notice wakes the outbox, which first sets the menu owed with the role.
        ctx.tell(target, _notice(ctx, role, language, given=True), "role")
    else:
        ctx.reply(
            _(
                "Done: {who} will have the role {role} as soon as they start using Minka and "
                "accept the privacy notice."
            ).format(who=who, role=role_name)
        )


_GIVEN = N_("An administrator gave you the role {role}. Write /ayuda to see your commands.")
_TAKEN = N_("An administrator took away your role {role}. Write /ayuda to see your commands.")


async def remove_role_command(ctx: Ctx) -> None:
    """/quitar_rol <id or @username>: back to official, or a waiting grant cancelled."""
    _ = ctx._
    if len(ctx.args) != 1:
        ctx.reply(_("Usage: /quitar_rol &lt;Telegram id or @username&gt;"))
        return
    target = await _target(ctx)
    if target is None:
        return
    done = await staff.revoke_role(
        ctx.session,
        target,
        revoked_by=ctx.user.id,
        admin_ids=ctx.settings.bot_admin_ids,
        now=ctx.now,
    )
    who = esc(done.name or str(target))
    if done.outcome is staff.Revoked.CONFIGURED:
        ctx.reply(
            _("{who} is an administrator through BOT_ADMIN_IDS; change it there.").format(who=who)
        )
    elif done.outcome is staff.Revoked.NOTHING:
        ctx.reply(_("{who} has no role to take away.").format(who=who))
    elif done.outcome is staff.Revoked.GRANT:
        ctx.reply(
            _("Done: the role {role} waiting for {who} was cancelled.").format(
                who=who, role=_(ROLE_LABELS[done.role or Role.OFFICIAL]).lower()
            )
        )
    else:
        role = done.role or Role.OFFICIAL
        person = await people.get(ctx.session, target)
        language = person.locale if person else ctx.settings.bot_locale
        ctx.reply(
            _("Done: {who} no longer has the role {role}.").format(
                who=who, role=_(ROLE_LABELS[role]).lower()
            )
        )
        # The notice wakes the outbox, which first sets the menu owed with the role.
        ctx.tell(target, _notice(ctx, role, language, given=False), "role")


def _notice(ctx: Ctx, role: Role, language: str, *, given: bool) -> str:
    t = translator(language, ctx.settings.timezone)
    text = t.gettext(_GIVEN if given else _TAKEN)
    return text.format(role=esc(t.gettext(ROLE_LABELS[role]).lower()))


async def audit_command(ctx: Ctx) -> None:
    _ = ctx._
    entries = await audit.recent(ctx.session, 20)
    if not entries:
        ctx.reply(_("The audit log is empty."))
        return
    lines = [_("<b>Latest audit entries</b>"), ""]
    label = Labels(ctx.t)  # actions and outcomes in words, as in /mis_datos
    for entry in entries:
        actor = str(entry.actor_telegram_id or entry.actor_pseudonym or "—")
        target = f" → {esc(entry.target)}" if entry.target else ""
        lines.append(
            f"{esc(ctx.t.datetime(entry.at))} · {actor} · {esc(label.action(entry.action))}"
            f"{target} · {esc(label.of(OUTCOMES, entry.outcome))}"
        )
    ctx.reply("\n".join(lines))


async def registered_command(ctx: Ctx) -> None:
    """People registered by region and sex at the latest month's end (`registered`: never
    now, and each date's hidden splits chosen knowing every earlier date's)."""
    _ = ctx._
    now = ctx.runtime.clock.now()
    snapshot = await registered.latest(ctx.session, now, ctx.settings.timezone)
    day = ctx.t.date(registered.latest_day(now, ctx.settings.timezone))
    splits = snapshot.splits if snapshot is not None else {}
    names = {region.code: region.name for region in await regions.list_regions(ctx.session)}
    scope = ctx.coverage.regions
    mine = [code for code in names if code in splits and (scope is None or code in scope)]
    if snapshot is None or not mine:
        ctx.reply(
            _(
                "Nobody had registered by {date} (the figures are those of each month's end: "
                "whoever registered this month is counted when it ends)."
            ).format(date=day)
        )
        return
    lines = [_("<b>Registered people by region and sex as of {date}</b>").format(date=day), ""]
    for code in mine:
        by_sex = snapshot.splits[code]
        parts = " · ".join(f"{_(SEXES[sex])}: {by_sex.get(sex, 0)}" for sex in SEXES)
        shown = MISSING if code in snapshot.hidden else parts
        lines.append(f"<b>{esc(names[code])}</b>: {sum(by_sex.values())} ({shown})")
    total = sum(sum(snapshot.splits[code].values()) for code in mine)
    lines += ["", _("Total: {count}").format(count=ctx.t.number(total))]
    if snapshot.hidden.intersection(mine):
        lines.append(_("«—»: not shown, so that nobody's sex can be singled out."))
    lines.append(
        _(
            "The figures are those of each month's end: whoever registered after {date} is "
            "counted when this month ends."
        ).format(date=day)
    )
    ctx.reply("\n".join(lines))


FEATURE = Feature(
    commands=(
        Command(
            "registrados",
            registered_command,
            N_("Registered people by region and sex"),
            Role.COORDINATOR,
        ),
        Command("coordinador", coordinator_command, N_("Make someone a coordinator"), Role.ADMIN),
        Command("especialista", specialist_command, N_("Make someone a specialist"), Role.ADMIN),
        Command(
            "quitar_rol",
            remove_role_command,
            N_("Take away someone's role, or cancel a waiting one"),
            Role.ADMIN,
        ),
        Command("auditoria", audit_command, N_("Latest audit log entries"), Role.ADMIN),
    ),
    outbox={staff.MENU: command_menu.render},
)
