"""Everything one coordinator can see, read together (issue #13): the XLSX workbook of
/indicadores for every scope they may ask for (national and each region's for a national
coordinator; each granted region's for a regional one) and /registrados, over the chat. The
summary and the charts are drawn from the workbook's tables (`render.py`, `charts.py`), so
reading its sheets reads them too.

The small cells: Puno has one man, Tacna two women, Piura one person who preferred not to say
their sex; in Cusco one man registered one of its three cases; two of Tacna's five readers
of the Tool Kit are women. Each group's population in each region is 0 or at least 3, so a
count by region (public: /registrados prints them) never rests on 1 or 2 people; only the
splits by sex do.

The reader (`tests.derivation`): each figure shown (a count, or a share's numerator and
denominator) is the set of (person, unit) it adds up, one unit per person and group (a
person registered, a workshop attendee, a rater, a meeting invitee…) and one per case. A
person's memberships of different groups are separate unknowns, as in the other small-cell
tests: what is read is who, of each group, is of which sex. The tables of each workshop, each
meeting and each publication are read too, and so are the study visits, with the regional
leaders and the officials, where one group is the other less its leaders: their figures are
sums of the same people's units. Each person attends one workshop, is invited to one meeting
and gets the publication once, so that a row of those tables is a sum of the same units as
the tables by region and sex; each workshop's, meeting's and publication's people in each
region are 0 or at least 3 (public in /taller and /reunion). The visit's regional leaders
are Puno's five (a public count: the pilot regions covered), its one man among them: the
table by sex counted him, «Hombre: … 1 líder invitado» (the reader found him)."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.repositories import people
from tests.chat import Person as Chatter
from tests.derivation import singled_out
from tests.helpers import register
from tests.union_dataset import (
    GROUPS,
    LEADERS,
    MEETINGS,
    PEOPLE,
    PUBLICATION,
    QUARTER,
    REGIONS,
    SEXES,
    WORKSHOPS,
    seed,
)
from tests.union_units import national_coordinator, unit_sums

# Columns counting a group's people (or cases), by the workbook's sheet number.
COUNTS: dict[tuple[int, str], str] = {
    (1, "Invitados"): "invitees",
    (1, "Confirmaron (en persona o con representante)"): "confirmed",
    (1, "Asistieron"): "meeting_attendees",
    (1, "Enviaron representante"): "delegated",
    (1, "Respondieron que no"): "declined",
    (3, "Asistentes"): "attendees",
    (3, "Personas que calificaron"): "raters",
    (3, "Respuestas"): "raters",  # one a person and workshop
    (4, "Casos"): "cases",
    (4, "Funcionarios que registraron casos"): "case_officials",
    (6, "Lectores únicos"): "readers",
    (8, "Personas registradas"): "registered",
    (8, "Recibieron una publicación en el periodo"): "received",
    (8, "La recibieron en el periodo"): "received",
    (8, "Alcanzadas hasta el final del periodo"): "reached",
    (8, "La recibieron hasta el final del periodo"): "reached",
    (9, "Invitados"): "visit_invited",
    (9, "Aceptaron"): "visit_accepted",
    (9, "Viajaron"): "visit_travelled",
    # The leaders among them: the same units (officials are the group less its leaders).
    (9, "Líderes invitados"): "visit_invited@leaders",
    (9, "Líderes que aceptaron"): "visit_accepted@leaders",
    (9, "Líderes que viajaron"): "visit_travelled@leaders",
}
# Shares: (numerator, denominator), each a group.
SHARES: dict[tuple[int, str], tuple[str, str]] = {
    (1, "Tasa de confirmación"): ("confirmed", "invitees"),
    (1, "Tasa de asistencia"): ("meeting_attendees", "invitees"),
    (3, "Tasa de respuesta"): ("raters", "attendees"),
    (8, "Proporción de personas registradas alcanzadas"): ("reached", "registered"),
    (9, "Proporción de líderes regionales entre quienes viajaron"): (
        "visit_travelled@leaders",
        "visit_travelled",
    ),
}
# Indicator 7's groups, by the label of their row (table 1) and column (table 2).
WOMEN_GROUPS = {
    "Personas registradas": "registered",
    "Asistentes a talleres": "attendees",
    "Personas que calificaron un taller": "raters",
    "Personas invitadas a reuniones": "invitees",
    "Personas que asistieron a reuniones": "meeting_attendees",
}

Unknown = tuple[str, tuple[str, int]]
Known = list[set[Unknown]]
WHERE: dict[frozenset[Unknown], str] = {}  # a figure's sums: where it was read (for failures)


def _units(group: str, where: Callable[[str], bool]) -> set[Unknown]:
    """The units of `group`'s people for whom `where` holds; «group@leaders»: its leaders
    only, with the group's own units."""
    group, _at, leaders = group.partition("@")
    chosen = [name for name in GROUPS[group] if where(name) and (not leaders or name in LEADERS)]
    return {(name, (group, 0)) for name in chosen}


