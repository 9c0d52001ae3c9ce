"""Workshops from a CSV file, as coordinators keep them in a spreadsheet.

All or nothing: every row is checked first and every problem is reported with its line number,
so one pass fixes the whole file; only a clean file is written, in one transaction. Imports
are idempotent: re-importing the same file leaves every workshop 'unchanged'."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.dates import FIRST_YEAR, LAST_YEAR, plausible
from bot.services.regions import match_region, normalize
from bot.services.text import sanitize
from bot.services.workshops import SURVEY_OPEN_FOR, derived_code, valid_code
from storage.codes import code_key
from storage.repositories import app_state
from storage.repositories import workshops as repo
from storage.repositories.regions import RegionRecord, list_regions

HEADER = ("codigo", "titulo", "tema", "inicio", "fin", "region", "lugar", "facilitador")
LIMA = ZoneInfo("America/Lima")
TIME_FORMAT = "%Y-%m-%d %H:%M"
# The model's column sizes: longer texts would fail (PostgreSQL) or be kept whole (SQLite).
MAX_LENGTHS = {"titulo": 200, "tema": 200, "lugar": 300, "facilitador": 200}
_TIME_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
# What people write in `region` for workshops that belong to no region.
_NATIONAL = {"nacional", "virtual", "nacional virtual"}
_LABELS = {
    "titulo": "el título",
    "tema": "el tema",
    "lugar": "el lugar",
    "facilitador": "el facilitador",
}
BOT_USERNAME_KEY = "bot_username"


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a file cannot be imported, at a line of the file (1 = the header)."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class WorkshopRow:
    """A valid row. `code` is None when the file leaves it to be derived."""

    line: int
    code: str | None
    title: str
    topic: str | None
    starts_at: datetime
    ends_at: datetime
    region_code: str | None
    place: str | None
    facilitator: str | None

    def identity(self) -> tuple[str, datetime, str | None]:
        """What makes a code-less row the same workshop across imports."""
        return normalize(self.title), self.starts_at, self.region_code


@dataclass(frozen=True, slots=True)
class Imported:
    code: str
    title: str
    starts_at: datetime
    outcome: str  # 'created', 'updated' or 'unchanged'
    generated: bool  # the code was derived, not written in the file


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Either problems (and nothing written) or one entry per row, in file order."""

    problems: tuple[Problem, ...] = ()
    imported: tuple[Imported, ...] = ()


def _decode(data: bytes) -> tuple[str, Problem | None]:
    try:
        return sanitize(data.decode("utf-8-sig")), None  # cleaned where it enters
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return "", Problem(
            line,
            "el archivo no está en UTF-8: guárdelo como «CSV UTF-8 (delimitado por comas)»",
        )


def _delimiter(text: str) -> str:
    """Spreadsheets set to Spanish save CSV with `;`; the header tells which one was used."""
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _parse_time(raw: str, name: str) -> tuple[datetime | None, str | None]:
    text = " ".join(raw.split())
    if not text:
        return None, f"falta {name} (AAAA-MM-DD HH:MM, hora de Lima)"
    if not _TIME_SHAPE.fullmatch(text):
        return None, (
            f"{name} «{raw}» no tiene la forma AAAA-MM-DD HH:MM (por ejemplo 2026-03-15 09:00)"
        )
    try:
        wall = datetime.strptime(text, TIME_FORMAT)
    except ValueError:
        return None, f"{name} «{raw}» no es una fecha y hora válida"
    if not plausible(wall.date()):
        return None, f"{name} «{raw}» no está entre los años {FIRST_YEAR} y {LAST_YEAR}"
    return wall.replace(tzinfo=LIMA), None


def _region(raw: str, regions: list[RegionRecord]) -> tuple[str | None, str | None]:
    if not raw or normalize(raw) in _NATIONAL:
        return None, None
    match = match_region(raw, regions, unambiguous=True)
    if match.region is not None:
        return match.region.code, None
    names = [candidate.name for candidate in match.candidates]
    if len(names) > 1:
        listed = ", ".join(names[:-1]) + " o " + names[-1]
        return None, f"la región «{raw}» es ambigua: puede ser {listed}; escríbala completa"
    if names:
        return None, f"la región «{raw}» no es segura: ¿quiso decir {names[0]}?"
    return None, (
        f"la región «{raw}» no se reconoce; escriba el nombre de una región del Perú "
        "o deje la celda vacía si el taller es nacional o virtual"
    )


