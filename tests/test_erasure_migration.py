"""Migration 0014 finishes erasures made by older code, which left the erased person's texts
behind; another person's texts are untouched. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import JSON, DateTime, column, insert, select, table
from sqlalchemy.engine import Connection

from storage.db import Database
from storage.migrate import alembic_config, upgrade
from storage.models import (
    Broadcast,
    Case,
    CaseEvent,
    Escalation,
    MeetingInvitation,
    OutboxMessage,
    Person,
    Question,
    Workshop,
    WorkshopRating,
)

ERASED = "[eliminado a pedido del titular]"
OUTBOX_0013 = table(
    "outbox",
    *(column(name) for name in ("kind", "dedupe_key", "person_id", "state", "attempts")),
    column("payload", JSON),
    column("due_at", DateTime(timezone=True)),
)
ESCALATIONS_0013 = table(
    "escalations",
    *(column(name) for name in ("person_id", "text", "answer", "answered_by", "status")),
    column("created_at", DateTime(timezone=True)),
)
RATINGS_0013 = table(
    "workshop_ratings",
    *(column(name) for name in ("workshop_id", "person_id", "comment")),
    column("updated_at", DateTime(timezone=True)),
)
CASES_0013 = table(
    "cases",
    *(column(name) for name in ("id", "person_id", "region_code", "kind", "stratum")),
    *(column(name) for name in ("supported", "description", "status")),
    *(column(name, DateTime(timezone=True)) for name in ("created_at", "updated_at")),
)
QUESTIONS_0013 = table(
    "questions",
    *(column(name) for name in ("person_id", "text", "normalized", "confident")),
    column("at", DateTime(timezone=True)),
)
MEETINGS_0013 = table(
    "meetings",
    *(column(name) for name in ("id", "code", "title", "kind", "status", "version")),
    *(column(name, JSON) for name in ("audience", "reminder_offsets")),
    *(column(name, DateTime(timezone=True)) for name in ("starts_at", "ends_at", "created_at")),
)
INVITATIONS_0013 = table(
    "meeting_invitations",
    *(column(name) for name in ("meeting_id", "person_id", "rsvp")),
    *(column(name) for name in ("delegate_name", "delegate_position")),
    column("invited_at", DateTime(timezone=True)),
)
AT = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def _to_0013(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "0013")


def _person(erased: bool) -> Person:
    return Person(
        telegram_id=None if erased else 4242,
        full_name=None if erased else "Luis Mamani",
        region_code="puno",
        sex="female" if erased else "male",
        institution="gr",
        consent_at=AT,
        registered_at=AT,
        erased_at=AT if erased else None,
    )


async def _leave_traces(db: Database) -> tuple[int, int]:
    """What an old erasure left behind, for an erased person and for Luis (not erased)."""
    async with db.session() as session:
        gone, luis = _person(True), _person(False)
        workshop = Workshop(
            code="W1", title="Taller", starts_at=AT, ends_at=AT, survey_closes_at=AT
        )
        session.add_all([gone, luis, workshop])
        await session.flush()
        meeting = insert(MEETINGS_0013).values(
            code="M1", title="Reunión", kind="tecnica", status="scheduled", version=1,
            audience={}, reminder_offsets={}, starts_at=AT, ends_at=AT, created_at=AT,
        )  # fmt: skip
        meeting_id = (await session.execute(meeting.returning(MEETINGS_0013.c.id))).scalar_one()
        for person, who in ((gone, "Zoila"), (luis, "Luis")):
            # The cases, the ratings, the invitations, the questions and the outbox as they
            # were at 0013 (later migrations add columns the models have), as the meeting above.
            case = insert(CASES_0013).values(
                person_id=person.id, region_code="puno", kind="other", stratum="ppm",
                supported=False, description=f"Caso de {who}", status="open", created_at=AT,
                updated_at=AT,
            )  # fmt: skip
            case_id = (await session.execute(case.returning(CASES_0013.c.id))).scalar_one()
            session.add_all(
                [
                    CaseEvent(
                        case_id=case_id,
                        person_id=person.id,
                        kind="status",
                        note=f"Nota {who}",
                        at=AT,
                    ),
                    Broadcast(
                        created_by=person.id,
                        text=f"Aviso de {who}",
                        scheduled_at=AT,
                        progress_chat_id=555,
                    ),
                ]
            )
            await session.execute(
                insert(INVITATIONS_0013).values(
                    meeting_id=meeting_id, person_id=person.id, rsvp="delegate",
                    delegate_name=f"Delegado de {who}", delegate_position="Asesor", invited_at=AT,
                )
            )  # fmt: skip
            await session.execute(
                insert(RATINGS_0013).values(
                    workshop_id=workshop.id, person_id=person.id, comment=f"Bien {who}",
                    updated_at=AT,
                )
            )  # fmt: skip
            await session.execute(
                insert(OUTBOX_0013).values(
                    kind="broadcast",
                    dedupe_key=f"x:{who}",
                    person_id=person.id,
                    payload={},
                    due_at=AT + timedelta(days=1),
                    state="pending",
                    attempts=0,
                )
            )
        await session.execute(
            insert(QUESTIONS_0013).values(
                person_id=gone.id, text="[borrado a pedido de la persona]", normalized="",
                confident=False, at=AT,
            )
        )  # fmt: skip
        await session.execute(
            insert(ESCALATIONS_0013).values(
                person_id=luis.id,
                text="Pregunta de Luis",
                answer="Respuesta de Zoila",
                answered_by=gone.id,
                status="answered",
                created_at=AT,
            )
        )
    return gone.id, luis.id


async def test_older_erasures_are_finished(database_url: str) -> None:
    db = Database(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(_to_0013)
        gone, luis = await _leave_traces(db)
        await upgrade(db.engine)
        async with db.session() as session:
            found = list(await session.scalars(select(Case)))
            cases = {c.person_id: c.description for c in found}
            registered_as = {c.person_id: c.sex for c in found}  # 0030
            notes = {e.person_id: e.note for e in await session.scalars(select(CaseEvent))}
            ratings = list(await session.scalars(select(WorkshopRating)))
            comments = {r.person_id: r.comment for r in ratings}
            taken_part_as = {r.person_id: (r.region_code, r.sex) for r in ratings}  # 0028
            invitations = list(await session.scalars(select(MeetingInvitation)))
            delegates = {
                i.person_id: (i.delegate_name, i.delegate_position, i.rsvp) for i in invitations
            }
            invited_as = {i.person_id: (i.region_code, i.sex) for i in invitations}  # 0029
            broadcasts = {
                b.created_by: (b.text, b.progress_chat_id)
                for b in await session.scalars(select(Broadcast))
            }
            owed = {o.person_id: o.state for o in await session.scalars(select(OutboxMessage))}
            question = (await session.execute(select(Question.text, Question.region_code,
                                                       Question.sex))).one()  # fmt: skip
            escalation = await session.scalar(select(Escalation))
    finally:
        await db.dispose()
    assert cases == {gone: ERASED, luis: "Caso de Luis"}
    assert notes == {gone: ERASED, luis: "Nota Luis"}
    assert comments == {gone: None, luis: "Bien Luis"}
    assert taken_part_as == {gone: ("puno", "female"), luis: ("puno", "male")}
    assert delegates == {
        gone: (None, None, "delegate"),
        luis: ("Delegado de Luis", "Asesor", "delegate"),
    }
    assert invited_as == {gone: ("puno", "female"), luis: ("puno", "male")}
    assert broadcasts == {gone: (ERASED, None), luis: ("Aviso de Luis", 555)}
    assert owed == {gone: "cancelled", luis: "pending"}
    assert registered_as == {gone: "female", luis: "male"}
    assert tuple(question) == (ERASED, "puno", "female")  # 0030: the profile as it is
    assert escalation is not None
    assert (escalation.text, escalation.answer) == ("Pregunta de Luis", ERASED)
    assert escalation.sex == "male"  # 0030
