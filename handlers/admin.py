"""Staff commands: naming coordinators, reading the audit log, registration counts."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.i18n import N_, translator
from bot.services import staff
from bot.services.profile import SEXES
from bot.services.roles import ROLE_LABELS, Role
from handlers import command_menu
from handlers.base import Ctx, esc
from handlers.registry import Command, Feature
from storage.repositories import audit, people

log = logging.getLogger(__name__)


async def coordinator_command(ctx: Ctx) -> None:
    await _grant_command(ctx, Role.COORDINATOR)


async def specialist_command(ctx: Ctx) -> None:
    await _grant_command(ctx, Role.SPECIALIST)


async def _grant_command(ctx: Ctx, role: Role) -> None:
    _ = ctx._
    if len(ctx.args) != 1:
        ctx.reply(
            _("Usage: /{command} &lt;Telegram id or @username&gt;").format(
                command="coordinador" if role is Role.COORDINATOR else "especialista"
            )
        )
        return
    target = await staff.resolve_target(ctx.session, ctx.args[0])
    if target is None:
        ctx.reply(
            _(
                "I don't know «{who}». Ask the person to write /start to Minka, or use their "
                "numeric Telegram id."
            ).format(who=esc(ctx.args[0][:64]))
        )
        return
    grant = await staff.grant_role(ctx.session, target, role, granted_by=ctx.user.id)
    who = esc(grant.name or str(target))
    role_name = _(ROLE_LABELS[role]).lower()
    if grant.applied_now:
        person = await people.get(ctx.session, target)
        language = person.locale if person else ctx.settings.bot_locale
        ctx.reply(_("Done: {who} now has the role {role}.").format(who=who, role=role_name))
        ctx.later(lambda: _tell_new_role(ctx, target, role, language))
    else:
        ctx.reply(
            _(
                "Done: {who} will have the role {role} as soon as they start using Minka and "
                "accept the privacy notice."
            ).format(who=who, role=role_name)
        )


async def _tell_new_role(ctx: Ctx, telegram_id: int, role: Role, language: str) -> None:
    await command_menu.set_for_chat(ctx.context.bot, telegram_id, role, language)
    t = translator(language, ctx.settings.timezone)
    try:
        await ctx.context.bot.send_message(
            telegram_id,
            t.gettext(
                "An administrator gave you the role {role}. Write /ayuda to see your commands."
            ).format(role=t.gettext(ROLE_LABELS[role]).lower()),
        )
    except TelegramError as error:
        log.info("could not tell %s about the new role: %s", telegram_id, error)


async def audit_command(ctx: Ctx) -> None:
    _ = ctx._
    entries = await audit.recent(ctx.session, 20)
    if not entries:
        ctx.reply(_("The audit log is empty."))
        return
    lines = [_("<b>Latest audit entries</b>"), ""]
    for entry in entries:
        actor = str(entry.actor_telegram_id) if entry.actor_telegram_id else "—"
        target = f" → {esc(entry.target)}" if entry.target else ""
        lines.append(
            f"{esc(ctx.t.datetime(entry.at))} · {actor} · {esc(entry.action)}{target} · "
            f"{esc(entry.outcome)}"
        )
    ctx.reply("\n".join(lines))


async def registered_command(ctx: Ctx) -> None:
    _ = ctx._
    counts = await people.registered_counts(ctx.session)
    if not counts:
        ctx.reply(_("Nobody has registered yet."))
        return
    by_region: dict[str, dict[str | None, int]] = {}
    for region, sex, count in counts:
        by_region.setdefault(region, {})[sex] = count
    total = sum(count for _region, _sex, count in counts)
    lines = [_("<b>Registered people by region and sex</b>"), ""]
    for region, by_sex in by_region.items():
        parts = " · ".join(f"{_(SEXES[code])}: {by_sex.get(code, 0)}" for code in SEXES)
        lines.append(f"<b>{esc(region)}</b>: {sum(by_sex.values())} ({parts})")
    lines += ["", _("Total: {count}").format(count=total)]
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
        Command("auditoria", audit_command, N_("Latest audit log entries"), Role.ADMIN),
    ),
)
