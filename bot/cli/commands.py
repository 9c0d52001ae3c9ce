"""What each CLI order does. Orders that touch the database migrate it first."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from telegram.error import InvalidToken, NetworkError

from bot.config import ConfigError, Settings
from storage.db import Database
from storage.migrate import upgrade


@asynccontextmanager
async def migrated(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings.database_url)
    try:
        await upgrade(db.engine)
        yield db
    finally:
        await db.dispose()


def kb_check(command: str, folder: str | None) -> int:
    """Content checks need no settings: a coordinator runs them right after editing a file."""
    from pathlib import Path

    from knowledge.check import check, statistics
    from knowledge.loader import CONTENT_DIR

    content = Path(folder) if folder else CONTENT_DIR
    if command == "estadisticas":
        rows = statistics(content)
        width = max(len(name) for name, _count in rows)
        for name, count in rows:
            print(f"{name:<{width}}  {count:>3}")
        print(f"{'Total':<{width}}  {sum(count for _name, count in rows):>3}")
        return 0
    problems = check(content)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problema(s) en el Tool Kit.", file=sys.stderr)
        return 1
    print("El Tool Kit está en orden.")
    return 0


def run(settings: Settings) -> int:
    from bot.runner import run_until_signal

    if settings.token is None:
        raise ConfigError(
            "Falta TELEGRAM_BOT_TOKEN: pida un token a @BotFather y defínalo en el entorno o en "
            ".env, o pruebe Minka sin token con `python -m bot demo`."
        )
    try:
        asyncio.run(run_until_signal(settings))
    except InvalidToken:
        print(
            "Telegram rechazó TELEGRAM_BOT_TOKEN: revise el token que le dio @BotFather.",
            file=sys.stderr,
        )
        return 2
    except NetworkError as error:
        print(
            f"No se pudo conectar con {settings.telegram_api_base_url} ({error.message}): "
            "revise la conexión o TELEGRAM_API_BASE_URL.",
            file=sys.stderr,
        )
        return 2
    return 0


async def db_upgrade(settings: Settings) -> int:
    async with migrated(settings):
        print("Base de datos al día.")
    return 0


async def unanswered(settings: Settings, limit: int) -> int:
    from storage.repositories.toolkit import unanswered as most_unanswered

    async with migrated(settings) as db, db.session() as session:
        rows = await most_unanswered(session, limit)
    if not rows:
        print("No hay preguntas sin respuesta registradas.")
        return 0
    print(f"{'veces':>5}  pregunta (último texto tal como se escribió)")
    for _normalized, count, example in rows:
        print(f"{count:>5}  {example}")
    return 0


async def add_coordinator(settings: Settings, telegram_id: int) -> int:
    from bot.services import staff
    from bot.services.roles import Role

    async with migrated(settings) as db, db.session() as session:
        grant = await staff.grant_role(session, telegram_id, Role.COORDINATOR, granted_by=None)
    if grant.applied_now:
        print(f"Listo: {grant.name or telegram_id} ahora es coordinador(a).")
    else:
        print(
            f"Listo: {telegram_id} será coordinador(a) cuando empiece a usar Minka y acepte "
            "el aviso de privacidad."
        )
    return 0


_OUTCOMES = {"created": "nuevo", "updated": "actualizado", "unchanged": "sin cambios"}
_NO_USERNAME = "<usuario_del_bot>"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], right: set[int]) -> list[str]:
    """Columns padded to their widest cell; `right` holds the columns of numbers."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [header, *rows]
    ]


def import_workshops(settings: Settings, path: str) -> int:
    """A coordinator's spreadsheet in, the codes and check-in links to print or share out.

    The file is read first, so a mistyped name costs no database connection."""
    from pathlib import Path

    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        print(f"No existe el archivo {path}.", file=sys.stderr)
        return 2
    except IsADirectoryError:
        print(f"{path} es una carpeta; indique el archivo CSV.", file=sys.stderr)
        return 2
    except PermissionError:
        print(f"No tiene permiso para leer el archivo {path}.", file=sys.stderr)
        return 2
    except OSError:
        print(f"No se pudo leer el archivo {path}.", file=sys.stderr)
        return 2
    return asyncio.run(_import_workshops(settings, path, data))


