"""One meeting's report beside the national table by sex (issue #13's subtraction): meeting A
invites three women and one man of Puno, meeting B three women and three men of Cusco.
Before the fix /reunion A hid its «Hombre» row (one man, beside the list of who answered),
/reunion B showed «Hombre: 3» and indicator 1's table by sex «Hombre: 4 invitados»: 4 − 3
gave A's one man. A unit's report (a workshop, a meeting, a visit) now has no counts by sex
(see `bot.services.meeting_report`); the indicators' tables by sex keep theirs.

The reader (`tests.derivation`): each figure the national report, the Puno and Cusco reports
and each meeting's workbook show is the set of invitees it counts; told: some combination
rests on 1 or 2 people."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from bot.services.meeting_report import build_report
from bot.services.meeting_xlsx import report_xlsx
from storage.db import Database
from storage.models import Meeting
from tests.derivation import singled_out
from tests.test_linked_disclosure import T, _meetings, _participation, rows

INVITED = {
    "MA": [("puno", "female", "yes")] * 3 + [("puno", "male", "yes")],
    "MB": [("cusco", "female", "yes")] * 3 + [("cusco", "male", "yes")] * 3,
}
# Each invitee: (meeting, region, sex), numbered in the order created.
PEOPLE = [(code, r, s) for code, invited in INVITED.items() for r, s, _answer in invited]
SEXES = {"Mujer": "female", "Hombre": "male"}
REGIONS = {"Puno": "puno", "Cusco": "cusco"}


def _who(label: str, scope: dict[int, tuple[str, str, str]]) -> set[tuple[int, str]] | None:
    """The invitees a row labelled `label` counts, of those in `scope`; None: not a group."""
    if label == "Total":
        return {(i, "invited") for i in scope}
    if label in SEXES:
        return {(i, "invited") for i, p in scope.items() if p[2] == SEXES[label]}
    if label in REGIONS:
        return {(i, "invited") for i, p in scope.items() if p[1] == REGIONS[label]}
    return None


async def test_a_meetings_men_are_not_the_national_men_less_the_others(db: Database) -> None:
    await _meetings(db, INVITED)
    everyone = dict(enumerate(PEOPLE))
    known: list[set[tuple[int, str]]] = []
    for region in (None, *REGIONS.values()):
        report = await _participation(db, region)
        scope = {i: p for i, p in everyone.items() if region is None or p[1] == region}
        by_region, by_sex, _meetings_table = report.tables
        for table in (by_region, by_sex):
            for label, values in rows(table).items():
                who = _who(str(label), scope)
                if who and values[0] is not None:  # «Invitados»
                    known.append(who)
    async with db.session() as session:
        meetings = list(await session.scalars(select(Meeting).order_by(Meeting.code)))
        for meeting in meetings:
            report = await build_report(session, meeting.id)
            assert report is not None
            book = load_workbook(BytesIO(report_xlsx(report, T)))
            scope = {i: p for i, p in everyone.items() if p[0] == meeting.code}
            known.append(_who("Total", scope) or set())
            for sheet in book.worksheets:
                header = [cell.value for cell in sheet[1]]
                if header[0] not in ("Sexo", "Región") or "Invitados" not in header:
                    continue
                column = header.index("Invitados")
                for row in sheet.iter_rows(min_row=2, values_only=True):
                    who = _who(str(row[0]), scope)
                    if who is not None and isinstance(row[column], int):
                        assert len(who) == row[column], (meeting.code, row)
                        known.append(who)
    assert len(known) > 8  # the reader got the tables (labels matched)
    assert singled_out([s for s in known if s]) is None
