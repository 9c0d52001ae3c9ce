"""What a person did in workshops, meetings and cases, for their own data export (Ley 29733)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Case,
    CaseEvent,
    Meeting,
    MeetingInvitation,
    Workshop,
    WorkshopAttendance,
    WorkshopRating,
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def workshops(session: AsyncSession, person_id: int) -> list[dict[str, Any]]:
    """Each workshop the person checked in to, with their survey answers."""
    rows = await session.execute(
        select(Workshop, WorkshopAttendance.checked_in_at, WorkshopRating)
        .join(WorkshopAttendance, WorkshopAttendance.workshop_id == Workshop.id)
        .outerjoin(
            WorkshopRating,
            (WorkshopRating.workshop_id == Workshop.id) & (WorkshopRating.person_id == person_id),
        )
        .where(WorkshopAttendance.person_id == person_id)
        .order_by(Workshop.starts_at)
    )
    return [
        {
            "codigo": workshop.code,
            "titulo": workshop.title,
            "inicio": _iso(workshop.starts_at),
            "registro_de_asistencia": _iso(checked_in_at),
            "calificacion": None
            if rating is None
            else {
                "general": rating.overall,
                "contenido": rating.content,
                "facilitacion": rating.facilitation,
                "utilidad": rating.usefulness,
                "organizacion": rating.organization,
                "comentario": rating.comment,
                "completada": _iso(rating.completed_at),
            },
        }
        for workshop, checked_in_at, rating in rows.all()
    ]


async def meetings(session: AsyncSession, person_id: int) -> list[dict[str, Any]]:
    """Each meeting the person was invited to: their answer, delegate and attendance."""
    rows = await session.execute(
        select(Meeting, MeetingInvitation)
        .join(MeetingInvitation, MeetingInvitation.meeting_id == Meeting.id)
        .where(MeetingInvitation.person_id == person_id)
        .order_by(Meeting.starts_at)
    )
    return [
        {
            "codigo": meeting.code,
            "titulo": meeting.title,
            "inicio": _iso(meeting.starts_at),
            "respuesta": invitation.rsvp,
            "representante": invitation.delegate_name,
            "cargo_del_representante": invitation.delegate_position,
            "respondida": _iso(invitation.responded_at),
            "asistencia": _iso(invitation.attended_at),
        }
        for meeting, invitation in rows.all()
    ]


async def cases(session: AsyncSession, person_id: int) -> dict[str, list[dict[str, Any]]]:
    """The cases the person registered, and the changes they made to any case."""
    registered = await session.scalars(
        select(Case).where(Case.person_id == person_id).order_by(Case.id)
    )
    changes = await session.scalars(
        select(CaseEvent).where(CaseEvent.person_id == person_id).order_by(CaseEvent.id)
    )
    return {
        "registrados": [
            {
                "numero": case.id,
                "region": case.region_code,
                "provincia": case.province,
                "tipo": case.kind,
                "estrato": case.stratum,
                "con_apoyo_del_equipo_regional": case.supported,
                "descripcion": case.description,
                "paso_de_formalizacion": case.formalization_step,
                "estado": case.status,
                "registrado": _iso(case.created_at),
            }
            for case in registered
        ],
        "cambios": [
            {
                "numero": event.case_id,
                "cambio": event.kind,
                "de": event.from_value,
                "a": event.to_value,
                "nota": event.note,
                "fecha": _iso(event.at),
            }
            for event in changes
        ],
    }