async def _import_workshops(settings: Settings, path: str, data: bytes) -> int:
    from bot.services import workshop_import
    from bot.services.workshops import deep_link

    async with migrated(settings) as db, db.session() as session:
        result = await workshop_import.import_workshops(session, data)
        username = await workshop_import.stored_bot_username(session)
    if result.problems:
        for problem in result.problems:
            print(f"{path}:{problem.line}: {problem.reason}")
        bad_rows = len({problem.line for problem in result.problems})
        print(f"{bad_rows} fila(s) con errores; no se importó nada.", file=sys.stderr)
        return 1
    tz = workshop_import.LIMA
    rows = [
        (
            item.code,
            item.title,
            item.starts_at.astimezone(tz).strftime(workshop_import.TIME_FORMAT),
            _OUTCOMES[item.outcome],
            deep_link(username or _NO_USERNAME, item.code),
        )
        for item in result.imported
    ]
    header = ("código", "título", "inicio", "estado", "enlace de asistencia")
    for line in _table(header, rows, right=set()):
        print(line)
    tally = {outcome: 0 for outcome in _OUTCOMES}
    for item in result.imported:
        tally[item.outcome] += 1
    print(
        f"{len(rows)} taller(es): {tally['created']} nuevo(s), {tally['updated']} "
        f"actualizado(s), {tally['unchanged']} sin cambios."
    )
    if any(item.generated for item in result.imported):
        print(
            "Los códigos generados dependen del título, el inicio y la región: para poder "
            "corregirlos sin crear otro taller, copie cada código en la columna codigo."
        )
    if username is None:
        print(
            f"{_NO_USERNAME}: los enlaces quedan completos cuando Minka se haya iniciado una vez; "
            "entonces vuelva a importar el archivo (no cambia nada) para verlos."
        )
    return 0


async def list_workshops(settings: Settings) -> int:
    """What is scheduled and how it went: check-ins and completed surveys per workshop."""
    from bot.services.workshop_import import LIMA, TIME_FORMAT
    from storage.repositories import workshops as repo

    async with migrated(settings) as db, db.session() as session:
        workshops = await repo.list_all(session)
        counts = await repo.counts(session)
    if not workshops:
        print(
            "No hay talleres registrados. Impórtelos con "
            "`python -m bot talleres importar ARCHIVO.csv`."
        )
        return 0
    rows = []
    for workshop in workshops:
        starts, ends = workshop.starts_at.astimezone(LIMA), workshop.ends_at.astimezone(LIMA)
        attendees, responses = counts.get(workshop.id, (0, 0))
        title = workshop.title if len(workshop.title) <= 50 else workshop.title[:49] + "…"
        rows.append(
            (
                workshop.code,
                starts.strftime(TIME_FORMAT),
                ends.strftime("%H:%M" if ends.date() == starts.date() else TIME_FORMAT),
                workshop.region_name or "Nacional/virtual",
                title,
                str(attendees),
                str(responses),
            )
        )
    header = ("código", "inicio", "fin", "región", "título", "asistentes", "encuestas")
    for line in _table(header, rows, right={5, 6}):
        print(line)
    return 0


# --- meetings -----------------------------------------------------------------------------------

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
    for unit, singular, plural in ((86400, "día", "días"), (3600, "hora", "horas")):
        if seconds % unit == 0:
            count = seconds // unit
            return f"{count} {singular if count == 1 else plural}"
    count = seconds // 60
    return f"{count} {'minuto' if count == 1 else 'minutos'}"


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
    if audience.everyone:
        public = "todas las personas registradas"
    else:
        parts = [f"región {region_names.get(code, code)}" for code in sorted(audience.regions)]
        parts += [f"institución {name}" for name in sorted(audience.institutions)]
        parts += [f"rol {name}" for name in sorted(audience.roles)]
        parts += [f"id {telegram_id}" for telegram_id in sorted(audience.telegram_ids)]
        public = ", ".join(parts)
    es = translator("es", settings.timezone)
    starts, ends = (
        moment.astimezone(settings.timezone) for moment in (meeting.starts_at, meeting.ends_at)
    )
    until = ends.strftime("%H:%M") if ends.date() == starts.date() else es.datetime(ends)
    print(meeting.code)
    print(
        f"Reunión «{meeting.title}» ({es.gettext(meetings.KINDS[meeting.kind])}) programada para "
        f"el {es.datetime(starts)} a {until} (hora de {settings.timezone.key}): "
        f"{invited} persona(s) invitada(s) ({public}); "
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
    for line in _table(header, rows, right={6, 7, 8}):
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
        f"y Minka avisará a {told} persona(s) invitada(s) mientras esté en marcha."
    )
    return 0
