"""CLI orders for meetings: `reuniones crear`, `listar` and `cancelar`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.cli import invitations as inv
from bot.cli.commands import migrated, minka_now, plural, table
from bot.config import Settings
from bot.i18n import format_number

_MEETING_STATUS = {"scheduled": "programada", "cancelled": "cancelada"}
_NOT_CREATED = "No se creó la reunión"


@dataclass(frozen=True, slots=True)
class _MeetingRequest:
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    place: str | None
    link: str | None
    agenda: str | None
    invite: list[str]
    offsets: list[int]


def _link(value: str | None) -> str | None:
    link = inv.checked(value, "el enlace", 500)
    if link is None:
        return None
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in link:
        raise inv.Invalid(f"el enlace «{link}» no es válido: debe empezar con http:// o https://")
    return link


def _meeting_request(
    *,
    title: str,
    kind: str,
    start: str,
    end: str,
    place: str | None,
    link: str | None,
    agenda: str | None,
    invite: list[str],
    reminders: str | None,
    zone: ZoneInfo,
    now: datetime,
) -> _MeetingRequest:
    from bot.services.meetings import AGENDA_MAX, DEFAULT_OFFSETS, KINDS
    from bot.services.regions import normalize

    checked_title = inv.checked(title, "el título", 200)
    if checked_title is None:
        raise inv.Invalid("falta el título")
    checked_kind = normalize(kind)  # "Comité" and "técnica" are what people type
    if checked_kind not in KINDS:
        raise inv.Invalid(f"tipo «{kind}» no válido: use {inv.spanish_list(list(KINDS), 'u')}")
    starts_at, ends_at = inv.dates(
        start, end, zone, now, ("el inicio", "el fin", "el fin debe ser posterior al inicio")
    )
    offsets = inv.offsets(reminders, DEFAULT_OFFSETS)
    return _MeetingRequest(
        title=checked_title,
        kind=checked_kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=inv.checked(place, "el lugar", 300),
        link=_link(link),
        agenda=inv.checked(agenda, "la agenda", AGENDA_MAX, lines=True),
        invite=inv.invited(invite),
        offsets=offsets,
    )


def create_meeting(settings: Settings, **fields: Any) -> int:
    """Validate everything that needs no database first: a typo costs no connection and
    writes nothing. Then invite the audience; the running bot sends what is owed."""
    now = minka_now(settings)
    try:
        request = _meeting_request(**fields, zone=settings.timezone, now=now)
    except inv.Invalid as error:
        print(f"{_NOT_CREATED}: {error}.", file=sys.stderr)
        return 2
    return asyncio.run(_create_meeting(settings, request, now))


async def _create_meeting(settings: Settings, request: _MeetingRequest, now: datetime) -> int:
    from bot.i18n import translator
    from bot.services import meetings

    async with migrated(settings) as db, db.session() as session:
        try:
            audience = await meetings.parse_audience(session, request.invite)
        except meetings.AudienceError as error:
            print(f"{_NOT_CREATED}: {error}.", file=sys.stderr)
            return 2
        meeting, invited = await meetings.create(
            session,
            title=request.title,
            kind=request.kind,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            audience=audience,
            offsets=request.offsets,
            now=now,
            place=request.place,
            link=request.link,
            agenda=request.agenda,
        )
        es = translator("es", settings.timezone)
        public, unknown_ids = await inv.public(session, audience, es)
    starts, until = meeting.starts_at, es.until(meeting.starts_at, meeting.ends_at)
    print(meeting.code)
    print(
        f"Reunión «{meeting.title}» ({es.gettext(meetings.KINDS[meeting.kind])}) programada para "
        f"el {es.datetime(starts)} a {until} (hora de {settings.timezone.key}): "
        f"{plural(invited, 'persona invitada', 'personas invitadas')} ({public}); "
        f"{inv.reminders_text(meeting.starts_at, list(meeting.reminder_offsets), now)}. "
        "Minka enviará las invitaciones mientras esté en marcha."
    )
    inv.warn_invited(unknown_ids, invited, "la reunión")
    return 0


async def list_meetings(settings: Settings) -> int:
    """Each meeting with its answers: invited, confirmed (yes or a delegate) and declined."""
    from bot.i18n import translator
    from bot.services.meetings import KINDS
    from storage.repositories import meetings as repo

    async with migrated(settings) as db, db.session() as session:
        meetings = await repo.list_all(session)
        invitees = {meeting.id: await repo.invitees(session, meeting.id) for meeting in meetings}
    if not meetings:
        print(
            "No hay reuniones registradas. Prográmelas con `python -m bot reuniones crear` "
            "(vea `python -m bot reuniones crear -h`)."
        )
        return 0
    es = translator("es", settings.timezone)
    rows = []
    for meeting in meetings:
        starts = meeting.starts_at.astimezone(settings.timezone)
        ends = meeting.ends_at.astimezone(settings.timezone)
        answers = [invitee.rsvp for invitee in invitees[meeting.id]]
        title = meeting.title if len(meeting.title) <= 50 else meeting.title[:49] + "…"
        rows.append(
            (
                meeting.code,
                starts.strftime(inv.DATE_FORMAT),
                ends.strftime("%H:%M" if ends.date() == starts.date() else inv.DATE_FORMAT),
                es.gettext(KINDS[meeting.kind]) if meeting.kind in KINDS else meeting.kind,
                _MEETING_STATUS.get(meeting.status, meeting.status),
                title,
                format_number(len(answers)),
                format_number(sum(answer in ("yes", "delegate") for answer in answers)),
                format_number(answers.count("no")),
            )
        )
    header = (
        "código",
        "inicio",
        "fin",
        "tipo",
        "estado",
        "título",
        "invitados",
        "confirmados",
        "rechazados",
    )
    for line in table(header, rows, right={6, 7, 8}):
        print(line)
    return 0


async def cancel_meeting(settings: Settings, code: str) -> int:
    """Cancel once, before the start: pending reminders are dropped and every reachable
    invitee is owed a notice."""
    from bot.i18n import translator
    from bot.services import meetings
    from storage.repositories import meetings as repo

    code = code.strip().upper()
    async with migrated(settings) as db, db.session() as session:
        meeting = await repo.get_by_code(session, code)
        if meeting is None:
            inv.unknown_code(code, "una reunión", "reuniones")
            return 1
        if meeting.status == "cancelled":
            print(f"La reunión {code} («{meeting.title}») ya estaba cancelada; no se hizo nada.")
            return 0
        now = minka_now(settings)
        closed = meetings.closed(meeting, now)
        if closed is not None:
            es = translator("es", settings.timezone)
            print(f"No se canceló la reunión {code}: {es.gettext(closed)}", file=sys.stderr)
            return 1
        await meetings.cancel(session, meeting, now)
        told = sum(1 for invitee in await repo.invitees(session, meeting.id) if invitee.telegram_id)
    print(
        f"Reunión {code} («{meeting.title}») cancelada: se anularon sus recordatorios pendientes "
        f"y Minka avisará a {plural(told, 'persona invitada', 'personas invitadas')} mientras "
        "esté en marcha."
    )
    return 0


def add_orders(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`reuniones`: its orders and their arguments."""
    meetings = commands.add_parser(
        "reuniones", help="reuniones de coordinación: crear, listar y cancelar"
    ).add_subparsers(dest="meetings_command", metavar="<orden>", required=True)
    create = meetings.add_parser(
        "crear",
        help="programa una reunión e invita a su público (cada vez crea una reunión nueva)",
        description=(
            "Programa una reunión, invita a las personas registradas que coinciden con el "
            "público indicado y deja pendientes la invitación y los recordatorios: Minka los "
            "envía por sí solo mientras está en marcha. Las fechas van como AAAA-MM-DD HH:MM "
            "en la zona horaria configurada (BOT_TIMEZONE, America/Lima por defecto). Imprime "
            "el código de la reunión en la primera línea. Repetir la orden crea otra reunión."
        ),
    )
    create.add_argument("--titulo", required=True, metavar="TÍTULO", help="título de la reunión")
    create.add_argument(
        "--tipo",
        required=True,
        metavar="TIPO",
        help="coordinacion (MINEM–GR), comite (alto nivel), tecnica u otra",
    )
    create.add_argument(
        "--inicio", required=True, metavar="FECHA", help='inicio, como "AAAA-MM-DD HH:MM"'
    )
    create.add_argument(
        "--fin",
        required=True,
        metavar="FECHA",
        help='fin, como "AAAA-MM-DD HH:MM" (posterior al inicio)',
    )
    create.add_argument("--lugar", metavar="LUGAR", help="lugar de la reunión (opcional)")
    create.add_argument(
        "--enlace", metavar="URL", help="enlace de la videollamada, http:// o https:// (opcional)"
    )
    create.add_argument("--agenda", metavar="TEXTO", help="agenda de la reunión (opcional)")
    create.add_argument(
        "--invitar",
        required=True,
        action="append",
        metavar="PÚBLICO",
        help=(
            "a quién invitar: todos, region:NOMBRE, institucion:gr|minem|equipo_regional|otra, "
            "rol:funcionario|especialista|coordinador|admin o id:ID_DE_TELEGRAM; se puede "
            "repetir (se invita a quien coincida con alguno) y se exige al menos uno"
        ),
    )
    create.add_argument(
        "--recordatorios",
        metavar="LISTA",
        help=(
            "cuánto antes del inicio recordar, en días (d), horas (h) o minutos (m), "
            "separados por comas (por defecto 7d,1d,2h); los que ya pasaron se omiten"
        ),
    )
    meetings.add_parser(
        "listar",
        help="reuniones registradas, con invitados, confirmados y rechazos",
        description=(
            "Lista las reuniones con su código, inicio y fin (en la zona horaria configurada), "
            "tipo, estado, título, invitados, confirmados (asistirán o enviarán a alguien) y "
            "rechazos."
        ),
    )
    cancel = meetings.add_parser(
        "cancelar",
        help="cancela una reunión que aún no empezó y avisa a sus invitados",
        description=(
            "Cancela la reunión antes de que empiece: anula sus recordatorios pendientes y "
            "deja pendiente el aviso de cancelación para cada invitado, que Minka envía por "
            "sí solo. Una reunión que ya empezó no se puede cancelar."
        ),
    )
    cancel.add_argument("codigo", metavar="CÓDIGO", help="código de la reunión (ver listar)")
