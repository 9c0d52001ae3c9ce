"""/mis_datos (Ley 29733, right of access): everything Minka holds about a person, as JSON a
person can read: Spanish labels (`"sexo": "Mujer"`, not `female`) and Lima times."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import LANGUAGES, N_, Translator
from bot.services import cases as case_rules
from bot.services.agreements import STATUSES as AGREEMENT_STATUSES
from bot.services.form_names import FORM_NAMES
from bot.services.meeting_report import STATUSES as MEETING_STATUSES
from bot.services.meetings import KINDS as MEETING_KINDS
from bot.services.profile import INSTITUTIONS, SEXES
from bot.services.roles import ROLE_LABELS, Role
from bot.services.visits import ANSWERS as VISIT_ANSWERS
from bot.services.workshop_report import CRITERION_LABELS
from storage.repositories import audit, people, personal_data
from storage.repositories.conversations import get_state

RSVP: dict[str, str] = {
    "pending": N_("no answer yet"),
    "yes": N_("I will attend"),
    "no": N_("I cannot attend"),
    "delegate": N_("I will send a representative"),
}
ESCALATION_STATUSES: dict[str, str] = {"pending": N_("Pending"), "answered": N_("Answered")}
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
CASE_CHANGES: dict[str, str] = {
    "created": N_("Registered"),
    "status": N_("Status changed"),
    "step": N_("Formalization step changed"),
}
OUTCOMES: dict[str, str] = {"done": N_("Done"), "denied": N_("Refused")}
ACTIONS: dict[str, str] = {
    "revoke_role": N_("Role removed"),
    "cancel_grant": N_("Role not yet applied cancelled"),
    "indicators": N_("Indicator report"),
    "erase_personal_data": N_("Personal data erased"),
    "scope": N_("Item of a region not coordinated"),
    "new workshop": N_("New workshop"),
    "audience": N_("Audience of a meeting or broadcast"),
    "grant_team": N_("Added to an Equipo Regional"),
    "revoke_team": N_("Removed from an Equipo Regional"),
    "visit_changed": N_("Study visit changed"),
    "visit_cancelled": N_("Study visit cancelled"),
}


class Labels:
    """Codes to Spanish labels and UTC datetimes to Lima times in words, for one export (and for the
    administrators' /auditoria)."""

    def __init__(self, t: Translator) -> None:
        self.t = t

    def time(self, value: datetime | None) -> str | None:
        return self.t.datetime(value) if value else None

    def month(self, month: str) -> str:
        """'Diciembre 2026' for '2026-12'."""
        year, number = month.split("-")
        return self.t.month(int(year), int(number))

    def of(self, labels: Mapping[str, str], code: str | None) -> str | None:
        if code is None:
            return None
        return self.t.gettext(labels[code]) if code in labels else code

    def yes_no(self, value: bool | None) -> str | None:
        return None if value is None else self.t.gettext(N_("Yes") if value else N_("No"))

    def action(self, code: str) -> str:
        role = _role(code.removeprefix("grant_")) if code.startswith("grant_") else None
        if role is not None:
            label = self.t.gettext(ROLE_LABELS[role])
            return self.t.gettext(N_("Role given: {role}")).format(role=label)
        if code.startswith("/"):
            return self.t.gettext(N_("Command {command}")).format(command=code)
        if code.startswith("button "):
            return self.t.gettext(N_("Button {prefix}")).format(prefix=code.removeprefix("button "))
        if code.startswith("form "):
            return self.t.gettext(N_("Form {name}")).format(name=code.removeprefix("form "))
        return self.of(ACTIONS, code) or code


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
    agreements = await personal_data.agreements(session, person.id)
    role = _role(person.role) or Role.OFFICIAL
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
        "formulario_en_curso": (
            {"formulario": label.of(FORM_NAMES, state.flow), "respuestas": state.data}
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
        "preguntas_a_especialistas": [_escalation(label, e, titles) for e in kit["asked"]],
        "respuestas_como_especialista": [_escalation(label, e, titles) for e in kit["answered"]],
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
        "talleres": await _workshops(session, label, person.id),
        "reuniones": await _meetings(session, label, person.id),
        "casos": await _cases(session, label, person.id),
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
        "acuerdos_a_su_cargo": [_agreement(label, a) for a in agreements["responsible"]],
        "acuerdos_registrados": [_agreement(label, a) for a in agreements["recorded"]],
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
        "registro_de_auditoria": await _audit(session, label, telegram_id, person.username),
    }


async def _before_consent(
    session: AsyncSession, label: Labels, telegram_id: int
) -> dict[str, Any] | None:
    """Someone who never accepted the notice may still be named: a role waiting for them."""
    grant = await personal_data.pending_grant(session, telegram_id)
    entries = await _audit(session, label, telegram_id, None)
    if grant is None and not entries:
        return None
    role = _role(grant["role"]) if grant else None
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
        "registro_de_auditoria": entries,
    }


