"""Everything a person did or created, for their own data export (Ley 29733, /mis_datos).

Plain dictionaries with the stored codes and UTC datetimes; `bot.services.my_data` turns
codes into Spanish labels and times into Lima times.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ArticleFeedback,
    ArticleView,
    Broadcast,
    Case,
    CaseEvent,
    Escalation,
    MaterialDelivery,
    Publication,
    PublicationDelivery,
    Question,
    Region,
    RoleGrant,
    TeamMember,
    TeamReport,
    Visit,
    VisitParticipant,
    Workshop,
    WorkshopAttendance,
    WorkshopMaterial,
    WorkshopRating,
)

Row = dict[str, Any]


async def workshops(session: AsyncSession, person_id: int) -> dict[str, list[Row]]:
    """Workshops the person checked in to (with their survey answers) and those they created."""
    attended = await session.execute(
        select(Workshop, WorkshopAttendance.checked_in_at, WorkshopRating)
        .join(WorkshopAttendance, WorkshopAttendance.workshop_id == Workshop.id)
        .outerjoin(
            WorkshopRating,
            (WorkshopRating.workshop_id == Workshop.id) & (WorkshopRating.person_id == person_id),
        )
        .where(WorkshopAttendance.person_id == person_id)
        .order_by(Workshop.starts_at)
    )
    created = await session.scalars(
        select(Workshop).where(Workshop.created_by == person_id).order_by(Workshop.starts_at)
    )
    return {
        "attended": [
            {"workshop": _workshop(workshop), "checked_in_at": at, "rating": _rating(rating)}
            for workshop, at, rating in attended.all()
        ],
        "created": [_workshop(workshop) for workshop in created],
    }


def _workshop(workshop: Workshop) -> Row:
    return {
        "code": workshop.code,
        "title": workshop.title,
        "starts_at": workshop.starts_at,
        "ends_at": workshop.ends_at,
        "place": workshop.place,
        "created_at": workshop.created_at,
    }


def _rating(rating: WorkshopRating | None) -> Row | None:
    if rating is None:
        return None
    return {
        "overall": rating.overall,
        "content": rating.content,
        "facilitation": rating.facilitation,
        "usefulness": rating.usefulness,
        "organization": rating.organization,
        "comment": rating.comment,
        "completed_at": rating.completed_at,
    }


async def visits(session: AsyncSession, person_id: int) -> list[Row]:
    """Study visits the person was invited to: answer and reason, delegation, travel, the
    questionnaire they answered."""
    rows = await session.execute(
        select(Visit, VisitParticipant)
        .join(VisitParticipant, VisitParticipant.visit_id == Visit.id)
        .where(VisitParticipant.person_id == person_id)
        .order_by(Visit.starts_at)
    )
    return [
        {
            "code": visit.code,
            "title": visit.title,
            "destination": visit.destination,
            "starts_at": visit.starts_at,
            "answer": row.answer,
            "reason": row.reason,
            "confirmed_at": row.confirmed_at,
            "travelled_at": row.travelled_at,
            "usefulness": row.usefulness,
            "learned": list(row.learned or []),
            "practice": row.practice,
            "equality_seen": row.equality_seen,
            "equality_comment": row.equality_comment,
        }
        for visit, row in rows.all()
    ]


async def visits_created(session: AsyncSession, person_id: int) -> list[Row]:
    """Study visits the person created (they stay as programme records after erasure)."""
    created = await session.scalars(
        select(Visit).where(Visit.created_by == person_id).order_by(Visit.starts_at)
    )
    return [
        {
            "code": visit.code,
            "title": visit.title,
            "destination": visit.destination,
            "status": visit.status,
            "starts_at": visit.starts_at,
            "ends_at": visit.ends_at,
            "created_at": visit.created_at,
        }
        for visit in created
    ]


async def cases(session: AsyncSession, person_id: int) -> dict[str, list[Row]]:
    """The cases the person registered, and the changes they made to any case."""
    registered = await session.execute(
        select(Case, Region.name)
        .join(Region, Region.code == Case.region_code)
        .where(Case.person_id == person_id)
        .order_by(Case.id)
    )
    changes = await session.scalars(
        select(CaseEvent).where(CaseEvent.person_id == person_id).order_by(CaseEvent.id)
    )
    return {
        "registered": [
            {
                "id": case.id,
                "region": region,
                "province": case.province,
                "kind": case.kind,
                "stratum": case.stratum,
                "supported": case.supported,
                "description": case.description,
                "step": case.formalization_step,
                "status": case.status,
                "created_at": case.created_at,
            }
            for case, region in registered.all()
        ],
        "changes": [
            {
                "case_id": event.case_id,
                "kind": event.kind,
                "from": event.from_value,
                "to": event.to_value,
                "note": event.note,
                "at": event.at,
            }
            for event in changes
        ],
    }


async def broadcasts(session: AsyncSession, person_id: int) -> list[Row]:
    rows = await session.scalars(
        select(Broadcast).where(Broadcast.created_by == person_id).order_by(Broadcast.id)
    )
    return [
        {
            "text": row.text,
            "created_at": row.created_at,
            "scheduled_at": row.scheduled_at,
            "total": row.total,
            "status": row.status,
        }
        for row in rows
    ]


async def team_membership(session: AsyncSession, person_id: int) -> Row | None:
    """The Equipo Regional an administrator made the person a member of, if any."""
    row = (
        await session.execute(
            select(Region.name, TeamMember.granted_at)
            .join(Region, Region.code == TeamMember.region_code)
            .where(TeamMember.person_id == person_id)
        )
    ).first()
    return None if row is None else {"region": row.name, "granted_at": row.granted_at}


async def team_reports(session: AsyncSession, person_id: int) -> list[Row]:
    """The person's monthly reports as a member of an Equipo Regional."""
    rows = await session.scalars(
        select(TeamReport).where(TeamReport.person_id == person_id).order_by(TeamReport.month)
    )
    return [
        {
            "month": row.month,
            "cases": row.cases,
            "activities": row.activities,
            "difficulties": row.difficulties,
            "support": row.support,
            "next_steps": row.next_steps,
            "submitted_at": row.submitted_at,
        }
        for row in rows
    ]