def _row(
    line: int, cells: dict[str, str], regions: list[RegionRecord]
) -> tuple[WorkshopRow | None, list[str]]:
    reasons: list[str] = []
    code: str | None = cells["codigo"].upper() or None
    if code is not None and not valid_code(code):
        reasons.append(
            f"el código «{cells['codigo']}» no es válido: use de 4 a 12 letras (sin tildes ni "
            "ñ), números y guiones, sin guion al principio ni al final, o déjelo vacío"
        )
    if not cells["titulo"]:
        reasons.append("falta el título")
    for name, limit in MAX_LENGTHS.items():
        if len(cells[name]) > limit:
            reasons.append(
                f"{_LABELS[name]} tiene {len(cells[name])} caracteres; el máximo es {limit}"
            )
    starts_at, reason = _parse_time(cells["inicio"], "el inicio")
    reasons += [reason] if reason else []
    ends_at, reason = _parse_time(cells["fin"], "el fin")
    reasons += [reason] if reason else []
    if starts_at and ends_at and ends_at <= starts_at:
        reasons.append(f"el fin ({cells['fin']}) debe ser posterior al inicio ({cells['inicio']})")
    region_code, reason = _region(cells["region"], regions)
    reasons += [reason] if reason else []
    if reasons or starts_at is None or ends_at is None:
        return None, reasons
    return WorkshopRow(
        line=line,
        code=code,
        title=cells["titulo"],
        topic=cells["tema"] or None,
        starts_at=starts_at,
        ends_at=ends_at,
        region_code=region_code,
        place=cells["lugar"] or None,
        facilitator=cells["facilitador"] or None,
    ), []


def parse(data: bytes, regions: list[RegionRecord]) -> tuple[list[WorkshopRow], list[Problem]]:
    """Check the whole file without touching the database: valid rows and every problem."""
    text, problem = _decode(data)
    if problem:
        return [], [problem]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    expected = ",".join(HEADER)
    try:
        header = next(reader, None)
    except csv.Error:
        return [], [Problem(1, "no se puede leer el encabezado como CSV")]
    if header is None:
        return [], [Problem(1, f"el archivo está vacío; la primera línea debe ser: {expected}")]
    found = [normalize(name) for name in header]
    while found and not found[-1]:  # spreadsheets add empty trailing columns
        found.pop()
    if tuple(found) != HEADER:
        missing = [name for name in HEADER if name not in found]
        extra = [name for name in header if normalize(name) not in HEADER]
        detail = (
            f" (faltan: {', '.join(missing)})"
            if missing
            else f" (sobran: {', '.join(extra)})"
            if extra
            else " (en otro orden)"
        )
        return [], [
            Problem(1, f"el encabezado debe ser exactamente: {expected}{detail}"),
        ]
    rows: list[WorkshopRow] = []
    problems: list[Problem] = []
    code_lines: dict[str, int] = {}
    identity_lines: dict[tuple[str, datetime, str | None], int] = {}
    line = reader.line_num + 1
    while True:
        try:
            record = next(reader, None)
        except csv.Error:
            problems.append(
                Problem(line, "la fila no se puede leer como CSV (¿comillas sin cerrar?)")
            )
            break
        if record is None:
            break
        start, line = line, reader.line_num + 1
        values = [value.strip() for value in record]
        while len(values) > len(HEADER) and not values[-1]:
            values.pop()
        if not any(values):
            continue
        if len(values) != len(HEADER):
            problems.append(
                Problem(start, f"la fila tiene {len(values)} columnas; se esperaban {len(HEADER)}")
            )
            continue
        row, reasons = _row(start, dict(zip(HEADER, values, strict=True)), regions)
        problems += [Problem(start, reason) for reason in reasons]
        code = values[0].strip().upper()
        if code:
            first = code_lines.setdefault(code_key(code), start)
            if first != start:
                problems.append(Problem(start, f"el código {code} ya está en la línea {first}"))
        if row is None:
            continue
        if row.code is None:
            twin = identity_lines.setdefault(row.identity(), start)
            if twin != start:
                problems.append(
                    Problem(
                        start,
                        f"repite el taller de la línea {twin} (mismo título, inicio y región); "
                        "si son talleres distintos, deles un código a cada uno",
                    )
                )
                continue
        rows.append(row)
    if not rows and not problems:
        problems.append(Problem(2, "no hay talleres debajo del encabezado"))
    return rows, sorted(problems, key=lambda problem: problem.line)


