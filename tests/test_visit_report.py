"""The study visit's report and «Informe de visita» workbook: counts by sex that would name someone
are hidden, and typed text stays text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.services import meetings, visits
from storage.db import Database
from storage.repositories import people
from storage.repositories import visits as repo

LIMA = ZoneInfo("America/Lima")


async def test_report_counts_leaders_and_officials_never_sexes(db: Database) -> None:
    """Three women and three men of Pasco. Once one man cannot go, «Hombre: no pueden 1»
    would name him beside the list; and a visit's counts by sex beside indicator 9's tables
    by sex were left to subtraction: the report has none (indicator 9 has them). A reason
    typed as a formula stays text in the workbook."""
    from bot.i18n import translator
    from bot.services.visit_report import build_report
    from bot.services.visit_xlsx import report_xlsx

    now = datetime.now(UTC)
    async with db.session() as session:
        ids = []
        for n, sex in enumerate(["female"] * 3 + ["male"] * 3):
            person = await people.create(
                session,
                telegram_id=4000 + n,
                username=None,
                telegram_name=f"P{n}",
                locale="es",
                consent_at=now,
                role="official",
            )
            await people.update(
                session,
                4000 + n,
                region_code="pasco",
                sex=sex,
                registered_at=now,
                position="Gobernador Regional" if n == 0 else "Especialista",
            )
            ids.append(person.id)
        visit, invited = await visits.create(
            session,
            title="Visita",
            destination="Canadá",
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=37),
            audience=await meetings.parse_audience(session, ["region:Pasco"]),
            offsets=[86400],
            now=now,
        )
        assert invited == 6
        for person_id in ids:
            await repo.answer(session, visit.id, person_id, "accepted", now)
        words = visits.leader_words("gobernador")
        report = await build_report(session, visit, words)
        assert [(g.key, g.counts.invited) for g in report.by_kind] == [
            ("leader", 1),
            ("official", 5),
        ]
        await repo.answer(session, visit.id, ids[5], "declined", now, reason="=1+1 viaje")
        report = await build_report(session, visit, words)
        content = report_xlsx(report, translator("es", LIMA), now)
    book = load_workbook(BytesIO(content))
    assert "Por sexo" not in book.sheetnames
    sheet = book["Participantes"]
    (cell,) = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value == "=1+1 viaje"]
    assert cell.data_type == "s"
