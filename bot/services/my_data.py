"""/mis_datos (Ley 29733, right of access): everything Minka holds about a person, as JSON a
person can read: Spanish labels (`"sexo": "Mujer"`, not `female`) and Lima times."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import LANGUAGES, N_, Translator
from bot.services import my_data_records as records
from bot.services.export_labels import Labels, role_of
from bot.services.form_names import FORM_NAMES
from bot.services.meeting_report import STATUSES as MEETING_STATUSES
from bot.services.profile import INSTITUTIONS, SEXES
from bot.services.roles import ROLE_LABELS, Role
from bot.services.visits import ANSWERS as VISIT_ANSWERS
from storage.repositories import app_state, people, personal_data, personal_meetings
from storage.repositories.conversations import get_state

BROADCAST_STATUSES: dict[str, str] = {
    "queued": N_("Scheduled"),
    "sending": N_("Sending"),
    "done": N_("Sent"),
    "cancelled": N_("Cancelled"),
}
PUBLICATION_SOURCES: dict[str, str] = {
    "chat": N_("The list of publications"),
    "broadcast": N_("A broadcast's button"),
    "toolkit": N_("A Tool Kit answer's button"),
}
SOURCES: dict[str, str] = {
    "browse": N_("Browsing the topics"),
    "search": N_("Answer to a question"),
    "inline": N_("Shared in another chat"),
}


async def export(
    session: AsyncSession, telegram_id: int, t: Translator, titles: Mapping[str, str]
) -> dict[str, Any] | None:
    """Everything Minka holds about the person (None if nothing); `titles` names articles."""
    person = await people.get(session, telegram_id)
    label = Labels(t)
    if person is None:
        return await _before_consent(session, label, telegram_id)
    state = await get_state(session, telegram_id)
    kit = await personal_data.toolkit(session, person.id)
    agreements = await personal_meetings.agreements(session, person.id)
    role = role_of(person.role) or Role.OFFICIAL
    return {
        "zona_horaria": t.timezone.key,
        "persona": {
            "telegram_id": person.telegram_id,
            "usuario_telegram": person.username,
            "nombre_en_telegram": person.telegram_name,
            "nombre_completo": person.full_name,
            "region": person.region_name,
            "institucion": label.of(INSTITUTIONS, person.institution),
            "cargo": person.position,
            "sexo": label.of(SEXES, person.sex),
            "rol": t.gettext(ROLE_LABELS[role]),
            "idioma": LANGUAGES.get(person.locale, person.locale),
            "consentimiento": label.time(person.consent_at),
            "registro_completado": label.time(person.registered_at),
            "activo": label.yes_no(person.active),
            "bloqueo_detectado": label.time(person.blocked_at),
            "creado": label.time(person.created_at),
        },
        "menu_de_administrador": label.yes_no(await app_state.names_chat(session, telegram_id)),
        "formulario_en_curso": (
            {
                "formulario": label.of(FORM_NAMES, state.flow),
                "respuestas": state.data,
                # A registration paused while this form is filled: its answers are kept too.
                **({"registro_en_pausa": state.paused[1]} if state.paused else {}),
            }
            if state
            else None
        ),
        "preguntas": [
            {
                "fecha": label.time(q["at"]),
                "texto": q["text"],
                "articulo_mostrado": titles.get(q["article"], q["article"]),
                "util": label.yes_no(q["useful"]),
            }
            for q in kit["questions"]
        ],
        "preguntas_a_especialistas": [records.escalation(label, e, titles) for e in kit["asked"]],
        "respuestas_como_especialista": [
            records.escalation(label, e, titles) for e in kit["answered"]
        ],
        "articulos": {
            "vistas": [
                {
                    "fecha": label.time(v["at"]),
                    "articulo": titles.get(v["article"], v["article"]),
                    "como": label.of(SOURCES, v["source"]),
                }
                for v in kit["views"]
            ],
            "opiniones": [
                {
                    "fecha": label.time(f["at"]),
                    "articulo": titles.get(f["article"], f["article"]),
                    "util": label.yes_no(f["useful"]),
                }
                for f in kit["feedback"]
            ],
        },
        "talleres": await records.workshops(session, label, person.id),
        "reuniones": await records.meetings(session, label, person.id),
        "casos": await records.cases(session, label, person.id),
        "visitas_de_estudio": [
            {
                "codigo": v["code"],
                "titulo": v["title"],
                "destino": v["destination"],
                "salida": label.time(v["starts_at"]),
                "respuesta": label.of(VISIT_ANSWERS, v["answer"]),
                "motivo": v["reason"],
                "confirmada_en_la_delegacion": label.time(v["confirmed_at"]),
                "viajo": label.time(v["travelled_at"]),
                "utilidad": v["usefulness"],
                "aprendizajes": v["learned"],
                "practica_a_aplicar": v["practice"],
                "vio_practicas_de_igualdad": label.yes_no(v["equality_seen"]),
                "comentario_sobre_igualdad": v["equality_comment"],
            }
            for v in await personal_data.visits(session, person.id)
        ],
        "visitas_de_estudio_creadas": [
            {
                "codigo": v["code"],
                "titulo": v["title"],
                "destino": v["destination"],
                "estado": label.of(MEETING_STATUSES, v["status"]),
                "salida": label.time(v["starts_at"]),
                "regreso": label.time(v["ends_at"]),
                "registrado": label.time(v["created_at"]),
            }
            for v in await personal_data.visits_created(session, person.id)
        ],
        "difusiones": [
            {
                "fecha": label.time(b["created_at"]),
                "envio": label.time(b["scheduled_at"]),
                "texto": b["text"],
                "destinatarios": b["total"],
                "estado": label.of(BROADCAST_STATUSES, b["status"]),
            }
            for b in await personal_data.broadcasts(session, person.id)
        ],
        "acuerdos_a_su_cargo": [records.agreement(label, a) for a in agreements["responsible"]],
        "acuerdos_a_su_cargo_antes_de_un_cambio": [
            records.past_agreement(label, a)
            for a in await personal_meetings.agreements_before_changes(session, person.id)
        ],
        "acuerdos_registrados": [records.agreement(label, a) for a in agreements["recorded"]],
        "equipo_regional": (
            None
            if (team := await personal_data.team_membership(session, person.id)) is None
            else {"region": team["region"], "desde": label.time(team["granted_at"])}
        ),
        "informes_del_equipo_regional": [
            {
                "mes": label.month(r["month"]),
                "casos_atendidos": r["cases"],
                "actividades": r["activities"],
                "dificultades": r["difficulties"],
                "apoyo_solicitado": r["support"],
                "proximos_pasos": r["next_steps"],
                "enviado": label.time(r["submitted_at"]),
            }
            for r in await personal_data.team_reports(session, person.id)
        ],
        "materiales_de_talleres_recibidos": [
            {"taller": m["workshop"], "archivo": m["file"], "fecha": label.time(m["at"])}
            for m in await personal_data.materials(session, person.id)
        ],
        "publicaciones_recibidas": [
            {
                "titulo": p["title"],
                "desde": label.of(PUBLICATION_SOURCES, p["source"]),
                "fecha": label.time(p["at"]),
            }
            for p in await personal_data.publications(session, person.id)
        ],
        "registro_de_auditoria": await records.audit_entries(
            session, label, telegram_id, person.username
        ),
    }


async def _before_consent(
    session: AsyncSession, label: Labels, telegram_id: int
) -> dict[str, Any] | None:
    """Someone who never accepted the notice may still be named: a role waiting for them, or
    the record that their chat was given an administrator's menu (BOT_ADMIN_IDS)."""
    grant = await personal_data.pending_grant(session, telegram_id)
    entries = await records.audit_entries(session, label, telegram_id, None)
    admin_menu = await app_state.names_chat(session, telegram_id)
    if grant is None and not entries and not admin_menu:
        return None
    role = role_of(grant["role"]) if grant else None
    return {
        "zona_horaria": label.t.timezone.key,
        "persona": None,
        "rol_pendiente": None
        if grant is None
        else {
            "rol": label.t.gettext(ROLE_LABELS[role]) if role else grant["role"],
            "regiones": grant["coverage"],
            "fecha": label.time(grant["granted_at"]),
        },
        "menu_de_administrador": label.yes_no(admin_menu),
        "registro_de_auditoria": entries,
    }
