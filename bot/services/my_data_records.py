"""Each kind of record /mis_datos exports, read and put in words: workshops, meetings, cases,
agreements, questions to specialists and the audit entries about the person.

Apart from `bot.services.my_data`, which assembles the export and words the records that take
one read inline, so that each file reads in one go."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.services import cases as case_rules
from bot.services.agreements import STATUSES as AGREEMENT_STATUSES
from bot.services.export_labels import OUTCOMES, Labels
from bot.services.meeting_report import STATUSES as MEETING_STATUSES
from bot.services.meetings import KINDS as MEETING_KINDS
from bot.services.workshop_report import CRITERION_LABELS
from storage.repositories import audit, personal_data, personal_meetings

RSVP: dict[str, str] = {
    "pending": N_("no answer yet"),
    "yes": N_("I will attend"),
    "no": N_("I cannot attend"),
    "delegate": N_("I will send a representative"),
}
ESCALATION_STATUSES: dict[str, str] = {"pending": N_("Pending"), "answered": N_("Answered")}
CASE_CHANGES: dict[str, str] = {
    "created": N_("Registered"),
    "status": N_("Status changed"),
    "step": N_("Formalization step changed"),
}


async def audit_entries(
    session: AsyncSession, label: Labels, telegram_id: int, username: str | None
) -> list[dict[str, Any]]:
    """Audit entries about the person; whoever acted is only «You» or «Someone else»."""
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


def agreement(label: Labels, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "reunion": f"{row['meeting_title']} ({row['meeting_code']})",
        "acuerdo": row["text"],
        "responsable": row["responsible"],
        "fecha_limite": label.t.date(row["due_on"]),
        "estado": label.of(AGREEMENT_STATUSES, row["status"]),
        "cumplido": label.time(row["done_at"]),
        "registrado": label.time(row["created_at"]),
    }


def past_agreement(label: Labels, row: dict[str, Any]) -> dict[str, Any]:
    """An agreement's terms while she answered for it, before a change: hers to see, even
    once it is someone else's."""
    t = label.t
    meeting = f"{row['meeting_title']} ({row['meeting_code']})"
    until = label.time(row["changed_at"])
    changes = [N_("Responsible changed")] if row["handed_over"] else []
    changes += [N_("Due date changed")] if row["redated"] else []
    if row["handed_over"]:
        summary = N_("You were responsible for an agreement of the meeting {meeting} until {date}.")
    else:
        summary = N_(
            "An agreement of the meeting {meeting} in your charge had these terms until {date}."
        )
    return {
        "resumen": t.gettext(summary).format(meeting=meeting, date=until),
        "reunion": meeting,
        "acuerdo": row["text"],
        "fecha_limite": t.date(row["due_on"]),
        "cumplido": label.time(row["done_at"]),
        "hasta": until,
        "cambio": [t.gettext(c) for c in changes or [CASE_CHANGES["status"]]],
    }


def escalation(label: Labels, row: dict[str, Any], titles: Mapping[str, str]) -> dict[str, Any]:
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


async def workshops(session: AsyncSession, label: Labels, person_id: int) -> dict[str, Any]:
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


async def meetings(session: AsyncSession, label: Labels, person_id: int) -> dict[str, Any]:
    data = await personal_meetings.meetings(session, person_id)
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


async def cases(session: AsyncSession, label: Labels, person_id: int) -> dict[str, Any]:
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
