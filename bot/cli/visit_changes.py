"""CLI orders that change a study visit already announced: `visitas cambiar` and `cancelar`
(invitees told by the running bot; reminders and the questionnaire moved or dropped)."""

from __future__ import annotations

import sys

from bot.cli import invitations as inv
from bot.cli.commands import migrated, minka_now, plural
from bot.cli.visits import (
    DATE_NAMES,
    dates_text,
    destination_text,
    instructions_text,
    visit_by_code,
)
from bot.config import Settings


async def change_visit(
    settings: Settings,
    code: str,
    *,
    destination: str | None,
    start: str | None,
    end: str | None,
    instructions: str | None,
) -> int:
    """New dates or destination before departure; invitees are told, reminders and the
    questionnaire move. What is not given stays as it was."""
    from bot.i18n import translator
    from bot.services import visits

    code = code.strip().upper()
    now = minka_now(settings)
    if (destination, start, end, instructions) == (None, None, None, None):
        print("Indique qué cambia: --destino, --inicio, --fin o --indicaciones.", file=sys.stderr)
        return 2
    try:
        new_destination = destination_text(destination)
        new_instructions = instructions_text(instructions)
    except inv.Invalid as error:
        print(f"No se cambió la visita: {error}.", file=sys.stderr)
        return 2
    async with migrated(settings) as db, db.session() as session:
        visit = await visit_by_code(session, code)
        if visit is None:
            return 1
        zone = settings.timezone
        es = translator("es", zone)
        closed = visits.closed(visit, now)
        if closed is not None:
            print(f"No se cambió la visita: {es.gettext(closed)}", file=sys.stderr)
            return 1
        try:
            starts_at, ends_at = inv.dates(
                start or visit.starts_at.astimezone(zone).strftime(inv.DATE_FORMAT),
                end or visit.ends_at.astimezone(zone).strftime(inv.DATE_FORMAT),
                zone,
                now,
                DATE_NAMES,
            )
            updated, told = await visits.change(
                session,
                visit,
                now,
                actor=None,
                destination=new_destination or visit.destination,
                instructions=new_instructions or visit.instructions,
                starts_at=starts_at,
                ends_at=ends_at,
            )
        except inv.Invalid as error:
            print(f"No se cambió la visita: {error}.", file=sys.stderr)
            return 2
        except ValueError as error:  # the service's own checks, as msgids
            print(f"No se cambió la visita: {es.gettext(str(error))}", file=sys.stderr)
            return 1
    print(
        f"Visita {code} («{updated.title}») cambiada: {updated.destination}, "
        f"{dates_text(settings, updated)}; Minka avisará a "
        f"{plural(told, 'persona invitada', 'personas invitadas')} mientras esté en marcha, "
        "y los recordatorios y el cuestionario pasan a las nuevas fechas."
    )
    return 0


async def cancel_visit(settings: Settings, code: str) -> int:
    """Cancel before departure; every invitee is told, nothing else owed is sent."""
    from bot.i18n import translator
    from bot.services import visits

    code = code.strip().upper()
    async with migrated(settings) as db, db.session() as session:
        visit = await visit_by_code(session, code)
        if visit is None:
            return 1
        if visit.status == "cancelled":
            print(f"La visita {code} («{visit.title}») ya estaba cancelada; no se hizo nada.")
            return 0
        try:
            _updated, told = await visits.cancel(session, visit, minka_now(settings), actor=None)
        except ValueError as error:
            es = translator("es", settings.timezone)
            print(f"No se canceló la visita: {es.gettext(str(error))}", file=sys.stderr)
            return 1
    print(
        f"Visita {code} («{visit.title}») cancelada: Minka avisará a "
        f"{plural(told, 'persona invitada', 'personas invitadas')} mientras esté en marcha; "
        "no se enviarán sus recordatorios ni el cuestionario."
    )
    return 0