async def materials(session: AsyncSession, person_id: int) -> list[Row]:
    """Each workshop material the person received, and when they first received it."""
    rows = await session.execute(
        select(Workshop.code, WorkshopMaterial.filename, MaterialDelivery.delivered_at)
        .join(WorkshopMaterial, WorkshopMaterial.id == MaterialDelivery.material_id)
        .join(Workshop, Workshop.id == WorkshopMaterial.workshop_id)
        .where(MaterialDelivery.person_id == person_id)
        .order_by(MaterialDelivery.delivered_at)
    )
    return [{"workshop": code, "file": name, "at": at} for code, name, at in rows.all()]


async def publications(session: AsyncSession, person_id: int) -> list[Row]:
    """Each publication the person received, and when they first received it."""
    rows = await session.execute(
        select(Publication.title, PublicationDelivery.source, PublicationDelivery.delivered_at)
        .join(Publication, Publication.id == PublicationDelivery.publication_id)
        .where(PublicationDelivery.person_id == person_id)
        .order_by(PublicationDelivery.delivered_at)
    )
    return [{"title": title, "source": source, "at": at} for title, source, at in rows.all()]


async def toolkit(session: AsyncSession, person_id: int) -> dict[str, list[Row]]:
    """Questions, escalations asked and answered, article views and feedback."""
    questions = await session.scalars(
        select(Question).where(Question.person_id == person_id).order_by(Question.id)
    )
    asked = await session.scalars(
        select(Escalation).where(Escalation.person_id == person_id).order_by(Escalation.id)
    )
    answered = await session.scalars(
        select(Escalation).where(Escalation.answered_by == person_id).order_by(Escalation.id)
    )
    views = await session.execute(
        select(ArticleView.at, ArticleView.article_id, ArticleView.source)
        .where(ArticleView.person_id == person_id)
        .order_by(ArticleView.id)
    )
    feedback = await session.execute(
        select(ArticleFeedback.at, ArticleFeedback.article_id, ArticleFeedback.useful)
        .where(ArticleFeedback.person_id == person_id)
        .order_by(ArticleFeedback.id)
    )
    return {
        "questions": [
            {"at": q.at, "text": q.text, "article": q.answer_article_id, "useful": q.useful}
            for q in questions
        ],
        "asked": [_escalation(e) for e in asked],
        "answered": [_escalation(e) for e in answered],
        "views": [{"at": at, "article": article, "source": src} for at, article, src in views],
        "feedback": [{"at": at, "article": a, "useful": useful} for at, a, useful in feedback],
    }


def _escalation(row: Escalation) -> Row:
    return {
        "article_id": row.article_id,  # an error reported on that article
        "text": row.text,
        "status": row.status,
        "answer": row.answer,
        "created_at": row.created_at,
        "answered_at": row.answered_at,
    }


async def pending_grant(session: AsyncSession, telegram_id: int) -> Row | None:
    """A role an administrator gave someone who has not accepted the notice yet."""
    grant = await session.get(RoleGrant, telegram_id)
    if grant is None:
        return None
    return {"role": grant.role, "coverage": grant.coverage, "granted_at": grant.granted_at}
