"""/mis_datos gives Zoila all she did, with Spanish labels and Lima times. On SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import re
from typing import Any

from babel import Locale
from sqlalchemy import select
from telegram.ext import Application

import handlers
from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.services.form_names import FORM_NAMES
from bot.services.profile import REGISTRATION_PAUSED
from storage.models import (
    Person,
)
from tests.erasure.story import (
    ACTIVITIES,
    AGREEMENT,
    ANSWER,
    BROADCAST,
    CODE,
    DRAFT,
    FIRST,
    LAST,
    POSITION,
    REPORT,
    SCHEDULED,
    SUPPORT,
    TEXTS,
    produce_everything,
)

MOMENTS = ("fecha", "inicio", "fin", "registrado", "respondida", "asistencia", "envio")
_ES_PE = Locale.parse("es_PE")
LIMA_TIME = re.compile(  # «viernes 4 de diciembre de 2026, 10:30», names from Peru's CLDR data
    "^({days}) \\d{{1,2}} de ({months}) de \\d{{4}}, \\d{{2}}:\\d{{2}}$".format(
        days="|".join(_ES_PE.days["format"]["wide"].values()),
        months="|".join(_ES_PE.months["format"]["wide"].values()),
    )
)


def _times(value: Any) -> list[str]:
    """Every value under a key that names a moment, anywhere in the export."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in MOMENTS and isinstance(item, str):
                found.append(item)
            found += _times(item)
    elif isinstance(value, list):
        for item in value:
            found += _times(item)
    return found


async def test_export_holds_everything_with_spanish_labels_and_lima_times(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    zoila = await produce_everything(api, app, runtime)
    api.drain(zoila.id)
    _intro, document = await zoila.say("/mis_datos", 2)
    raw = api.files[document.params["file_id"]].decode()
    data = json.loads(raw)
    for text in TEXTS:
        if text != DRAFT:
            assert text in raw, text
    assert DRAFT in raw  # the form in progress, too
    assert data["formulario_en_curso"]["formulario"] == "Difusión"
    persona = data["persona"]
    assert persona["sexo"] == "Mujer" and persona["region"] == "Puno"
    assert persona["institucion"] == "Gobierno Regional (DREM/GREM)"
    assert persona["rol"] == "Coordinador/a" and persona["cargo"] == POSITION
    assert data["zona_horaria"] == "America/Lima"
    times = _times(data)
    assert len(times) > 10 and all(LIMA_TIME.match(t) for t in times), times
    async with runtime.db.session() as session:
        consent_at = await session.scalar(
            select(Person.consent_at).where(Person.telegram_id == zoila.id)
        )
    assert consent_at is not None
    es = translator("es", runtime.settings.timezone)  # America/Lima
    assert persona["consentimiento"] == es.datetime(consent_at)
    assert "female" not in raw and "in_progress" not in raw and "delegate" not in raw
    (case,) = data["casos"]["registrados"]
    assert (case["tipo"], case["estado"], case["region"]) == ("Promoción", "En trámite", "Puno")
    (meeting,) = data["reuniones"]["invitaciones"]
    assert meeting["respuesta"] == "Enviaré un representante"
    assert [m["titulo"] for m in data["reuniones"]["creadas"]] == ["Coordinación MINEM–GR Puno"]
    assert [w["codigo"] for w in data["talleres"]["creados"]] == [CODE]
    assert {b["texto"] for b in data["difusiones"]} == {BROADCAST, SCHEDULED}
    assert [a["respuesta"] for a in data["respuestas_como_especialista"]] == [ANSWER]
    assert data["articulos"]["vistas"] and data["articulos"]["opiniones"][0]["util"] == "Sí"
    (report,) = [e for e in data["preguntas_a_especialistas"] if e["pregunta"] == REPORT]
    assert report["error_reportado_en"] == "¿Qué es el REINFO?"
    (team_report,) = data["informes_del_equipo_regional"]
    assert (team_report["actividades"], team_report["apoyo_solicitado"]) == (ACTIVITIES, SUPPORT)
    (agreement,) = data["acuerdos_registrados"]  # what she created, as meetings and workshops
    assert agreement["acuerdo"] == AGREEMENT and agreement["responsable"] == f"{FIRST} {LAST}"
    assert agreement["reunion"].startswith("Coordinación MINEM–GR Puno (")
    assert [v["titulo"] for v in data["visitas_de_estudio_creadas"]] == ["Visita de estudio 40"]
    (notice,) = await zoila.say("/privacidad")  # says what stays after an erasure
    assert (
        "Las reuniones, talleres, visitas de estudio y acuerdos de reunión que creó quedan como "
        "registros del programa" in notice.text
    )
    audit = data["registro_de_auditoria"]
    actions = {entry["accion"] for entry in audit}
    assert {"Rol asignado: Coordinador/a", "Rol asignado: Especialista"} <= actions, actions


def test_every_form_has_a_name_for_the_export() -> None:
    """/mis_datos names the form in progress in words, not by its stored code."""
    flows = {flow for feature in handlers.FEATURES for flow in feature.forms}
    assert flows | {REGISTRATION_PAUSED} == set(FORM_NAMES)  # a paused one is stored too
