"""The union reader's second half (tests/test_union_disclosure.py): what a coordinator reads
of each workshop, meeting and study visit they cover, on screen (/taller, /reunion, /visita)
and in its workbook. Their tables by region, by sex and by group (leaders, officials) are
sums of the same people's units as the indicators' tables: a workshop's men beside the
national table by sex and the other workshops' men is the subtraction of issue #13. Each
figure goes to the reader as its group, its unit, whom of everyone its row counts and its
value (`test_union_disclosure.Read.add`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from typing import Any

from openpyxl import load_workbook

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.repositories import people
from tests.chat import Person as Chatter
from tests.helpers import register
from tests.union_dataset import LEADERS, PEOPLE, REGIONS, SEXES

# Per kind of unit: its command, and the groups its columns count (in the order of the
# columns, which the message's lines follow too).
UNITS = {"workshop": "/taller", "meeting": "/reunion", "visit": "/visita"}
COLUMNS: dict[str, dict[str, str]] = {
    "workshop": {"Asistentes": "attendees", "Respuestas": "raters"},
    "meeting": {
        "Invitados": "invitees",
        "Confirmaron": "confirmed",
        "No asistirán": "declined",
        "Enviarán representante": "delegated",
        "Sin respuesta": "pending",
        "Asistieron": "meeting_attendees",
    },
    "visit": {
        "Invitados": "visit_invited",
        "Aceptaron": "visit_accepted",
        "No pueden": "visit_declined",
        "Sin respuesta": "visit_pending",
        "Delegación (confirmada)": "visit_confirmed",
        "Viajaron": "visit_travelled",
    },
}


async def national_coordinator(api: LocalBotApi, runtime: Runtime) -> Chatter:
    """Nacho, a national coordinator (staff: not among the unknowns)."""
    nacho = Chatter(api, 5301, "Nacho", username="nacho_nacional")
    await register(nacho, region="MINEM", sex="Hombre")
    async with runtime.db.session() as session:
        await people.set_role(session, nacho.id, "coordinator", "*")
    return nacho


def _row_who(label: str) -> Callable[[str], bool] | None:
    """Whom of everyone a row of a unit's tables counts (a sex, a region, a group); the
    unit's own people among them are its figure's value."""
    if label in ("Líderes regionales", "Funcionarios/as"):
        leading = label == "Líderes regionales"
        return lambda name: (name in LEADERS) == leading
    sex = next((code for code, shown in SEXES.items() if shown == label), "?")
    if label == "Sin indicar":
        sex = None
    if sex != "?":
        return lambda name: PEOPLE[name][1] == sex
    region = next((code for code, shown in REGIONS.items() if shown == label), None)
    if region is not None:
        return lambda name: PEOPLE[name][0] == region
    return None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) else None


def _figures(
    kind: str, label: str, values: list[int | None]
) -> list[tuple[str, Callable[[str], bool], int]]:
    who = _row_who(label)
    if who is None:
        return []
    groups = list(COLUMNS[kind].values()) if kind != "workshop" else ["raters"]
    return [
        (group, who, value)
        for group, value in zip(groups, values, strict=False)
        if value is not None
    ]


def _message_rows(kind: str, text: str) -> list[tuple[str, list[int | None]]]:
    """The lines «group: figures» of the message (a workshop's: «average (responses)»)."""
    found = []
    for line in re.sub(r"<[^>]+>", "", text).splitlines():
        label, colon, rest = line.partition(": ")
        if not colon or label in ("Total",):
            continue
        if kind == "workshop":
            number = re.search(r"\((\d+)\)$", rest)
            values: list[int | None] = [int(number.group(1))] if number else []
        elif rest.strip() == "—":
            values = []
        else:
            values = [int(n.replace(",", "")) for n in re.findall(r"\b\d[\d,]*\b", rest)]
        if values:
            found.append((label, values))
    return found


def _sheet_rows(book: Any) -> list[tuple[str, list[str], list[Any]]]:
    """(sheet, header, row) of every breakdown sheet: by sex, by region, by group."""
    found = []
    for sheet in book.worksheets:
        cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
        if not cells or cells[0][0] not in ("Sexo", "Región", "Grupo"):
            continue
        found += [(sheet.title, [str(h) for h in cells[0]], row) for row in cells[1:]]
    return found


async def unit_report(
    api: LocalBotApi, person: Chatter, command: str, code: str
) -> tuple[str, Any]:
    """The unit's message and the workbook its «Descargar XLSX» button sends."""
    (message,) = await person.say(f"{command} {code}")
    await person.press(message, "XLSX")
    while True:
        event = await person.reply(timeout=120)
        if event.method == "sendDocument":
            book = load_workbook(BytesIO(api.files[event.params["file_id"]]))
            return message.text or "", book


async def unit_sums(
    api: LocalBotApi, person: Chatter, visible: dict[str, list[str]], add: Callable[..., None]
) -> None:
    """Read every unit `visible` lists (kind: codes) as `person`, on screen and in its
    workbook, and `add` each figure: its group, whom of everyone its row counts, where it
    was read, its unit (0: the visit, the only one) and its value."""
    for kind, codes in visible.items():
        command = UNITS[kind]
        for code in codes:
            unit = 0 if kind == "visit" else code
            text, book = await unit_report(api, person, command, code)
            for label, values in _message_rows(kind, text):
                for group, who, value in _figures(kind, label, [*values]):
                    add(group, who, f"{code} message {label}", unit, value)
            for sheet, header, row in _sheet_rows(book):
                who = _row_who(str(row[0]))
                if who is None:
                    continue
                for column, value in zip(header[1:], row[1:], strict=True):
                    group = COLUMNS[kind].get(column)
                    if group is not None and _count(value) is not None:
                        add(group, who, f"{code} {sheet} {row[0]} {column}", unit, value)
