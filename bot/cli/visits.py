"""CLI orders for study visits: `visitas crear`, `listar` and `confirmar`. Dates, texts and the
audience are read exactly as `reuniones crear` reads them (bot.cli.meetings)."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.cli.commands import migrated, table
from bot.cli.meetings import _DATE_FORMAT, _Invalid, _local_time, _reminders_text, _text
from bot.config import Settings

_NOT_CREATED = "No se creó la visita"


@dataclass(frozen=True, slots=True)
class _VisitRequest:
    title: str
    destination: str
    starts_at: datetime
    ends_at: datetime
    invite: list[str]
    offsets: list[int]


def _visit_request(
    *,
    title: str,
    destination: str,
    start: str,
    end: str,
    invite: list[str],
    reminders: str | None,
    settings: Settings,
    now: datetime,
) -> _VisitRequest:
    from bot.services.meetings import parse_offsets
    from bot.services.visits import DEFAULT_OFFSETS

    checked_title = _text(title, "el título", 200)
    checked_destination = _text(destination, "el destino", 200)
    if checked_title is None:
        raise _Invalid("falta el título")
    if checked_destination is None:
        raise _Invalid("falta el destino")
    starts_at = _local_time(start, "la salida", settings.timezone)
    ends_at = _local_time(end, "el regreso", settings.timezone)
    if ends_at <= starts_at:
        raise _Invalid("el regreso debe ser posterior a la salida")
    if starts_at <= now:
        raise _Invalid(f"la salida ({start.strip()}, hora de {settings.timezone.key}) ya pasó")
    try:
        offsets = parse_offsets(DEFAULT_OFFSETS if reminders is None else reminders)
    except ValueError as error:
        raise _Invalid(str(error)) from None
    if not any(item.strip() for item in invite):
        raise _Invalid("indique a quién invitar con --invitar")
    return _VisitRequest(checked_title, checked_destination, starts_at, ends_at, invite, offsets)


def create_visit(settings: Settings, **fields: Any) -> int:
    """Validate first (a typo writes nothing), then invite; the running bot sends what is owed."""
    now = datetime.now(UTC)
    try:
        request = _visit_request(**fields, settings=settings, now=now)
    except _Invalid as error:
        print(f"{_NOT_CREATED}: {error}.", file=sys.stderr)
        return 2
    return asyncio.run(_create_visit(settings, request, now))


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
        )
    es = translator("es", settings.timezone)
    print(visit.code)
    print(
        f"Visita «{visit.title}» a {visit.destination}: salida el {es.datetime(visit.starts_at)}, "
        f"regreso el {es.datetime(visit.ends_at)} (hora de {settings.timezone.key}); "
        f"{invited} persona(s) invitada(s); "
        f"{_reminders_text(visit.starts_at, list(visit.reminder_offsets), now)} de la salida. "
        "Minka enviará las invitaciones mientras esté en marcha."
    )
    if invited == 0:
        print(
            "Aviso: nadie registrado coincide con el público indicado; la visita quedó sin "
            "invitados.",
            file=sys.stderr,
        )
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
                visit.starts_at.astimezone(settings.timezone).strftime(_DATE_FORMAT),
                visit.ends_at.astimezone(settings.timezone).strftime(_DATE_FORMAT),
                visit.destination[:30],
                visit.title if len(visit.title) <= 40 else visit.title[:39] + "…",
                str(len(answers)),
                str(answers.count("accepted")),
                str(answers.count("declined")),
                str(sum(person.confirmed for person in people[visit.id])),
            )
        )
    header = (
        "código",
        "salida",
        "regreso",
        "destino",
        "título",
        "invitados",
        "aceptaron",
        "no pueden",
        "delegación",
    )
    for line in table(header, rows, right={5, 6, 7, 8}):
        print(line)
    return 0


async def confirm_visit(settings: Settings, code: str, telegram_ids: list[str]) -> int:
    """Put invitees who accepted (named by Telegram id) into the delegation."""
    from bot.services import visits
    from storage.repositories import visits as repo

    if not all(item.isascii() and item.isdigit() and len(item) <= 15 for item in telegram_ids):
        print("Los ID deben ser números de Telegram (como en --invitar id:ID).", file=sys.stderr)
        return 2
    code = code.strip().upper()
    async with migrated(settings) as db, db.session() as session:
        visit = await repo.get_by_code(session, code)
        if visit is None:
            print(
                f"No existe una visita con el código {code}; vea los códigos con "
                "`python -m bot visitas listar`.",
                file=sys.stderr,
            )
            return 1
        ids = [int(item) for item in telegram_ids]
        person_ids = await repo.person_ids_by_telegram(session, ids)
        done, _refused = await visits.confirm(
            session, visit, [person_ids[i] for i in ids if i in person_ids], datetime.now(UTC)
        )
    by_person = {person_id: telegram_id for telegram_id, person_id in person_ids.items()}
    confirmed = {by_person[person_id] for person_id in done}
    for telegram_id in ids:
        if telegram_id not in confirmed:
            print(
                f"id:{telegram_id} no fue confirmado: no está invitado a {code} o no aceptó.",
                file=sys.stderr,
            )
    print(f"Visita {code}: {len(confirmed)} persona(s) confirmada(s) en la delegación.")
    return 0 if len(confirmed) == len(set(ids)) else 1
