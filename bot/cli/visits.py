"""CLI orders for study visits: `visitas crear`, `listar` and `confirmar`, and the grammar of
every `visitas` order (`cambiar` and `cancelar` are in bot.cli.visit_changes). Dates, texts and
the audience are read exactly as `reuniones crear` reads them (bot.cli.invitations)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.cli import invitations as inv
from bot.cli.commands import migrated, minka_now, plural, table
from bot.config import Settings
from bot.i18n import format_number
from bot.telegram_limits import parse_telegram_id

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.repositories.visits import VisitRecord

_NOT_CREATED = "No se creó la visita"
DATE_NAMES = ("la salida", "el regreso", "el regreso debe ser posterior a la salida")
_STATUS = {"scheduled": "programada", "cancelled": "cancelada"}


@dataclass(frozen=True, slots=True)
class _VisitRequest:
    title: str
    destination: str
    starts_at: datetime
    ends_at: datetime
    invite: list[str]
    offsets: list[int]
    instructions: str | None


def destination_text(value: str | None) -> str | None:
    return inv.checked(value, "el destino", 200)


def instructions_text(value: str | None) -> str | None:
    from bot.services.visits import INSTRUCTIONS_MAX

    return inv.checked(value, "las indicaciones", INSTRUCTIONS_MAX, lines=True)


def _visit_request(
    *,
    title: str,
    destination: str,
    start: str,
    end: str,
    invite: list[str],
    reminders: str | None,
    instructions: str | None,
    settings: Settings,
    now: datetime,
) -> _VisitRequest:
    from bot.services.visits import DEFAULT_OFFSETS

    checked_title = inv.checked(title, "el título", 200)
    checked_destination = destination_text(destination)
    if checked_title is None:
        raise inv.Invalid("falta el título")
    if checked_destination is None:
        raise inv.Invalid("falta el destino")
    starts_at, ends_at = inv.dates(start, end, settings.timezone, now, DATE_NAMES)
    offsets = inv.offsets(reminders, DEFAULT_OFFSETS)
    return _VisitRequest(
        checked_title,
        checked_destination,
        starts_at,
        ends_at,
        inv.invited(invite),
        offsets,
        instructions_text(instructions),
    )


def create_visit(settings: Settings, **fields: Any) -> int:
    """Validate first (a typo writes nothing), then invite; the running bot sends what is owed."""
    now = minka_now(settings)
    try:
        request = _visit_request(**fields, settings=settings, now=now)
    except inv.Invalid as error:
        print(f"{_NOT_CREATED}: {error}.", file=sys.stderr)
        return 2
    return asyncio.run(_create_visit(settings, request, now))


def dates_text(settings: Settings, visit: VisitRecord) -> str:
    """Departure and return in the configured zone, as `crear` and `cambiar` report them."""
    from bot.i18n import translator

    es = translator("es", settings.timezone)
    return (
        f"salida el {es.datetime(visit.starts_at)}, regreso el {es.datetime(visit.ends_at)} "
        f"(hora de {settings.timezone.key})"
    )


async def _create_visit(settings: Settings, request: _VisitRequest, now: datetime) -> int:
    from bot.i18n import translator
    from bot.services import meetings, visits

    async with migrated(settings) as db, db.session() as session:
        try:
            audience = await meetings.parse_audience(session, request.invite)
        except meetings.AudienceError as error:
            print(f"{_NOT_CREATED}: {error}.", file=sys.stderr)
            return 2
        visit, invited = await visits.create(
            session,
            title=request.title,
            destination=request.destination,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            audience=audience,
            offsets=request.offsets,
            now=now,
            words=visits.leader_words(settings.leader_position_words),
            instructions=request.instructions,
        )
        public, unknown_ids = await inv.public(
            session, audience, translator("es", settings.timezone)
        )
    print(visit.code)
    print(
        f"Visita «{visit.title}» a {visit.destination}: {dates_text(settings, visit)}; "
        f"{plural(invited, 'persona invitada', 'personas invitadas')} ({public}); "
        f"{inv.reminders_text(visit.starts_at, list(visit.reminder_offsets), now)} de la salida, "
        "a quien acepte. Minka enviará las invitaciones mientras esté en marcha."
    )
    inv.warn_invited(unknown_ids, invited, "la visita")
    return 0


async def list_visits(settings: Settings) -> int:
    """Each visit with its invitees' answers and the confirmed delegation."""
    from storage.repositories import visits as repo

    async with migrated(settings) as db, db.session() as session:
        found = await repo.list_all(session)
        people = {visit.id: await repo.participants(session, visit.id) for visit in found}
    if not found:
        print("No hay visitas registradas. Créelas con `python -m bot visitas crear`.")
        return 0
    rows = []
    for visit in found:
        answers = [person.answer for person in people[visit.id]]
        rows.append(
            (
                visit.code,
                visit.starts_at.astimezone(settings.timezone).strftime(inv.DATE_FORMAT),
                visit.ends_at.astimezone(settings.timezone).strftime(inv.DATE_FORMAT),
                _STATUS.get(visit.status, visit.status),
                visit.destination[:30],
                visit.title if len(visit.title) <= 40 else visit.title[:39] + "…",
                format_number(len(answers)),
                format_number(answers.count("accepted")),
                format_number(answers.count("declined")),
                format_number(sum(person.confirmed for person in people[visit.id])),
            )
        )
    header = (
        "código",
        "salida",
        "regreso",
        "estado",
        "destino",
        "título",
        "invitados",
        "aceptaron",
        "no pueden",
        "delegación",
    )
    for line in table(header, rows, right={6, 7, 8, 9}):
        print(line)
    return 0


