"""Issue #13, the attacks on the database: figures of people that one table hid and another
showed, or that followed from the others by subtraction. Each dataset is the smallest that
gave a person away before the fix (see each test)."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import translator
from bot.services.indicators import query_for
from bot.services.indicators.cases import cases_attended
from bot.services.indicators.common import Indicator, Table
from bot.services.indicators.participation import participation
from bot.services.indicators.periods import Period
from bot.services.indicators.publications import publications
from bot.services.indicators.regularity import meeting_regularity
from bot.services.indicators.training import training
from bot.services.indicators.visits import study_visits
from bot.services.indicators.women import women
from storage.db import Database
from storage.models import (
    Meeting,
    MeetingAgreement,
    MeetingInvitation,
    Person,
    Publication,
    PublicationDelivery,
    TeamReport,
    Visit,
    VisitParticipant,
    Workshop,
    WorkshopAttendance,
    WorkshopRating,
)
from tests.helpers import coordination_meeting

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
YEAR = Period.year(2026)
AFTER = YEAR.end(T)  # the year read once it ended
LONG_AGO = datetime(2025, 1, 1, tzinfo=LIMA)
JUNE = datetime(2026, 6, 10, 9, tzinfo=LIMA)
TELEGRAM_IDS = count(8100)


def rows(table: Table) -> dict[object, tuple[object, ...]]:
    return {row[0]: row[1:] for row in table.rows}


async def _people(session: AsyncSession, people: list[tuple[str, str, str]]) -> list[int]:
    """(region, sex, position) each; their ids."""
    ids = []
    for region, sex, position in people:
        person = Person(
            telegram_id=next(TELEGRAM_IDS), full_name="Persona", sex=sex, region_code=region,
            position=position, consent_at=LONG_AGO, registered_at=LONG_AGO,
        )  # fmt: skip
        session.add(person)
        await session.flush()
        ids.append(person.id)
    return ids


async def _visits(db: Database, region: str | None = None) -> Indicator:
    async with db.session() as session:
        return await study_visits(await query_for(session, YEAR, region, T, AFTER))


async def test_one_leader_and_one_official_in_study_visits(db: Database) -> None:
    """Three leaders from Lima travel; Puno's governor accepts and travels; one official from
    Cusco declines. Before the fix the table of leaders and officials read «Funcionarios/as:
    1 · 0 · 0» (the Cusco official's «No puedo», while the table by region hid Cusco) and the
    pilot table «Puno: 1 · 1 · 1» (the governor's answer, Puno hidden by region)."""
    async with db.session() as session:
        ids = await _people(
            session,
            [("lima", "male", "Gerente Regional")] * 3
            + [("puno", "female", "Gobernadora"), ("cusco", "male", "Especialista")],
        )
        visit = Visit(
            code="V1", title="Visita", destination="Canadá", starts_at=JUNE,
            ends_at=JUNE + timedelta(days=7), audience={}, reminder_offsets={"seconds": []},
            status="scheduled",
        )  # fmt: skip
        session.add(visit)
        await session.flush()
        for person in ids:
            going = person != ids[-1]
            session.add(
                VisitParticipant(
                    visit_id=visit.id, person_id=person,
                    answer="accepted" if going else "declined",
                    travelled_at=JUNE if going else None,
                    invited_as_leader=going,  # the Gerentes and the Gobernadora
                )
            )  # fmt: skip
    indicator = await _visits(db)
    split, by_region, _by_sex, pilots = indicator.tables
    assert rows(by_region)["Cusco"][1:3] == (None, None)
    assert rows(by_region)["Puno"][1:3] == (None, None)
    assert rows(split)["Funcionarios/as"] == (1, None, None)
    assert rows(split)["Líderes regionales"] == (4, None, None)
    assert rows(pilots)["Puno"] == (None, None, None, "Sí")
    # Puno's own report: the same person, the same «—».
    puno = await _visits(db, "puno")
    assert rows(puno.tables[3])["Puno"] == (None, None, None, "Sí")
    assert rows(puno.tables[0])["Líderes regionales"] == (1, None, None)


async def _meetings(db: Database, invited: dict[str, list[tuple[str, str, str]]]) -> None:
    """Meetings (code: invitees as region, sex, answer), a week apart from June."""
    async with db.session() as session:
        for number, (code, people) in enumerate(invited.items()):
            meeting = await coordination_meeting(session, code, JUNE + timedelta(days=7 * number))
            ids = await _people(session, [(r, s, "Especialista") for r, s, _a in people])
            session.add_all(
                MeetingInvitation(meeting_id=meeting, person_id=person, rsvp=answer)
                for person, (_r, _s, answer) in zip(ids, people, strict=True)
            )


async def _participation(db: Database, region: str | None = None) -> Indicator:
    async with db.session() as session:
        return await participation(await query_for(session, YEAR, region, T, AFTER))


async def test_a_region_report_beside_the_national_one(db: Database) -> None:
    """One woman from Puno confirms; four from Cusco and ten from Lima decline. The national
    report hides Puno (1 person) and, so that she cannot be subtracted, Cusco too. Before
    the fix Cusco's own report showed Cusco's confirmed, 0: the national total (1) − Lima (0)
    − Cusco (0) gave her «yes». The per-meeting rows did the same: the national row of M1
    minus the Cusco and Lima reports' rows of M1."""
    await _meetings(
        db,
        {
            "M1": [("puno", "female", "yes")]
            + [("cusco", "female", "no")] * 4
            + [("lima", "female", "no")] * 10
        },
    )
    national = await _participation(db)
    cusco = await _participation(db, "cusco")
    lima = await _participation(db, "lima")
    confirmed = 1  # column of the tables by region
    assert rows(national.tables[0])["Puno"][confirmed] is None
    figures = [
        rows(national.tables[0])["Total"][confirmed],
        rows(national.tables[0])["Lima (Gobierno Regional)"][confirmed],
        rows(cusco.tables[0])["Total"][confirmed],
    ]
    assert None in figures, figures
    answers = slice(4, 8)  # confirmed, delegated, declined, attended of each meeting
    per_meeting = [report.tables[2].rows[0][answers] for report in (national, cusco, lima)]
    assert any(None in row for row in per_meeting), per_meeting


async def test_each_meeting_beside_each_region(db: Database) -> None:
    """M1: three women from Puno confirm. M2: one woman from Puno declines beside three men
    from Lima. Before the fix the table by region showed Puno's 4 people, 3 confirmed, and
    the per-meeting table M1's 3 confirmed: Puno's fourth woman, in M2, confirmed 3 − 3 =
    0. The two tables are margins of one table (meeting × region): hidden cells of one must
    not follow from the other."""
    await _meetings(
        db,
        {
            "M1": [("puno", "female", "yes")] * 3,
            "M2": [("puno", "female", "no")] + [("lima", "male", "yes")] * 3,
        },
    )
    national = await _participation(db)
    by_region, _by_sex, meetings = national.tables
    confirmed = 1
    m1, m2 = (row[4] for row in meetings.rows)
    puno = rows(by_region)["Puno"][confirmed]
    # Puno's woman in M2: Puno − M1, or M2 − Lima.
    lima = rows(by_region)["Lima (Gobierno Regional)"][confirmed]
    assert puno is None or m1 is None, (puno, m1)
    assert m2 is None or lima is None, (m2, lima)


async def _publications(db: Database, region: str | None = None) -> Indicator:
    async with db.session() as session:
        return await publications(await query_for(session, YEAR, region, T, AFTER))


async def test_publications_reached_by_one_person(db: Database) -> None:
    """Cusco's one registered person received the guide; Puno's four, three of them. Before
    the fix the table by region read «Cusco: 1 · 1 · 1 · —»: the share was hidden, but 1
    reached of 1 registered is 100 %; and the pilot table showed Puno's reached beside its
    registered while Cusco's own report listed the guide «1 · 1»."""
    async with db.session() as session:
        ids = await _people(
            session,
            [("cusco", "female", "Especialista")] + [("puno", "male", "Especialista")] * 4,
        )
        guide = Publication(
            title="Guía", summary="Resumen", published_on=JUNE.date(), filename="g.pdf",
            content=b"%PDF-1.4", size=8,
        )  # fmt: skip
        session.add(guide)
        await session.flush()
        session.add_all(
            PublicationDelivery(
                publication_id=guide.id, person_id=person, source="chat", delivered_at=JUNE
            )
            for person in ids[:4]
        )
    national = await _publications(db)
    _each, by_region, _by_sex, _pilots = national.tables
    assert rows(by_region)["Cusco"] == (1, None, None, None)
    # Puno (4) is hidden with Cusco, or Puno's 3 of 4 would give Cusco's from the total.
    assert rows(by_region)["Puno"] == (4, None, None, None)
    assert rows(by_region)["Total"] == (5, 4, 4, 0.8)
    cusco = await _publications(db, "cusco")
    assert cusco.tables[0].rows[0][3:] == (None, None)
    assert rows(cusco.tables[1])["Cusco"] == (1, None, None, None)
    assert [h.value for h in cusco.headlines][:2] == [None, None]


async def _agreements(db: Database, due: list[tuple[str, str, str, bool]]) -> None:
    """Agreements of meetings of each kind: (kind, responsible's name, region, on time)."""
    async with db.session() as session:
        names = sorted({(name, region) for _kind, name, region, _ok in due})
        made = await _people(session, [(r, "female", "Especialista") for _n, r in names])
        ids = dict(zip(names, made, strict=True))
        meetings = {}
        for kind in sorted({kind for kind, *_rest in due}):
            meeting = Meeting(
                code=f"A{kind[:5]}", title=kind, kind=kind, starts_at=JUNE, ends_at=JUNE,
                status="scheduled",
            )  # fmt: skip
            session.add(meeting)
            await session.flush()
            meetings[kind] = meeting.id
        for kind, name, region, on_time in due:
            session.add(
                MeetingAgreement(
                    meeting_id=meetings[kind], text="Enviar el informe",
                    responsible_id=ids[(name, region)], due_on=JUNE.date(),
                    status="done" if on_time else "pending",
                    done_at=JUNE if on_time else None,
                )
            )  # fmt: skip


async def _regularity(db: Database, region: str | None = None) -> Indicator:
    async with db.session() as session:
        return await meeting_regularity(await query_for(session, YEAR, region, T, AFTER))


async def test_agreements_of_one_person_in_two_kinds(db: Database) -> None:
    """Ana is responsible for a committee agreement (fulfilled on time) and for a technical
    one; Beto for another technical one; three others for the coordination meetings'. The
    committee (1 person) and the technical meetings (2) were hidden, «together 3», but they
    are Ana and Beto: the total less coordination gave their 2 of 3 on time. Now the hidden
    kinds must hold 3 people counted once, or the total is hidden too."""
    await _agreements(
        db,
        [("comite", "ana", "puno", True), ("tecnica", "ana", "puno", False)]
        + [("tecnica", "beto", "puno", True)]
        + [("coordinacion", name, "lima", True) for name in ("c", "d", "e")],
    )
    table = (await _regularity(db)).tables[-1]
    by_kind = rows(table)
    coordination = by_kind["Coordinación MINEM–GR"][1]
    assert coordination is None or by_kind["Total"][1] is None, by_kind


async def test_agreements_of_a_region_beside_the_national_table(db: Database) -> None:
    """Coordination agreements of three people from Puno (on time) and one from Cusco (not).
    The national table showed coordination's 3 of 4 on time and Puno's report Puno's 3 of 3:
    the Cusco person's was the difference."""
    await _agreements(
        db,
        [("coordinacion", name, "puno", True) for name in ("a", "b", "c")]
        + [("coordinacion", "d", "cusco", False)],
    )
    national = rows((await _regularity(db)).tables[-1])["Coordinación MINEM–GR"][1]
    puno = rows((await _regularity(db, "puno")).tables[-1])["Coordinación MINEM–GR"][1]
    assert national is None or puno is None, (national, puno)


async def test_team_reports_of_a_region_beside_the_national_table(db: Database) -> None:
    """Regional Team reports: one person in Piura (on time), four in Cusco (late), ten in Puno
    (on time). The national table hid Piura and, so that it could not be subtracted, Cusco;
    Cusco's own report showed Cusco's row: total − Puno − Cusco was Piura's «on time»."""
    async with db.session() as session:
        people = (
            [("piura", "female", "Especialista")]
            + [("cusco", "female", "Especialista")] * 4
            + [("puno", "female", "Especialista")] * 10
        )
        ids = await _people(session, people)
        for person, (region, _sex, _position) in zip(ids, people, strict=True):
            late = region == "cusco"
            session.add(
                TeamReport(
                    region_code=region, person_id=person, month="2026-05",
                    submitted_at=datetime(2026, 6, 10 if late else 2, tzinfo=LIMA),
                    cases=1, activities="Actividades",
                )
            )  # fmt: skip
    async with db.session() as session:
        national = await cases_attended(await query_for(session, YEAR, None, T, AFTER))
        cusco = await cases_attended(await query_for(session, YEAR, "cusco", T, AFTER))
    table, own = rows(national.tables[-1]), rows(cusco.tables[-1])
    assert table["Piura"][1] is None
    figures = [table["Total"][1], table["Puno"][1], own["Cusco"][1]]
    assert None in figures, figures


async def test_workshop_ratings_of_a_region_beside_the_national_report(db: Database) -> None:
    """Fifteen people attend a workshop: one woman from Puno who does not answer its survey,
    four from Cusco and ten from Lima who rate it 5. The national report hid Puno and, so
    that she could not be subtracted, Cusco. Their averages stayed hidden in Cusco's report
    too (indicator 3's own rule), but before the fix Cusco's report showed Cusco's response
    rate (4 of 4), and the workshop's row its rate for Cusco's 4: the national 14 of 15 less
    Lima's 10 of 10 and Cusco's 4 of 4 was her «no answer»."""
    async with db.session() as session:
        people = (
            [("puno", "female", "Especialista")]
            + [("cusco", "female", "Especialista")] * 4
            + [("lima", "female", "Especialista")] * 10
        )
        ids = await _people(session, people)
        workshop = Workshop(
            code="W1", title="Taller", region_code="lima", starts_at=JUNE,
            ends_at=JUNE + timedelta(hours=3), survey_closes_at=JUNE + timedelta(days=3),
        )  # fmt: skip
        session.add(workshop)
        await session.flush()
        for person, (region, _sex, _position) in zip(ids, people, strict=True):
            score = 5
            session.add(
                WorkshopAttendance(workshop_id=workshop.id, person_id=person, checked_in_at=JUNE)
            )
            if region == "puno":
                continue
            session.add(
                WorkshopRating(
                    workshop_id=workshop.id, person_id=person, overall=score, content=score,
                    facilitation=score, usefulness=score, organization=score,
                    completed_at=JUNE + timedelta(hours=4),
                )
            )  # fmt: skip
    async with db.session() as session:
        national = await training(await query_for(session, YEAR, None, T, AFTER))
        cusco = await training(await query_for(session, YEAR, "cusco", T, AFTER))
        lima = await training(await query_for(session, YEAR, "lima", T, AFTER))
    rate = 2  # the response rate's column in the tables by region
    table, own = rows(national.tables[2]), rows(cusco.tables[2])
    assert table["Puno"][rate] is None
    figures = [table["Total"][rate], table["Lima (Gobierno Regional)"][rate], own["Cusco"][rate]]
    assert None in figures, figures
    per_workshop = [report.tables[4].rows[0][6] for report in (national, cusco, lima)]
    assert None in per_workshop, per_workshop


async def test_share_of_women_of_a_region_beside_the_national_report(db: Database) -> None:
    """Registered: one woman from Puno, four men from Cusco, ten women from Lima. The national
    report hid Puno's share of women and, so that her sex could not be subtracted, Cusco's;
    before the fix Cusco's own report showed 0 %: the national 11 of 15 less Lima's 10 and
    Cusco's 0 was her."""
    async with db.session() as session:
        await _people(
            session,
            [("puno", "female", "Especialista")]
            + [("cusco", "male", "Especialista")] * 4
            + [("lima", "female", "Especialista")] * 10,
        )
    async with db.session() as session:
        national = await women(await query_for(session, YEAR, None, T, AFTER))
        cusco = await women(await query_for(session, YEAR, "cusco", T, AFTER))
    registered = 0  # the first share: among registered people
    table, own = rows(national.tables[1]), rows(cusco.tables[1])
    assert table["Puno"][registered] is None
    figures = [table["Total"][registered], table["Lima (Gobierno Regional)"][registered]]
    assert None in [*figures, own["Cusco"][registered]], (figures, own)