def _code_parts(row: WorkshopRow) -> tuple[str, str, str]:
    return normalize(row.title), row.starts_at.strftime(TIME_FORMAT), row.region_code or ""


async def _assign_codes(session: AsyncSession, rows: list[WorkshopRow]) -> list[str]:
    """Derived codes for code-less rows, stable across imports.

    A derived code taken by a different workshop (in the database or in the file) is derived
    again with a suffix. The same file always makes the same choices, because the workshop that
    took the first code last time is still there and still different."""
    taken = {code_key(row.code) for row in rows if row.code}
    codes: list[str] = []
    for row in rows:
        if row.code:
            codes.append(row.code)
            continue
        suffix = 1
        while True:
            parts = _code_parts(row)
            code = derived_code(*parts) if suffix == 1 else derived_code(*parts, str(suffix))
            suffix += 1
            if code_key(code) in taken:
                continue
            existing = await repo.get_by_code(session, code)
            if (
                existing is None
                or (
                    normalize(existing.title),
                    existing.starts_at,
                    existing.region_code,
                )
                == row.identity()
            ):
                break
        taken.add(code_key(code))
        codes.append(code)
    return codes


async def _moved_after_start(
    session: AsyncSession, rows: list[WorkshopRow], codes: list[str], now: datetime
) -> list[Problem]:
    """Rows that would give a workshop that has started another start or end. Its attendees
    belong to the period it was held in: moved then, they would leave a period perhaps
    already read, and two readings, subtracted, would tell who they were by region and sex
    (tests/test_workshop_moved_after_end); a new end would also move its survey's close."""
    problems = []
    for row, code in zip(rows, codes, strict=True):
        held = await repo.get_by_code(session, code)
        if held is None or now < held.starts_at:
            continue
        if (held.starts_at, held.ends_at) != (row.starts_at, row.ends_at):
            when = held.starts_at.astimezone(LIMA).strftime(TIME_FORMAT)
            problems.append(
                Problem(
                    row.line,
                    f"el taller {held.code} ya empezó ({when}): su inicio y su fin no se "
                    "pueden cambiar; déjelos como están",
                )
            )
    return problems


async def import_workshops(session: AsyncSession, data: bytes, now: datetime) -> ImportResult:
    """Validate the file; if it is clean, create or update every workshop in `session`. A
    workshop that has started at `now` (Minka's clock) keeps its start and end
    (`_moved_after_start`).

    The caller's session is one transaction, so either every row is written or none is."""
    rows, problems = parse(data, await list_regions(session))
    if problems:
        return ImportResult(problems=tuple(problems))
    codes = await _assign_codes(session, rows)
    if problems := await _moved_after_start(session, rows, codes, now):
        return ImportResult(problems=tuple(problems))
    imported = []
    for row, code in zip(rows, codes, strict=True):
        outcome = await repo.upsert(
            session,
            code,
            title=row.title,
            topic=row.topic,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            region_code=row.region_code,
            place=row.place,
            facilitator=row.facilitator,
            survey_closes_at=row.ends_at + SURVEY_OPEN_FOR,
        )
        imported.append(Imported(code, row.title, row.starts_at, outcome, row.code is None))
    return ImportResult(imported=tuple(imported))


async def stored_bot_username(session: AsyncSession) -> str | None:
    """The @username the running bot saved, needed for check-in links printed by the CLI."""
    username = (await app_state.get(session, BOT_USERNAME_KEY) or "").strip().lstrip("@")
    return username or None