def _add(known: Known, sums: set[Unknown], where: str) -> None:
    known.append(sums)
    WHERE.setdefault(frozenset(sums), where)


def _told(known: Known) -> str | None:
    """The people the reader singles out and the figures that touch them, or None."""
    chosen = singled_out(known)
    if chosen is None:
        return None
    touching = {WHERE.get(frozenset(s), "?") for s in known if any(u[0] in chosen for u in s)}
    return f"{chosen}: " + "; ".join(sorted(touching))


def _row_filter(
    number: int, header: list[str], row: list[Any], scope: str | None
) -> Callable[[str], bool] | None:
    """Who a row counts in a report of `scope`; None: not a region, a sex, a group of the
    visit, a workshop, a meeting, a publication or the total (a criterion, a month, a kind of
    case)."""
    label = str(row[0])

    def inside(name: str) -> bool:
        return scope is None or PEOPLE[name][0] == scope

    members = None
    if header[0] == "Código":
        members = WORKSHOPS.get(label)
    elif number == 1 and header[0] == "Fecha":
        members = MEETINGS.get(str(row[1]))
    elif header[0] == "Publicación" and label == PUBLICATION:
        members = GROUPS["received"]
    elif label in ("Líderes regionales", "Funcionarios/as"):
        leading = label == "Líderes regionales"
        return lambda name: inside(name) and (name in LEADERS) == leading
    if members is not None:
        return lambda name: inside(name) and name in members
    if label == "Total":
        return inside
    region = next((code for code, shown in REGIONS.items() if shown == label), None)
    if region is not None:
        return lambda name: inside(name) and PEOPLE[name][0] == region
    if label in SEXES.values():
        sex = next(code for code, shown in SEXES.items() if shown == label)
        return lambda name: inside(name) and PEOPLE[name][1] == sex
    return None


def _tables(book: Any) -> list[tuple[int, list[str], list[list[Any]]]]:
    """Every table of every indicator sheet: (sheet's indicator number, header, rows)."""
    found = []
    for sheet in book.worksheets[1:]:
        number = int(str(sheet["A1"].value).split(".")[0])
        for table in sheet.tables.values():
            cells = [[cell.value for cell in row] for row in sheet[table.ref]]
            found.append((number, [str(h) for h in cells[0]], cells[1:]))
    return found


def _shown(value: Any) -> bool:
    return value not in (None, "—")


def _workbook_sums(book: Any, scope: str | None) -> Known:
    known: Known = []
    for number, header, rows in _tables(book):
        for row in rows:
            label = str(row[0])
            if number == 7 and label in WOMEN_GROUPS:  # «Mujeres en cada grupo»
                group = WOMEN_GROUPS[label]
                for column, sex in enumerate(SEXES, start=1):
                    if _shown(row[column]):
                        _add(known, _units(group, _with(scope, sex)), f"{scope} 7 {label} {sex}")
                if _shown(row[-1]):  # the share of women beside the group's total
                    _add(known, _units(group, _with(scope, "female")), f"{scope} 7 {label} %")
                continue
            who = _row_filter(number, header, row, scope)
            if who is None:
                continue
            for column, value in zip(header[1:], row[1:], strict=True):
                if not _shown(value):
                    continue
                if number == 7 and column in WOMEN_GROUPS:  # a region's share of women
                    group = WOMEN_GROUPS[column]
                    women = _units(group, lambda n, w=who: w(n) and PEOPLE[n][1] == "female")
                    _add(known, women, f"{scope} 7 {label} {column} %")
                    _add(known, _units(group, who), f"{scope} 7 {label} {column} (all)")
                elif (number, column) in COUNTS:
                    _add(
                        known,
                        _units(COUNTS[number, column], who),
                        f"{scope} {number} {label} {column}",
                    )
                elif (number, column) in SHARES:
                    part, whole = SHARES[number, column]
                    _add(known, _units(part, who), f"{scope} {number} {label} {column}")
                    _add(known, _units(whole, who), f"{scope} {number} {label} {column} (of)")
    return known