async def confirm_visit(settings: Settings, code: str, telegram_ids: list[str]) -> int:
    """Put invitees who accepted (named by Telegram id) into the delegation."""
    from bot.services import visits
    from storage.repositories import visits as repo

    if not all(parse_telegram_id(item) is not None for item in telegram_ids):
        print("Los ID deben ser números de Telegram (como en --invitar id:ID).", file=sys.stderr)
        return 2
    code = code.strip().upper()
    async with migrated(settings) as db, db.session() as session:
        visit = await visit_by_code(session, code)
        if visit is None:
            return 1
        ids = [int(item) for item in telegram_ids]
        person_ids = await repo.person_ids_by_telegram(session, ids)
        done, _refused = await visits.confirm(
            session, visit, [person_ids[i] for i in ids if i in person_ids], minka_now(settings)
        )
    by_person = {person_id: telegram_id for telegram_id, person_id in person_ids.items()}
    confirmed = {by_person[person_id] for person_id in done}
    for telegram_id in ids:
        if telegram_id not in confirmed:
            print(
                f"id:{telegram_id} no fue confirmado: no está invitado a {code} o no aceptó.",
                file=sys.stderr,
            )
    confirmed_people = plural(len(confirmed), "persona confirmada", "personas confirmadas")
    print(f"Visita {code}: {confirmed_people} en la delegación.")
    return 0 if len(confirmed) == len(set(ids)) else 1


async def visit_by_code(session: AsyncSession, code: str) -> VisitRecord | None:
    """The visit with that code, or None after saying so (every order that names one)."""
    from storage.repositories import visits as repo

    visit = await repo.get_by_code(session, code)
    if visit is None:
        inv.unknown_code(code, "una visita", "visitas")
    return visit


def add_orders(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`visitas`: its orders and their arguments."""
    visits = commands.add_parser(
        "visitas",
        help="visitas de estudio: crear, listar, confirmar la delegación, cambiar y cancelar",
    ).add_subparsers(dest="visits_command", metavar="<orden>", required=True)
    create = visits.add_parser(
        "crear",
        help="crea una visita de estudio e invita a su público",
        description=(
            "Crea la visita, invita a las personas registradas que coinciden con el público "
            "(como en `reuniones crear`) y deja pendientes la invitación (Acepto / No puedo) y "
            "los recordatorios antes de la salida, que Minka envía mientras está en marcha. "
            "Las fechas van como AAAA-MM-DD HH:MM en la zona horaria configurada. Imprime el "
            "código de la visita en la primera línea."
        ),
    )
    create.add_argument("--titulo", required=True, metavar="TÍTULO", help="título de la visita")
    create.add_argument(
        "--destino", required=True, metavar="DESTINO", help="p. ej. «Toronto y Sudbury, Canadá»"
    )
    create.add_argument(
        "--inicio", required=True, metavar="FECHA", help='salida, como "AAAA-MM-DD HH:MM"'
    )
    create.add_argument(
        "--fin", required=True, metavar="FECHA", help='regreso, como "AAAA-MM-DD HH:MM"'
    )
    create.add_argument(
        "--invitar",
        required=True,
        action="append",
        metavar="PÚBLICO",
        help=(
            "a quién invitar: todos, region:NOMBRE, institucion:gr|minem|equipo_regional|otra, "
            "rol:funcionario|especialista|coordinador|admin o id:ID_DE_TELEGRAM; repetible"
        ),
    )
    create.add_argument(
        "--recordatorios",
        metavar="LISTA",
        help="cuánto antes de la salida recordar (por defecto 14d,3d,1d); solo a quien aceptó",
    )
    create.add_argument(
        "--indicaciones",
        metavar="TEXTO",
        help="itinerario, documentos que llevar…: van con la invitación y los recordatorios",
    )
    visits.add_parser(
        "listar", help="visitas con invitados, aceptaciones, rechazos y delegación confirmada"
    )
    confirm = visits.add_parser(
        "confirmar",
        help="confirma en la delegación a invitados que aceptaron",
        description="Confirma en la delegación de la visita a las personas indicadas por su "
        "ID de Telegram; solo se puede confirmar a quien aceptó la invitación.",
    )
    confirm.add_argument("codigo", metavar="CÓDIGO", help="código de la visita (ver listar)")
    confirm.add_argument("ids", nargs="+", metavar="ID", help="ID de Telegram de cada persona")
    change = visits.add_parser(
        "cambiar",
        help="cambia las fechas o el destino de una visita y avisa a sus invitados",
        description=(
            "Antes de la salida: cambia el destino, la salida, el regreso o las indicaciones "
            "(lo que no se indique queda igual), avisa a cada invitado con los botones para "
            "responder, y los recordatorios y el cuestionario pasan a las nuevas fechas. Queda "
            "en el registro de auditoría."
        ),
    )
    change.add_argument("codigo", metavar="CÓDIGO", help="código de la visita (ver listar)")
    change.add_argument("--destino", metavar="DESTINO", help="el nuevo destino")
    change.add_argument("--inicio", metavar="FECHA", help='nueva salida, como "AAAA-MM-DD HH:MM"')
    change.add_argument("--fin", metavar="FECHA", help='nuevo regreso, como "AAAA-MM-DD HH:MM"')
    change.add_argument("--indicaciones", metavar="TEXTO", help="las nuevas indicaciones")
    cancel = visits.add_parser(
        "cancelar",
        help="cancela una visita y avisa a sus invitados",
        description=(
            "Antes de la salida: cancela la visita, deja pendiente el aviso de cancelación "
            "para cada invitado (Minka lo envía por sí solo) y anula los recordatorios y el "
            "cuestionario. Queda en el registro de auditoría."
        ),
    )
    cancel.add_argument("codigo", metavar="CÓDIGO", help="código de la visita (ver listar)")
