"""The workshop report on real databases (SQLite and PostgreSQL): a small dataset whose every
number was worked out by hand, the small-group rule, and the spreadsheet built from it."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import translator
from bot.services.workshop_report import (
    SMALL_CELL,
    Cell,
    CriterionStats,
    WorkshopReport,
    build_report,
)
from bot.services.workshop_xlsx import report_xlsx
from storage.db import Database
from storage.repositories import people
from storage.repositories import workshops as repo

LIMA = ZoneInfo("America/Lima")
STARTS = datetime(2026, 11, 26, 9, 0, tzinfo=LIMA)
ENDS = STARTS + timedelta(hours=4)
DONE = ENDS + timedelta(hours=2)

# telegram id: (sex, region code); ratings below.
PEOPLE: dict[int, tuple[str | None, str | None]] = {
    1: ("female", "puno"),
    2: ("female", "puno"),
    3: ("female", "puno"),
    4: ("female", "piura"),
    5: ("male", "piura"),
    6: ("undisclosed", None),
    7: (None, "cusco"),
}
# In the order the ratings are created (rating ids): person 4 first, so comments follow ids.
RATINGS: list[tuple[int, dict[str, Any]]] = [
    (4, dict(overall=5, content=3, facilitation=5, usefulness=5, organization=2,
             comment="Más práctica, por favor")),
    (1, dict(overall=5, content=4, facilitation=5, usefulness=4, organization=3,
             comment="  Muy útil ")),
    (2, dict(overall=4, content=4, facilitation=4, usefulness=5, organization=3, comment=None)),
    (3, dict(overall=3, content=5, facilitation=4, usefulness=4, organization=4, comment="   ")),
    (5, dict(overall=2, content=2, facilitation=3, usefulness=3, organization=None, comment="")),
]  # fmt: skip


async def _person(session: AsyncSession, telegram_id: int) -> int:
    sex, region = PEOPLE[telegram_id]
    record = await people.create(
        session,
        telegram_id=telegram_id,
        username=None,
        telegram_name=f"Persona {telegram_id}",
        locale="es",
        consent_at=STARTS - timedelta(days=30),
        role="official",
    )
    await people.update(
        session,
        telegram_id,
        full_name=f"Persona {telegram_id}",
        region_code=region,
        sex=sex,
        registered_at=STARTS - timedelta(days=30),
    )
    return record.id


async def _workshop(session: AsyncSession, code: str) -> int:
    workshop = await repo.create(
        session,
        code=code,
        title="Formalización minera: REINFO",
        starts_at=STARTS,
        ends_at=ENDS,
        survey_closes_at=ENDS + timedelta(days=7),
        region_code="puno",
        place="Auditorio DREM Puno",
        facilitator="Ing. Luis Condori",
    )
    return workshop.id


async def _dataset(db: Database) -> int:
    """7 attendees, 5 completed responses, 1 incomplete; noise in a second workshop."""
    async with db.session() as session:
        ids = {telegram_id: await _person(session, telegram_id) for telegram_id in PEOPLE}
        workshop_id = await _workshop(session, "RPT234")
        other_id = await _workshop(session, "OTR567")
        for person_id in ids.values():
            assert await repo.check_in(session, workshop_id, person_id, ENDS)
        # Scanning the code again (or pressing the button twice) adds nobody.
        assert not await repo.check_in(session, workshop_id, ids[1], ENDS)
        assert not await repo.check_in(session, workshop_id, ids[5], ENDS)
        for telegram_id, answers in RATINGS:
            await repo.set_rating(session, workshop_id, ids[telegram_id], **answers)
            await repo.set_rating(session, workshop_id, ids[telegram_id], completed_at=DONE)
        # Submitting again changes the answer, not the count.
        await repo.set_rating(session, workshop_id, ids[2], overall=4, completed_at=DONE)
        # Started, never finished: neither a response nor a comment.
        await repo.set_rating(
            session, workshop_id, ids[6], overall=1, content=1, comment="No debería salir"
        )
        # Another workshop's answers must not leak in.
        await repo.check_in(session, other_id, ids[1], ENDS)
        await repo.set_rating(
            session, other_id, ids[1], overall=1, comment="Otro taller", completed_at=DONE
        )
    return workshop_id


async def _report(db: Database) -> WorkshopReport:
    workshop_id = await _dataset(db)
    async with db.session() as session:
        report = await build_report(session, workshop_id)
    assert report is not None
    return report


async def test_totals_criteria_and_comments(db: Database) -> None:
    report = await _report(db)
    assert report.workshop.code == "RPT234" and report.workshop.region_name == "Puno"
    assert report.attendees == 7
    assert report.responses == 5
    assert report.response_rate == pytest.approx(5 / 7)
    # Every distribution has a count of 1 or 2 (one person's or two people's answer): hidden.
    assert report.criteria == {
        "overall": CriterionStats(3.8, 5, None),  # 5 5 4 3 2
        "content": CriterionStats(3.6, 5, None),  # 3 4 4 5 2
        "facilitation": CriterionStats(4.2, 5, None),  # 5 5 4 4 3
        "usefulness": CriterionStats(4.2, 5, None),  # 5 4 5 4 3
        "organization": CriterionStats(3.0, 4, None),  # 2 3 3 4, one left blank
    }
    # Blank and whitespace-only comments are dropped; the rest sorted (not by who rated first).
    assert report.comments == ("Más práctica, por favor", "Muy útil")


async def test_breakdowns_hide_small_groups(db: Database) -> None:
    report = await _report(db)
    assert SMALL_CELL == 3
    # Piura has two raters: hidden. Puno's 4.0 (from 3) beside the total 3.8 (from 5) would
    # give away the rest (19 − 12 = 7 for Piura's two), so it is hidden too. No breakdown by
    # sex: the indicators' tables by sex hold its margins (see bot.services.workshop_report).
    assert report.by_region == [  # participants' regions, in the official order
        Cell("Cusco", responses=0, average_overall=None, attendees=1),
        Cell("Piura", responses=2, average_overall=None, attendees=2),  # two: hidden
        Cell("Puno", responses=3, average_overall=None, attendees=3),  # would reveal Piura
        Cell(None, responses=0, average_overall=None, attendees=1),
    ]
    assert sum(c.attendees for c in report.by_region) == report.attendees
    assert sum(c.responses for c in report.by_region) == report.responses


async def test_empty_and_unknown_workshops(db: Database) -> None:
    async with db.session() as session:
        workshop_id = await _workshop(session, "VAC789")
        assert await build_report(session, workshop_id + 100) is None
        report = await build_report(session, workshop_id)
    assert report is not None
    assert (report.attendees, report.responses, report.response_rate) == (0, 0, None)
    assert report.criteria["overall"] == CriterionStats(None, 0, (0, 0, 0, 0, 0))
    assert report.comments == () and report.by_region == []
    t = translator("es", LIMA)
    book = load_workbook(BytesIO(report_xlsx(report, t)))
    assert book["Resumen"]["B13"].value == "—"  # no response rate without attendees
    assert book["Criterios"]["B2"].value == "—"
    assert book["Comentarios"].max_row == 1


async def test_spreadsheet(db: Database) -> None:
    report = await _report(db)
    t = translator("es", LIMA)
    book = load_workbook(BytesIO(report_xlsx(report, t)))
    assert book.sheetnames == ["Resumen", "Criterios", "Por región", "Comentarios"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
        assert all(cell.value for cell in sheet[1]), sheet.title
        assert sheet.column_dimensions["A"].width >= 8

    summary = {row[0]: row[1] for row in book["Resumen"].iter_rows(min_row=2, values_only=True)}
    assert summary[t.gettext("Code")] == "RPT234"
    assert summary[t.gettext("Starts")] == "jueves 26 de noviembre de 2026, 09:00"
    assert summary[t.gettext("Region")] == "Puno"
    assert summary[t.gettext("Attendees")] == 7
    assert summary[t.gettext("Responses")] == 5
    rate = next(
        cell
        for label, cell in book["Resumen"].iter_rows(min_row=2)
        if label.value == t.gettext("Response rate")
    )
    assert rate.value == pytest.approx(5 / 7) and rate.data_type == "n"
    assert "%" in rate.number_format

    criteria = book["Criterios"]
    assert [c.value for c in criteria[1]] == [
        t.gettext("Criterion"),
        t.gettext("Average"),
        t.gettext("Responses"),
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    assert [c.value for c in criteria[2]] == [t.gettext("Overall rating"), 3.8, 5, *["—"] * 5]
    assert criteria["B2"].data_type == "n" and criteria["B2"].number_format == "0.00"
    assert criteria["A6"].value == t.gettext("Organisation") and criteria["C6"].value == 4

    by_region = list(book["Por región"].iter_rows(values_only=True))
    assert by_region[0][0] == "Región"  # already translated in the Spanish catalog
    assert by_region[1:] == [
        ("Cusco", 1, 0, "—"),
        ("Piura", 2, 2, "—"),
        ("Puno", 3, 3, "—"),
        (t.gettext("Not given"), 1, 0, "—"),
    ]
    comments = list(book["Comentarios"].iter_rows(values_only=True))
    assert comments[1:] == [(1, "Más práctica, por favor"), (2, "Muy útil")]
    assert not any("Persona" in str(value) for row in comments for value in row)


async def test_comments_of_fewer_than_three_responses_are_not_shown(db: Database) -> None:
    """The survey promises a comment is shown without its author's name; a workshop of two
    attendees, both rating and one commenting, showed «No me gustó el trato del facilitador»
    beside «2 responses» and their names in the attendance: one of two people wrote it (and
    the other knows which). Comments need 3 responses, as a study visit's texts do."""
    async with db.session() as session:
        ids = [await _person(session, telegram_id) for telegram_id in (1, 2)]
        workshop_id = await _workshop(session, "DOS234")
        for person_id, comment in zip(
            ids, ("No me gustó el trato del facilitador", None), strict=True
        ):
            assert await repo.check_in(session, workshop_id, person_id, ENDS)
            await repo.set_rating(
                session, workshop_id, person_id, overall=2, comment=comment, completed_at=DONE
            )
        report = await build_report(session, workshop_id)
    assert report is not None and report.responses == 2
    assert report.comments == ()
    book = load_workbook(BytesIO(report_xlsx(report, translator("es", LIMA))))
    assert book["Comentarios"].max_row == 1
