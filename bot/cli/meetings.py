"""CLI orders for meetings: `reuniones crear`, `listar` and `cancelar`."""

from __future__ import annotations

import asyncio
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.cli.commands import migrated, plural, table
from bot.config import Settings

_MEETING_STATUS = {"scheduled": "programada", "cancelled": "cancelada"}
_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
_DATE_FORMAT = "%Y-%m-%d %H:%M"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NOT_CREATED = "No se creó la reunión"


class _Invalid(ValueError):
    """A meeting the CLI refuses before touching the database; the message is Spanish."""


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


def _local_time(text: str, name: str, zone: ZoneInfo) -> datetime:
    """'2026-11-26 10:00' on the configured zone's clock, as UTC; exactly that shape."""
    text = text.strip()
    if not _DATE_SHAPE.fullmatch(text):
        raise _Invalid(f"{name} «{text}» no tiene la forma AAAA-MM-DD HH:MM")
    try:
        wall = datetime.strptime(text, _DATE_FORMAT)
    except ValueError:
        raise _Invalid(f"{name} «{text}» no es una fecha válida") from None
    moment = wall.replace(tzinfo=zone).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != wall:  # skipped by a clock change
        raise _Invalid(f"{name} «{text}» no existe en {zone.key} (cambio de hora)")
    return moment


def _text(value: str | None, name: str, limit: int | None, *, lines: bool = False) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if limit is not None and len(value) > limit:
        raise _Invalid(f"{name} tiene {len(value)} caracteres; el máximo es {limit}")
    if _CONTROL.search(value.replace("\n", "") if lines else value):
        raise _Invalid(f"{name} tiene caracteres de control")
    return value


def _link(value: str | None) -> str | None:
    link = _text(value, "el enlace", 500)
    if link is None:
        return None
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in link:
        raise _Invalid(f"el enlace «{link}» no es válido: debe empezar con http:// o https://")
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
    from bot.services.meetings import DEFAULT_OFFSETS, KINDS, parse_offsets
    from bot.services.regions import normalize

    checked_title = _text(title, "el título", 200)
    if checked_title is None:
        raise _Invalid("falta el título")
    checked_kind = normalize(kind)  # "Comité" and "técnica" are what people type
    if checked_kind not in KINDS:
        raise _Invalid(f"tipo «{kind}» no válido: use {_spanish_list(list(KINDS), 'u')}")
    starts_at = _local_time(start, "el inicio", zone)
    ends_at = _local_time(end, "el fin", zone)
    if ends_at <= starts_at:
        raise _Invalid("el fin debe ser posterior al inicio")
    if starts_at <= now:
        raise _Invalid(f"el inicio ({start.strip()}, hora de {zone.key}) ya pasó")
    try:
        offsets = parse_offsets(DEFAULT_OFFSETS if reminders is None else reminders)
    except ValueError as error:
        raise _Invalid(str(error)) from None
    if not offsets:
        raise _Invalid(f"indique al menos un recordatorio, por ejemplo {DEFAULT_OFFSETS}")
    if not any(item.strip() for item in invite):
        raise _Invalid("indique a quién invitar con --invitar")
    return _MeetingRequest(
        title=checked_title,
        kind=checked_kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=_text(place, "el lugar", 300),
        link=_link(link),
        agenda=_text(agenda, "la agenda", None, lines=True),
        invite=invite,
        offsets=offsets,
    )