async def _audit(
    session: AsyncSession, label: Labels, telegram_id: int, username: str | None
) -> list[dict[str, Any]]:
    return [
        {
            "fecha": label.time(entry.at),
            "quien": label.t.gettext(
                N_("You") if entry.actor_telegram_id == telegram_id else N_("Someone else")
            ),
            "accion": label.action(entry.action),
            "resultado": label.of(OUTCOMES, entry.outcome),
            "objetivo": entry.target,
        }
        for entry in await audit.about(session, telegram_id, username)
    ]


def _role(code: str) -> Role | None:
    try:
        return Role(code)
    except ValueError:
        return None


def _agreement(label: Labels, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "reunion": f"{row['meeting_title']} ({row['meeting_code']})",
        "acuerdo": row["text"],
        "responsable": row["responsible"],
        "fecha_limite": label.t.date(row["due_on"]),
        "estado": label.of(AGREEMENT_STATUSES, row["status"]),
        "cumplido": label.time(row["done_at"]),
        "registrado": label.time(row["created_at"]),
    }


def _escalation(label: Labels, row: dict[str, Any], titles: Mapping[str, str]) -> dict[str, Any]:
    article = row["article_id"]
    return {
        "fecha": label.time(row["created_at"]),
        "error_reportado_en": titles.get(article, article) if article else None,
        "pregunta": row["text"],
        "estado": label.of(ESCALATION_STATUSES, row["status"]),
        "respuesta": row["answer"],
        "respondida": label.time(row["answered_at"]),
    }


def _workshop(label: Labels, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "codigo": row["code"],
        "titulo": row["title"],
        "inicio": label.time(row["starts_at"]),
        "fin": label.time(row["ends_at"]),
        "lugar": row["place"],
    }


async def _workshops(session: AsyncSession, label: Labels, person_id: int) -> dict[str, Any]:
    data = await personal_data.workshops(session, person_id)
    t = label.t
    attended = []
    for item in data["attended"]:
        rating = item["rating"]
        attended.append(
            {
                **_workshop(label, item["workshop"]),
                "asistencia": label.time(item["checked_in_at"]),
                "calificacion": None
                if rating is None
                else {
                    **{t.gettext(CRITERION_LABELS[key]): rating[key] for key in CRITERION_LABELS},
                    "comentario": rating["comment"],
                    "fecha": label.time(rating["completed_at"]),
                },
            }
        )
    return {"asistencias": attended, "creados": [_workshop(label, w) for w in data["created"]]}


def _meeting(label: Labels, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "codigo": row["code"],
        "titulo": row["title"],
        "tipo": label.of(MEETING_KINDS, row["kind"]),
        "estado": label.of(MEETING_STATUSES, row["status"]),
        "inicio": label.time(row["starts_at"]),
        "fin": label.time(row["ends_at"]),
        "lugar": row["place"],
    }


async def _meetings(session: AsyncSession, label: Labels, person_id: int) -> dict[str, Any]:
    data = await personal_data.meetings(session, person_id)
    invited = [
        {
            **_meeting(label, item["meeting"]),
            "respuesta": label.of(RSVP, item["rsvp"]),
            "representante": item["delegate_name"],
            "cargo_del_representante": item["delegate_position"],
            "respondida": label.time(item["responded_at"]),
            "asistencia": label.time(item["attended_at"]),
        }
        for item in data["invited"]
    ]
    created = [
        {**_meeting(label, m), "agenda": m["agenda"], "acuerdos": m["agreements"]}
        for m in data["created"]
    ]
    return {"invitaciones": invited, "creadas": created}


async def _cases(session: AsyncSession, label: Labels, person_id: int) -> dict[str, Any]:
    data = await personal_data.cases(session, person_id)
    registered = [
        {
            "numero": case["id"],
            "region": case["region"],
            "provincia": case["province"],
            "tipo": label.of(case_rules.KINDS, case["kind"]),
            "estrato": label.of(case_rules.STRATA, case["stratum"]),
            "con_apoyo_del_equipo_regional": label.yes_no(case["supported"]),
            "descripcion": case["description"],
            "paso_de_formalizacion": label.of(case_rules.STEPS, case["step"]),
            "estado": label.of(case_rules.STATUSES, case["status"]),
            "registrado": label.time(case["created_at"]),
        }
        for case in data["registered"]
    ]
    changes = []
    for event in data["changes"]:
        values = case_rules.STEPS if event["kind"] == "step" else case_rules.STATUSES
        changes.append(
            {
                "numero": event["case_id"],
                "cambio": label.of(CASE_CHANGES, event["kind"]),
                "de": label.of(values, event["from"]),
                "a": label.of(values, event["to"]),
                "nota": event["note"],
                "fecha": label.time(event["at"]),
            }
        )
    return {"registrados": registered, "cambios": changes}