def _with(scope: str | None, sex: str | None) -> Callable[[str], bool]:
    return lambda name: (scope is None or PEOPLE[name][0] == scope) and PEOPLE[name][1] == sex


def _registered_sums(text: str) -> Known:
    """/registrados: each region's people, and its split by sex where shown."""
    known: Known = []
    for region, name in REGIONS.items():
        line = re.search(rf"^{name}: (\d+) \((.*)\)$", text, re.MULTILINE)
        if line is None:
            continue
        in_region = lambda n, r=region: PEOPLE[n][0] == r  # noqa: E731
        _add(known, _units("registered", in_region), f"/registrados {name}")
        for code, shown in SEXES.items():
            if f"{shown}: " in line.group(2):
                mine = _units("registered", lambda n, r=region, s=code: PEOPLE[n] == (r, s))
                _add(known, mine, f"/registrados {name} {shown}")
    return known


async def _workbook(api: LocalBotApi, person: Chatter, scope_button: str | None) -> Any:
    (periods,) = await person.say("/indicadores")
    await person.press(periods, QUARTER)
    if scope_button is not None:
        await person.press(await person.reply(), scope_button)
    while True:
        event = await person.reply(timeout=120)
        if event.method == "sendDocument":
            document = event
        if event.method == "editMessageText" and "listo" in (event.text or ""):
            return load_workbook(BytesIO(api.files[document.params["file_id"]]))


async def _everything(
    api: LocalBotApi,
    person: Chatter,
    scopes: dict[str | None, str | None],
    units: dict[str, list[str]],
) -> Known:
    """What `person` reads: /registrados, the workbook of each scope they may ask for
    (`scopes`: region code or None for all, and the scope button, None if not asked), and
    each workshop, meeting and visit they cover (`units`: kind and codes), on screen and in
    its workbook."""
    (registered,) = await person.say("/registrados")
    known = _registered_sums(registered.text)
    for scope, button in scopes.items():
        known += _workbook_sums(await _workbook(api, person, button), scope)
    await unit_sums(api, person, units, lambda sums, where: _add(known, sums, where))
    return [sums for sums in known if sums]


@pytest.mark.long(45)  # alone: 40 s (SQLite), 45 s (PostgreSQL) at load 3
async def test_a_national_coordinator_reads_everything_together(
    api: LocalBotApi, runtime: Runtime, admin: Chatter
) -> None:
    nacho = await national_coordinator(api, runtime)
    await seed(runtime)
    scopes = {None: "Todas las regiones", **{code: name for code, name in REGIONS.items()}}
    units = {"workshop": ["UNION1", "UNION2"], "meeting": ["UNIONM0", "UNIONM1"]}
    known = await _everything(api, nacho, scopes, {**units, "visit": ["UNIONV"]})
    assert len(known) > 50  # the reader got the tables (labels matched)
    assert _told(known) is None


async def test_a_regional_coordinator_reads_everything_together(
    api: LocalBotApi, runtime: Runtime, ana: Chatter
) -> None:
    await register(ana, region="MINEM")  # her profile's region is not what she covers
    async with runtime.db.session() as session:
        await people.set_role(session, ana.id, "coordinator", "puno,tacna")
    await seed(runtime)
    # The meetings and the visit invite people of regions she does not cover: not hers.
    workshops = {"workshop": ["UNION1", "UNION2"]}
    known = await _everything(api, ana, {"puno": "Puno", "tacna": "Tacna"}, workshops)
    assert len(known) > 20
    assert _told(known) is None


async def test_a_coordinator_of_one_region_reads_everything_together(
    api: LocalBotApi, runtime: Runtime, ana: Chatter
) -> None:
    """Puno's coordinator gets Puno's report directly (no scope to choose) and sees Puno's
    workshop, attended by Cusco's women too."""
    await register(ana, region="MINEM")
    async with runtime.db.session() as session:
        await people.set_role(session, ana.id, "coordinator", "puno")
    await seed(runtime)
    known = await _everything(api, ana, {"puno": None}, {"workshop": ["UNION1"]})
    assert len(known) > 10
    assert _told(known) is None
