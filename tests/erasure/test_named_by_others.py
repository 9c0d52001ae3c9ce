"""What other people wrote about the person: a coordinator's agreement «Zoila Espinoza
presentará el padrón», the meeting's agenda and minutes, a workshop's facilitator, a
colleague's Regional Team report, a coordinator's note on a case. Erasure replaced only what
she wrote herself; her name stayed in all of these. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.services import privacy
from storage.db import Database
from storage.models import (
    Case,
    CaseEvent,
    Meeting,
    MeetingAgreement,
    Person,
    TeamReport,
    Workshop,
)
from tests.helpers import case_in_puno

NOW = datetime(2026, 12, 5, 15, tzinfo=UTC)
NAME = "Zoila Muñoz Espinoza"  # upper-case «Ñ»: SQLite's lower() leaves it


def _person(telegram_id: int, name: str, role: str = "official") -> Person:
    return Person(
        telegram_id=telegram_id,
        username=None,
        telegram_name=name.split()[0],
        full_name=name,
        region_code="puno",
        institution="gr",
        sex="female",
        role=role,
        consent_at=NOW,
        registered_at=NOW,
    )


async def test_her_name_in_what_others_wrote_goes_too(db: Database) -> None:
    async with db.session() as session:
        zoila, rosa = _person(7919350413, NAME), _person(7002, "Rosa Huamán", "coordinator")
        session.add_all([zoila, rosa])
        await session.flush()
        meeting = Meeting(
            code="M1",
            title="Coordinación GR Puno",
            kind="coordinacion",
            starts_at=NOW - timedelta(days=2),
            ends_at=NOW - timedelta(days=2) + timedelta(hours=2),
            agenda=f"1. Padrón REINFO (expone {NAME})",
            agreements=f"Se acordó que {NAME.upper()} enviará el padrón.",
            audience={},
            reminder_offsets={},
        )
        workshop = Workshop(
            code="W1",
            title="Fiscalización ambiental",
            topic="Fiscalización",
            starts_at=NOW - timedelta(days=1),
            ends_at=NOW - timedelta(days=1) + timedelta(hours=3),
            survey_closes_at=NOW + timedelta(days=6),
            region_code="puno",
            facilitator=f"Ing. {NAME}",
        )
        case = case_in_puno(rosa.id, f"Consulta derivada por {NAME} de la DREM", NOW)
        session.add_all([meeting, workshop, case])
        await session.flush()
        session.add_all(
            [
                MeetingAgreement(
                    meeting_id=meeting.id,
                    text=f"{NAME} presentará el padrón de Puno",
                    responsible_id=zoila.id,
                    due_on=date(2026, 12, 20),
                    created_by=rosa.id,
                ),
                CaseEvent(
                    case_id=case.id,
                    person_id=rosa.id,
                    kind="status",
                    note=f"Se coordinó con {NAME}.",
                    at=NOW,
                ),
                TeamReport(
                    person_id=rosa.id,
                    region_code="puno",
                    month="2026-11",
                    cases=2,
                    activities=f"Taller con {NAME} en Juliaca",
                    support=f"Apoyo para {NAME}",
                    submitted_at=NOW,
                ),
            ]
        )
        await session.commit()

    async with db.session() as session:
        assert await privacy.erase(session, 7919350413, key=b"k" * 32, now=NOW)
        await session.commit()

    async with db.session() as session:
        texts = [
            *(await session.scalars(select(MeetingAgreement.text))),
            *(await session.scalars(select(Meeting.agenda))),
            *(await session.scalars(select(Meeting.agreements))),
            *(await session.scalars(select(Workshop.facilitator))),
            *(await session.scalars(select(Case.description))),
            *(await session.scalars(select(CaseEvent.note))),
            *(await session.scalars(select(TeamReport.activities))),
            *(await session.scalars(select(TeamReport.support))),
        ]
    assert all(text for text in texts), texts
    named = [text for text in texts if "zoila" in text.lower() or "muñoz" in text.lower()]
    assert named == [], named
    # What they wrote stays: it is theirs, a programme record.
    assert "[eliminado a pedido del titular] presentará el padrón de Puno" in texts
