"""The meeting report on real databases (SQLite and PostgreSQL): a small dataset whose every
count was worked out by hand, and the spreadsheet built from it."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import translator
from bot.services.meeting_report import (
    Counts,
    Delegate,
    GroupCounts,
    MeetingReport,
    build_report,
)
from bot.services.meeting_xlsx import report_xlsx
from storage.db import Database
from storage.repositories import meetings, people

LIMA = ZoneInfo("America/Lima")
STARTS = datetime(2026, 11, 26, 9, 0, tzinfo=LIMA)
ENDS = STARTS + timedelta(hours=2)
BEFORE = STARTS - timedelta(days=2)
AGREEMENTS = "1. La DREM envía el padrón REINFO.\n2. Próxima reunión: enero."
POSITION = "Director regional de energía y minas"

# telegram id: (full name, sex, region code). Person 9 is never invited to the meeting.
PEOPLE: dict[int, tuple[str, str | None, str | None]] = {
    1: ("Carmen Huamán", "female", "puno"),
    2: ("Álvaro Mamani", "male", "puno"),
    3: ("Beatriz Condori", "female", "puno"),
    4: ("Rosa Ñahui", "female", "ancash"),
    5: ("Luis Torres", "male", "piura"),
    6: ("Pat Ríos", "undisclosed", None),
    7: ("Wilber Sánchez", None, "cusco"),
    8: ("Borrada Después", "female", "piura"),
    9: ("Fuera Dela Lista", "female", "puno"),
}
# person: answer, attended.  Totals: invited 8, yes 4 (1 5 6 8), no 1 (4), delegate 2 (2 7),
# pending 1 (3), attended 5 (1 2 3 6 8).
ANSWERS = {
    1: ("yes", True),
    2: ("delegate", True),  # the delegate came in their place
    3: ("pending", True),  # came without answering
    4: ("no", False),
    5: ("yes", False),  # confirmed, did not come
    6: ("yes", True),
    7: ("delegate", False),
    8: ("yes", True),  # then erased their data
}


async def _person(session: AsyncSession, telegram_id: int) -> int:
    name, sex, region = PEOPLE[telegram_id]
    record = await people.create(
        session,
        telegram_id=telegram_id,
        username=None,
        telegram_name=name,
        locale="es",
        consent_at=BEFORE - timedelta(days=30),
        role="official",
    )
    await people.update(
        session,
        telegram_id,
        full_name=name,
        region_code=region,
        sex=sex,
        registered_at=BEFORE - timedelta(days=30),
    )
    return record.id


async def _meeting(session: AsyncSession, code: str) -> int:
    meeting = await meetings.create(
        session,
        offsets=[86400, 7200],
        code=code,
        title="Coordinación MINEM–GR: REINFO",
        kind="coordinacion",
        starts_at=STARTS,
        ends_at=ENDS,
        place="Sala 3, DREM Puno",
        link="https://meet.example.org/reinfo",
        agenda="Avance del REINFO",
        audience={},
    )
    return meeting.id


async def _dataset(db: Database) -> int:
    async with db.session() as session:
        ids = {telegram_id: await _person(session, telegram_id) for telegram_id in PEOPLE}
        meeting_id = await _meeting(session, "REU234")
        other_id = await _meeting(session, "OTR567")
        invited = [ids[telegram_id] for telegram_id in ANSWERS]
        assert await meetings.invite(session, meeting_id, invited) == invited
        # Inviting again (a second audience overlapping the first) adds nobody.
        assert await meetings.invite(session, meeting_id, [ids[1], ids[8]]) == []
        # Changing one's mind: the last answer counts.
        await meetings.answer(session, meeting_id, ids[5], "no", BEFORE)
        for telegram_id, (rsvp, attended) in ANSWERS.items():
            person_id = ids[telegram_id]
            if rsvp == "delegate":
                delegate = ("Jorge Pari", POSITION) if telegram_id == 2 else ("María Soto", None)
                await meetings.answer(
                    session,
                    meeting_id,
                    person_id,
                    rsvp,
                    BEFORE,
                    delegate_name=delegate[0],
                    delegate_position=delegate[1],
                )
            elif rsvp != "pending":
                await meetings.answer(session, meeting_id, person_id, rsvp, BEFORE)
            if attended:
                assert await meetings.mark_attended(session, meeting_id, person_id, STARTS)
        # Marked twice, or marked by mistake and undone: each person counts once or not at all.
        assert await meetings.mark_attended(session, meeting_id, ids[1], STARTS)
        assert await meetings.mark_attended(session, meeting_id, ids[4], STARTS)
        assert await meetings.mark_attended(session, meeting_id, ids[4], None)
        assert not await meetings.mark_attended(session, meeting_id, ids[9], STARTS)
        await meetings.set_agreements(session, meeting_id, f"  {AGREEMENTS}\n")
        # Another meeting's invitations must not leak in.
        await meetings.invite(session, other_id, [ids[1], ids[9]])
        await meetings.answer(session, other_id, ids[9], "no", BEFORE)
        await meetings.mark_attended(session, other_id, ids[9], STARTS)
        await people.erase(session, 8, STARTS + timedelta(days=1))
    return meeting_id


async def _report(db: Database) -> MeetingReport:
    meeting_id = await _dataset(db)
    async with db.session() as session:
        report = await build_report(session, meeting_id)
    assert report is not None
    return report


async def test_totals_delegates_and_invitees(db: Database) -> None:
    report = await _report(db)
    assert report.meeting.code == "REU234"
    assert report.totals == Counts(
        invited=8, confirmed=4, declined=1, delegated=2, pending=1, attended=5
    )
    assert report.agreements == AGREEMENTS
    # In the invitee order: Cusco before Puno (official list order).
    assert report.delegates == [
        Delegate("Wilber Sánchez", "María Soto", None),
        Delegate("Álvaro Mamani", "Jorge Pari", POSITION),
    ]
    # By region in the official order, then by name ignoring accents; unknowns last.
    assert [(i.name, i.region_name, i.rsvp, i.attended) for i in report.invitees] == [
        ("Rosa Ñahui", "Áncash", "no", False),
        ("Wilber Sánchez", "Cusco", "delegate", False),
        ("Luis Torres", "Piura", "yes", False),
        (None, "Piura", "yes", True),  # erased: no name, but still counted
        ("Álvaro Mamani", "Puno", "delegate", True),
        ("Beatriz Condori", "Puno", "pending", True),
        ("Carmen Huamán", "Puno", "yes", True),
        ("Pat Ríos", None, "yes", True),
    ]


async def test_breakdowns(db: Database) -> None:
    report = await _report(db)
    assert report.by_region == [
        GroupCounts("Áncash", Counts(1, 0, 1, 0, 0, 0)),
        GroupCounts("Cusco", Counts(1, 0, 0, 1, 0, 0)),
        GroupCounts("Piura", Counts(2, 2, 0, 0, 0, 1)),
        GroupCounts("Puno", Counts(3, 1, 0, 1, 1, 3)),
        GroupCounts(None, Counts(1, 1, 0, 0, 0, 1)),
    ]
    # No counts by sex: beside the invitee list «female: declined 1» named Rosa Ñahui's sex,
    # and beside the indicators' tables by sex a meeting's were left to subtraction.
    for field in Counts.__slots__:
        total = sum(getattr(group.counts, field) for group in report.by_region if group.counts)
        assert total == getattr(report.totals, field), field


async def test_empty_and_unknown_meetings(db: Database) -> None:
    async with db.session() as session:
        meeting_id = await _meeting(session, "VAC789")
        await meetings.change(session, meeting_id, status="cancelled")
        assert await build_report(session, meeting_id + 100) is None
        report = await build_report(session, meeting_id)
    assert report is not None
    assert report.totals == Counts()
    assert report.by_region == report.delegates == report.invitees == []
    assert report.agreements is None
    t = translator("es", LIMA)
    book = load_workbook(BytesIO(report_xlsx(report, t)))
    summary = {row[0]: row[1] for row in book["Resumen"].iter_rows(min_row=2, values_only=True)}
    assert summary[t.gettext("Status")] == t.gettext("Cancelled")
    assert summary[t.gettext("Invited")] == 0
    assert summary[t.gettext("Agreements")] == "—"
    for title in ("Por región", "Invitados"):
        assert book[title].max_row == 1
        assert book[title].auto_filter.ref == f"A1:{'G' if title != 'Invitados' else 'E'}1"


async def test_spreadsheet(db: Database) -> None:
    report = await _report(db)
    t = translator("es", LIMA)
    book = load_workbook(BytesIO(report_xlsx(report, t)))
    assert book.sheetnames == ["Resumen", "Por región", "Invitados"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
        assert all(cell.value for cell in sheet[1]), sheet.title
        assert all(cell.font.bold for cell in sheet[1]), sheet.title

    summary_sheet = book["Resumen"]
    summary = {row[0]: row[1] for row in summary_sheet.iter_rows(min_row=2, values_only=True)}
    assert summary[t.gettext("Code")] == "REU234"
    assert summary[t.gettext("Title")] == "Coordinación MINEM–GR: REINFO"
    assert summary[t.gettext("Kind")] == t.gettext("MINEM–GR coordination")
    assert summary[t.gettext("Status")] == t.gettext("Scheduled")
    assert summary[t.gettext("Starts")] == "jueves 26 de noviembre de 2026, 09:00"
    assert summary[t.gettext("Ends")] == "jueves 26 de noviembre de 2026, 11:00"
    assert summary[t.gettext("Place")] == "Sala 3, DREM Puno"
    assert summary[t.gettext("Link")] == "https://meet.example.org/reinfo"
    assert summary[t.gettext("Agreements")] == AGREEMENTS
    counts = {
        "Invited": 8,
        "Confirmed": 4,
        "Declined": 1,
        "Delegated": 2,
        "No answer": 1,
        "Attended": 5,
    }
    for label, expected in counts.items():
        cell = next(
            value
            for key, value in summary_sheet.iter_rows(min_row=2)
            if key.value == t.gettext(label)
        )
        assert (cell.value, cell.data_type) == (expected, "n"), label

    header = [t.gettext(label) for label in counts]
    by_region = list(book["Por región"].iter_rows(values_only=True))
    assert by_region[0] == ("Región", *header)  # "Region" is already in the Spanish catalog
    assert by_region[1:] == [
        ("Áncash", 1, 0, 1, 0, 0, 0),
        ("Cusco", 1, 0, 0, 1, 0, 0),
        ("Piura", 2, 2, 0, 0, 0, 1),
        ("Puno", 3, 1, 0, 1, 1, 3),
        (t.gettext("Not given"), 1, 1, 0, 0, 0, 1),
    ]

    yes, no = t.gettext("Yes"), t.gettext("No")
    confirmed, declined = t.gettext("Confirmed"), t.gettext("Declined")
    delegated, pending = t.gettext("Delegated"), t.gettext("No answer")
    invitees = list(book["Invitados"].iter_rows(values_only=True))
    assert invitees[0][:3] == ("Nombre", "Región", "Respuesta")  # never their sex
    assert invitees[1:] == [
        ("Rosa Ñahui", "Áncash", declined, "—", no),
        ("Wilber Sánchez", "Cusco", delegated, "María Soto", no),
        ("Luis Torres", "Piura", confirmed, "—", no),
        (t.gettext("(name not given)"), "Piura", confirmed, "—", yes),
        ("Álvaro Mamani", "Puno", delegated, f"Jorge Pari — {POSITION}", yes),
        ("Beatriz Condori", "Puno", pending, "—", yes),
        ("Carmen Huamán", "Puno", confirmed, "—", yes),
        ("Pat Ríos", t.gettext("Not given"), confirmed, "—", yes),
    ]
    assert not any(
        "Borrada" in str(value) or "Fuera" in str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )


async def test_spreadsheet_in_english(db: Database) -> None:
    report = await _report(db)
    book = load_workbook(BytesIO(report_xlsx(report, translator("en", LIMA))))
    summary = {row[0]: row[1] for row in book["Resumen"].iter_rows(min_row=2, values_only=True)}
    assert summary["Kind"] == "MINEM–GR coordination"
    assert summary["Starts"] == "Thursday, November 26, 2026, 09:00"
    assert summary["Attended"] == 5
    assert book["Invitados"]["E2"].value == "No" and book["Invitados"]["E8"].value == "Yes"
