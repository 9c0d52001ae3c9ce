"""Ley 29733: what a person can ask about their own data, and erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories import audit, people, personal_data, toolkit
from storage.repositories.conversations import clear_state, get_state
from storage.types import utcnow


async def export(session: AsyncSession, telegram_id: int) -> dict[str, Any] | None:
    """Everything Minka holds about the person, as plain JSON-ready data (None if nothing)."""
    person = await people.get(session, telegram_id)
    if person is None:
        return None
    state = await get_state(session, telegram_id)
    return {
        "persona": {
            "telegram_id": person.telegram_id,
            "usuario_telegram": person.username,
            "nombre_en_telegram": person.telegram_name,
            "nombre_completo": person.full_name,
            "region": person.region_name,
            "institucion": person.institution,
            "cargo": person.position,
            "sexo": person.sex,
            "rol": person.role,
            "idioma": person.locale,
            "consentimiento": _iso(person.consent_at),
            "registro_completado": _iso(person.registered_at),
            "activo": person.active,
            "bloqueo_detectado": _iso(person.blocked_at),
            "creado": _iso(person.created_at),
        },
        "formulario_en_curso": (
            {"formulario": state.flow, "paso": state.step, "respuestas": state.data}
            if state
            else None
        ),
        "preguntas": [
            {"fecha": _iso(at), "texto": text}
            for at, text in await toolkit.person_questions(session, person.id)
        ],
        "preguntas_a_especialistas": [
            {
                "fecha": _iso(item.created_at),
                "pregunta": item.text,
                "estado": item.status,
                "respuesta": item.answer,
            }
            for item in await toolkit.person_escalations(session, person.id)
        ],
        "talleres": await personal_data.workshops(session, person.id),
        "reuniones": await personal_data.meetings(session, person.id),
        "casos": await personal_data.cases(session, person.id),
        "registro_de_auditoria": [
            {
                "fecha": _iso(entry.at),
                "accion": entry.action,
                "resultado": entry.outcome,
                "objetivo": entry.target,
            }
            for entry in await audit.by_actor(session, telegram_id)
        ],
    }


async def erase(session: AsyncSession, telegram_id: int) -> bool:
    """Delete the person's identifying data, keeping anonymous counts. False if none held."""
    if await people.get(session, telegram_id) is None:
        return False
    person = await people.get(session, telegram_id)
    assert person is not None
    await clear_state(session, telegram_id)
    await toolkit.forget_texts(session, person.id)
    await people.erase(session, telegram_id, utcnow())
    await audit.append(
        session, actor_telegram_id=None, action="erase_personal_data", outcome="done"
    )
    return True


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
