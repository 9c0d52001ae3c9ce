"""End to end: the consent a newcomer reads fits a phone's first screen and keeps every point
of Ley 29733's notice (what is stored, what for, not shared, how to see and erase it); the
whole notice is one tap away («Ver detalle», or /privacidad), and accepting from it works as
from the summary. Before, the question was the whole notice: 1,701 UTF-16 units; now 603."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.telegram_limits import units
from tests.chat import Person

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # not about it

# A phone's first screen holds about 15 lines of 40 characters beside the keyboard's buttons.
FIRST_SCREEN = 700
# Every kind of data stored, what for, that it is not shared, the rights and the law.
SUMMARY_POINTS = (
    "id y usuario de Telegram",
    "nombre completo",
    "región, institución, cargo y sexo",
    "fecha de su consentimiento",
    "intentos de usar funciones restringidas",
    "solo para el trabajo del programa con los gobiernos regionales",
    "no se comparten con terceros",
    "/mis_datos",
    "borrarlos cuando quiera con /borrar_mis_datos",
    "Ley 29733",
    "«Ver detalle» o /privacidad",
)
# What only the whole notice says.
WHOLE_POINTS = (
    "Qué borra /borrar_mis_datos",
    "«[eliminado a pedido del titular]»",
    "seudónimo",
    "Las preguntas de quien no aceptó este aviso se responden, pero no se guardan.",
    "Plazos de conservación",
    "Informes",
    "menos de 3 personas",
)


async def test_the_consent_fits_a_first_screen_and_the_whole_notice_is_one_tap_away(
    api: LocalBotApi, bot: Settings
) -> None:
    luz = Person(api, 3001, "Luz", last_name="Condori")
    _greeting, question = await luz.say("/start", 2)
    assert units(question.text) <= FIRST_SCREEN, units(question.text)
    missing = [point for point in SUMMARY_POINTS if point not in question.text]
    assert not missing, missing
    assert question.text.endswith("¿Acepta?")
    assert question.button_texts() == ["Acepto", "No acepto", "Ver detalle"]

    answer = await luz.press(question, "Ver detalle")
    assert answer.get("text") is None  # the notice itself, not a toast
    whole = await luz.reply()
    assert whole.method == "editMessageText" and whole.message_id == question.message_id
    missing = [point for point in (*WHOLE_POINTS, "Ley 29733") if point not in whole.text]
    assert not missing, missing
    assert whole.text.endswith("¿Acepta?")
    assert whole.button_texts() == ["Acepto", "No acepto"]

    await luz.press(whole, "Acepto")
    accepted = await luz.reply()
    assert accepted.method == "editMessageText" and accepted.buttons == []
    assert "Usted aceptó" in accepted.text and "El aviso completo: /privacidad." in accepted.text
    assert "cinco preguntas" in (await luz.reply()).text


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A retention period of one day, which the notice must say in the singular."""
    return settings.model_copy(update={"retention_updates_days": 1})


async def test_privacidad_shows_a_newcomer_the_whole_notice(
    api: LocalBotApi, bot: Settings
) -> None:
    """Someone who asks for the notice reads all of it, with the question under it."""
    luz = Person(api, 3002, "Luz", last_name="Condori")
    (notice,) = await luz.say("/privacidad")
    missing = [point for point in WHOLE_POINTS if point not in notice.text]
    assert not missing, missing
    assert notice.button_texts() == ["Acepto", "No acepto"]
    # The periods agree with their number: «1 día», not «1 días».
    assert "procesó al cabo de 1 día, el registro" in notice.text, notice.text
    assert "30 días después de enviados" in notice.text and "al cabo de 400 días." in notice.text
