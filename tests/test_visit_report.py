"""The study visit's report and «Informe de visita» workbook: counts by sex that would name someone
are hidden, and typed text stays text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.services import meetings, privacy, visits
from storage.db import Database
from storage.repositories import people
from storage.repositories import visits as repo
from tests.helpers import registered_official

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
        ids = [
            await registered_official(
                session,
                4000 + n,
                f"P{n}",
                region_code="pasco",
                sex=sex,
                position="Gobernador Regional" if n == 0 else "Especialista",
            )
            for n, sex in enumerate(["female"] * 3 + ["male"] * 3)
        ]
        visit, invited = await visits.create(
            session,
            title="Visita",
            destination="Canadá",
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=37),
            audience=await meetings.parse_audience(session, ["region:Pasco"]),
            offsets=[86400],
            now=now,
            words=visits.leader_words("gobernador"),
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
        # the governor's new position, then her erasure, leave her a leader (as invited)
        await people.update(session, 4000, position="Especialista")
        assert (await build_report(session, visit, words)).by_kind == report.by_kind
        assert await privacy.erase(session, 4000, key=b"k" * 32, now=now)
        assert (await build_report(session, visit, words)).by_kind == report.by_kind
        await repo.answer(session, visit.id, ids[5], "declined", now, reason="=1+1 viaje")
        report = await build_report(session, visit, words)
        content = report_xlsx(report, translator("es", LIMA), now)
    book = load_workbook(BytesIO(content))
    assert "Por sexo" not in book.sheetnames
    sheet = book["Participantes"]
    (cell,) = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value == "=1+1 viaje"]
    assert cell.data_type == "s"


async def test_an_erased_participants_answers_leave_no_empty_lines(db: Database) -> None:
    """Three answered the questionnaire; one erased her data. Her practice became «», which
    the chat listed as an empty «• » among the practices and the workbook as an empty «Práctica
    a aplicar»: her texts are gone, and so is the line."""
    from bot.services.visit_report import build_report
    from storage.repositories.visits import SurveyAnswers

    now = datetime.now(UTC)
    async with db.session() as session:
        ids = [
            await registered_official(session, 4100 + n, f"P{n}", region_code="pasco")
            for n in range(3)
        ]
        visit, _invited = await visits.create(
            session,
            title="Visita",
            destination="Canadá",
            starts_at=now - timedelta(days=10),
            ends_at=now - timedelta(days=3),
            audience=await meetings.parse_audience(session, ["region:Pasco"]),
            offsets=[86400],
            now=now - timedelta(days=40),
            words=visits.leader_words("gobernador"),
        )
        for n, person_id in enumerate(ids):
            await repo.answer(session, visit.id, person_id, "accepted", now)
            answers = SurveyAnswers(4, (f"Aprendí {n}",), f"Práctica {n}", True, None)
            await repo.save_survey(session, visit.id, person_id, answers, now)
        assert await privacy.erase(session, 4100, key=b"k" * 32, now=now)
        report = await build_report(session, visit, ())
    assert report.survey.answered == 3  # her score still counts
    assert report.survey.practices == ("Práctica 1", "Práctica 2")
    assert report.survey.learned == ("Aprendí 1", "Aprendí 2")
