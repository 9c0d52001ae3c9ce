"""`python -m bot admin …`: give, take away and list roles from the shell. Every change is
audited with no actor (the shell), like the same orders given in the chat by an admin."""

from __future__ import annotations

import argparse
import sys

from bot.cli.commands import migrated, minka_now, table
from bot.config import Settings
from bot.i18n import translator
from bot.services import coverage, staff, team_reports
from bot.services.regions import match_region
from bot.services.roles import ROLE_LABELS, Role
from storage.repositories import audit, people, regions

_ROLES = {role.value: label for role, label in ROLE_LABELS.items()}


async def admin(settings: Settings, args: argparse.Namespace) -> int:
    if args.admin_command == "agregar-coordinador":
        return await _grant(settings, args.telegram_id, Role.COORDINATOR, args)
    if args.admin_command == "agregar-especialista":
        return await _grant(settings, args.telegram_id, Role.SPECIALIST, args)
    if args.admin_command == "quitar-rol":
        return await _revoke(settings, args.telegram_id)
    if args.admin_command == "agregar-equipo":
        return await _appoint(settings, args.telegram_id, args.region)
    if args.admin_command == "quitar-equipo":
        return await _dismiss(settings, args.telegram_id)
    if args.admin_command == "restablecer-menu":
        from bot.cli.menus import reset_menu  # Telegram's client: only for this order

        return await reset_menu(settings, args.telegram_id)
    return await _list(settings)


async def _grant(settings: Settings, telegram_id: int, role: Role, args: argparse.Namespace) -> int:
    t = translator("es", settings.timezone)
    async with migrated(settings) as db, db.session() as session:
        scope = None
        if role is Role.COORDINATOR:
            typed = "nacional" if args.nacional else ", ".join(args.region)
            try:
                scope = await coverage.read_grant(session, typed)
            except coverage.CoverageError as error:
                print(t.gettext(error.message).format(**error.params), file=sys.stderr)
                return 2
        grant = await staff.grant_role(
            session,
            telegram_id,
            role,
            granted_by=None,
            admin_ids=settings.bot_admin_ids,
            now=minka_now(settings),
            coverage=scope,
        )
        names = await coverage.stored_names(session, scope)
    if grant.configured:
        who = grant.name or str(telegram_id)
        print(t.gettext(staff.CONFIGURED_GRANT).format(who=who), file=sys.stderr)
        return 1
    label = t.gettext(ROLE_LABELS[role]).lower()
    if role is Role.COORDINATOR:
        label += " (" + (", ".join(names) if names is not None else "nacional") + ")"
    if grant.applied_now:
        print(f"Listo: {grant.name or telegram_id} ahora tiene el rol de {label}.")
    else:
        print(
            f"Listo: {telegram_id} tendrá el rol de {label} cuando empiece a usar Minka y acepte "
            "el aviso de privacidad."
        )
    return 0


async def _revoke(settings: Settings, telegram_id: int) -> int:
    t = translator("es", settings.timezone)
    async with migrated(settings) as db, db.session() as session:
        done = await staff.revoke_role(
            session,
            telegram_id,
            revoked_by=None,
            admin_ids=settings.bot_admin_ids,
            now=minka_now(settings),
        )
    who = done.name or str(telegram_id)
    role = t.gettext(ROLE_LABELS[done.role]).lower() if done.role else ""
    if done.outcome is staff.Revoked.CONFIGURED:
        print(
            f"{who} es administrador/a por la configuración del servidor (BOT_ADMIN_IDS): su "
            "rol solo se cambia allí.",
            file=sys.stderr,
        )
        return 1
    if done.outcome is staff.Revoked.NOTHING:
        print(f"{who} no tiene un rol que quitar.", file=sys.stderr)
        return 1
    if done.outcome is staff.Revoked.GRANT:
        print(f"Listo: se canceló el rol de {role} que esperaba a {who}.")
    else:
        print(f"Listo: {who} ya no tiene el rol de {role}; ahora es funcionario/a.")
    return 0


async def _appoint(settings: Settings, telegram_id: int, typed: str) -> int:
    """Equipo Regional membership is granted here, never read from the person's profile."""
    async with migrated(settings) as db, db.session() as session:
        person = await people.get(session, telegram_id)
        if person is None or not person.is_registered:
            print(
                f"{telegram_id} aún no está registrado en Minka: pídale que escriba /start y "
                "complete su registro, y repita la orden.",
                file=sys.stderr,
            )
            return 1
        known = [r for r in await regions.list_regions(session) if r.code != coverage.CENTRAL]
        region = match_region(typed, known).region
        if region is None:
            print(f"No conozco la región «{typed}» (o hay varias con ese nombre).", file=sys.stderr)
            return 2
        now = minka_now(settings)
        await team_reports.appoint(
            session, person.id, region.code, now, admin_ids=settings.bot_admin_ids
        )
        await audit.append(
            session,
            actor_telegram_id=None,
            action="grant_team",
            outcome="done",
            target=str(telegram_id),
            detail=f"region={region.code}",
            at=now,
        )
    print(
        f"Listo: {person.full_name or telegram_id} es parte del Equipo Regional de "
        f"{region.name} y enviará su informe mensual."
    )
    return 0


async def _dismiss(settings: Settings, telegram_id: int) -> int:
    async with migrated(settings) as db, db.session() as session:
        person, now = await people.get(session, telegram_id), minka_now(settings)
        if person is None or not await team_reports.dismiss(
            session, person.id, now, admin_ids=settings.bot_admin_ids
        ):
            print(f"{telegram_id} no es parte de un Equipo Regional.", file=sys.stderr)
            return 1
        await audit.append(
            session,
            actor_telegram_id=None,
            action="revoke_team",
            outcome="done",
            target=str(telegram_id),
            at=now,
        )
    print(f"Listo: {person.full_name or telegram_id} ya no es parte de un Equipo Regional.")
    return 0


async def _list(settings: Settings) -> int:
    t = translator("es", settings.timezone)
    async with migrated(settings) as db, db.session() as session:
        holders = await people.role_holders(session)
        rows = []
        for holder in holders:
            names = await coverage.stored_names(session, holder.coverage)
            if holder.role != Role.COORDINATOR.value:
                scope = "—"
            elif names is None:
                scope = "nacional"
            else:
                scope = ", ".join(names) or "ninguna (vuelva a nombrarlo con sus regiones)"
            role = t.gettext(_ROLES[holder.role]) if holder.role in _ROLES else holder.role
            rows.append(
                (
                    str(holder.telegram_id),
                    holder.name or "—",
                    role,
                    scope,
                    "pendiente" if holder.pending else "activo",
                )
            )
    admins = ", ".join(str(i) for i in sorted(settings.bot_admin_ids)) or "ninguno"
    print(f"Administradores (BOT_ADMIN_IDS): {admins}")
    if not rows:
        print("Nadie más tiene un rol de especialista o coordinador.")
        return 0
    for line in table(("id", "nombre", "rol", "cobertura", "estado"), rows, set()):
        print(line)
    return 0