def _duration(seconds: int) -> str:
    for unit, one, many in ((86400, "día", "días"), (3600, "hora", "horas")):
        if seconds % unit == 0:
            return plural(seconds // unit, one, many)
    return plural(seconds // 60, "minuto", "minutos")


def _spanish_list(items: list[str], conjunction: str = "y") -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _reminders_text(starts_at: datetime, offsets: list[int], now: datetime) -> str:
    """The service owes only the reminders still ahead; say which ones were left out."""
    ahead = [s for s in offsets if starts_at - timedelta(seconds=s) > now]
    past = [_duration(s) for s in offsets if s not in ahead]
    text = (
        f"recordatorios {_spanish_list([_duration(s) for s in ahead])} antes"
        if ahead
        else "sin recordatorios"
    )
    if past:
        verbs = "ya pasó, se omite" if len(past) == 1 else "ya pasaron, se omiten"
        text += f" ({_spanish_list(past)} antes {verbs})"
    return text


def create_meeting(settings: Settings, **fields: Any) -> int:
    """Validate everything that needs no database first: a typo costs no connection and
    writes nothing. Then invite the audience; the running bot sends what is owed."""
    now = datetime.now(UTC)
    try:
        request = _meeting_request(**fields, zone=settings.timezone, now=now)
    except _Invalid as error:
        print(f"{_NOT_CREATED}: {error}.", file=sys.stderr)
        return 2
    return asyncio.run(_create_meeting(settings, request, now))


async def _create_meeting(settings: Settings, request: _MeetingRequest, now: datetime) -> int:
    from bot.i18n import translator
    from bot.services import meetings
    from bot.services.profile import INSTITUTIONS
    from bot.services.roles import ROLE_LABELS, Role
    from storage.repositories import people
    from storage.repositories.regions import list_regions

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
        region_names = {region.code: region.name for region in await list_regions(session)}
        unknown_ids = [
            telegram_id
            for telegram_id in sorted(audience.telegram_ids)
            if not ((person := await people.get(session, telegram_id)) and person.is_registered)
        ]
    es = translator("es", settings.timezone)
    if audience.everyone:
        public = "todas las personas registradas"
    else:
        parts = [f"región {region_names.get(code, code)}" for code in sorted(audience.regions)]
        parts += [
            f"institución {es.gettext(INSTITUTIONS[name])}"
            for name in sorted(audience.institutions)
        ]
        parts += [
            f"rol {es.gettext(ROLE_LABELS[Role(name)]).lower()}" for name in sorted(audience.roles)
        ]
        parts += [f"id {telegram_id}" for telegram_id in sorted(audience.telegram_ids)]
        public = ", ".join(parts)
    starts, ends = (
        moment.astimezone(settings.timezone) for moment in (meeting.starts_at, meeting.ends_at)
    )
    until = ends.strftime("%H:%M") if ends.date() == starts.date() else es.datetime(ends)
    print(meeting.code)
    print(
        f"Reunión «{meeting.title}» ({es.gettext(meetings.KINDS[meeting.kind])}) programada para "
        f"el {es.datetime(starts)} a {until} (hora de {settings.timezone.key}): "
        f"{plural(invited, 'persona invitada', 'personas invitadas')} ({public}); "
        f"{_reminders_text(meeting.starts_at, list(meeting.reminder_offsets), now)}. "
        "Minka enviará las invitaciones mientras esté en marcha."
    )
    for telegram_id in unknown_ids:
        print(
            f"Aviso: id:{telegram_id} no es una persona registrada en Minka; no fue invitada.",
            file=sys.stderr,
        )
    if invited == 0:
        print(
            "Aviso: nadie registrado coincide con el público indicado; la reunión quedó sin "
            "invitados.",
            file=sys.stderr,
        )
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
                starts.strftime(_DATE_FORMAT),
                ends.strftime("%H:%M" if ends.date() == starts.date() else _DATE_FORMAT),
                es.gettext(KINDS[meeting.kind]) if meeting.kind in KINDS else meeting.kind,
                _MEETING_STATUS.get(meeting.status, meeting.status),
                title,
                str(len(answers)),
                str(sum(answer in ("yes", "delegate") for answer in answers)),
                str(answers.count("no")),
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
    """Cancel once: pending reminders are dropped and every reachable invitee is owed a notice."""
    from bot.services import meetings
    from storage.repositories import meetings as repo

    code = code.strip().upper()
    async with migrated(settings) as db, db.session() as session:
        meeting = await repo.get_by_code(session, code)
        if meeting is None:
            print(
                f"No existe una reunión con el código {code}; vea los códigos con "
                "`python -m bot reuniones listar`.",
                file=sys.stderr,
            )
            return 1
        if meeting.status == "cancelled":
            print(f"La reunión {code} («{meeting.title}») ya estaba cancelada; no se hizo nada.")
            return 0
        await meetings.cancel(session, meeting, datetime.now(UTC))
        told = sum(1 for invitee in await repo.invitees(session, meeting.id) if invitee.telegram_id)
    print(
        f"Reunión {code} («{meeting.title}») cancelada: se anularon sus recordatorios pendientes "
        f"y Minka avisará a {plural(told, 'persona invitada', 'personas invitadas')} mientras "
        "esté en marcha."
    )
    return 0
