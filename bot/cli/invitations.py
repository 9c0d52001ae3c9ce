"""What `reuniones` and `visitas` share in the shell: dates typed on the configured zone's
clock, checked texts, reminders, the audience in words and the warnings about it. Everything
is checked before the database is touched: a typo writes nothing."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.cli.commands import plural
from bot.services.dates import FIRST_YEAR, LAST_YEAR, plausible

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.i18n import Translator
    from bot.services.meetings import Audience

_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
DATE_FORMAT = "%Y-%m-%d %H:%M"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Invalid(ValueError):
    """An order the CLI refuses before touching the database; the message is Spanish."""


def local_time(text: str, name: str, zone: ZoneInfo) -> datetime:
    """'2026-11-26 10:00' on the configured zone's clock, as UTC; exactly that shape."""
    text = text.strip()
    if not _DATE_SHAPE.fullmatch(text):
        raise Invalid(f"{name} «{text}» no tiene la forma AAAA-MM-DD HH:MM")
    try:
        wall = datetime.strptime(text, DATE_FORMAT)
    except ValueError:
        raise Invalid(f"{name} «{text}» no es una fecha válida") from None
    if not plausible(wall.date()):
        raise Invalid(f"{name} «{text}» no está entre los años {FIRST_YEAR} y {LAST_YEAR}")
    moment = wall.replace(tzinfo=zone).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != wall:  # skipped by a clock change
        raise Invalid(f"{name} «{text}» no existe en {zone.key} (cambio de hora)")
    return moment


def checked(value: str | None, name: str, limit: int | None, *, lines: bool = False) -> str | None:
    """A typed text within `limit`, None when empty, its spaces collapsed as the chat's forms
    collapse them (handlers/guided.py): Unicode's other separators (U+2028, U+2029) went
    through as typed, raw into a meeting's .ics file. With `lines`, each of them is a line
    break (written «\\n» there), as a «\\n» is."""
    text = value or ""
    parts = text.splitlines() if lines else [text]
    value = "\n".join(" ".join(part.split()) for part in parts).strip()
    if not value:
        return None
    if limit is not None and len(value) > limit:
        raise Invalid(f"{name} tiene {len(value)} caracteres; el máximo es {limit}")
    if _CONTROL.search(value.replace("\n", "") if lines else value):
        raise Invalid(f"{name} tiene caracteres de control")
    return value


def dates(
    start: str, end: str, zone: ZoneInfo, now: datetime, names: tuple[str, str, str]
) -> tuple[datetime, datetime]:
    """Start and end on the zone's clock; `names`: how the start and end are called and the
    rule between them («el inicio», «el fin», «el fin debe ser posterior al inicio»)."""
    starts_at = local_time(start, names[0], zone)
    ends_at = local_time(end, names[1], zone)
    if ends_at <= starts_at:
        raise Invalid(names[2])
    if starts_at <= now:
        raise Invalid(f"{names[0]} ({start.strip()}, hora de {zone.key}) ya pasó")
    return starts_at, ends_at


def offsets(reminders: str | None, default: str) -> list[int]:
    """`--recordatorios` (or the default) as seconds before the start, at least one."""
    from bot.services.meetings import parse_offsets

    try:
        found = parse_offsets(default if reminders is None else reminders)
    except ValueError as error:
        raise Invalid(str(error)) from None
    if not found:
        raise Invalid(f"indique al menos un recordatorio, por ejemplo {default}")
    return found


def invited(invite: list[str]) -> list[str]:
    """The `--invitar` items, at least one not empty."""
    if not any(item.strip() for item in invite):
        raise Invalid("indique a quién invitar con --invitar")
    return invite


def duration(seconds: int) -> str:
    for unit, one, many in ((86400, "día", "días"), (3600, "hora", "horas")):
        if seconds % unit == 0:
            return plural(seconds // unit, one, many)
    return plural(seconds // 60, "minuto", "minutos")


def spanish_list(items: list[str], conjunction: str = "y") -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def reminders_text(starts_at: datetime, offsets: list[int], now: datetime) -> str:
    """The service owes only the reminders still ahead; say which ones were left out."""
    ahead = [s for s in offsets if starts_at - timedelta(seconds=s) > now]
    past = [duration(s) for s in offsets if s not in ahead]
    text = (
        f"recordatorios {spanish_list([duration(s) for s in ahead])} antes"
        if ahead
        else "sin recordatorios"
    )
    if past:
        verbs = "ya pasó, se omite" if len(past) == 1 else "ya pasaron, se omiten"
        text += f" ({spanish_list(past)} antes {verbs})"
    return text


async def public(
    session: AsyncSession, audience: Audience, es: Translator
) -> tuple[str, list[int]]:
    """The audience in words, and the Telegram ids it names that are nobody registered
    (meetings and study visits)."""
    from bot.services.profile import INSTITUTIONS
    from bot.services.roles import ROLE_LABELS, Role
    from storage.repositories import people
    from storage.repositories.regions import list_regions

    region_names = {region.code: region.name for region in await list_regions(session)}
    unknown_ids = [
        telegram_id
        for telegram_id in sorted(audience.telegram_ids)
        if not ((person := await people.get(session, telegram_id)) and person.is_registered)
    ]
    if audience.everyone:
        return "todas las personas registradas", unknown_ids
    parts = [f"región {region_names.get(code, code)}" for code in sorted(audience.regions)]
    parts += [
        f"institución {es.gettext(INSTITUTIONS[name])}" for name in sorted(audience.institutions)
    ]
    parts += [
        f"rol {es.gettext(ROLE_LABELS[Role(name)]).lower()}" for name in sorted(audience.roles)
    ]
    parts += [f"id {telegram_id}" for telegram_id in sorted(audience.telegram_ids)]
    return ", ".join(parts), unknown_ids


def unknown_code(code: str, what: str, order: str) -> None:
    """`what`: «una reunión», «una visita»; `order`: «reuniones», «visitas»."""
    print(
        f"No existe {what} con el código {code}; vea los códigos con "
        f"`python -m bot {order} listar`.",
        file=sys.stderr,
    )


def warn_invited(unknown_ids: list[int], invited: int, what: str) -> None:
    """`what`: «la reunión», «la visita»."""
    for telegram_id in unknown_ids:
        print(
            f"Aviso: id:{telegram_id} no es una persona registrada en Minka; no fue invitada.",
            file=sys.stderr,
        )
    if invited == 0:
        print(
            f"Aviso: nadie registrado coincide con el público indicado; {what} quedó sin "
            "invitados.",
            file=sys.stderr,
        )
