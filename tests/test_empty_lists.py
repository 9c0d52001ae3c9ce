"""An empty list ended the conversation: «No tiene reuniones próximas.», no questions, no
publications, no surveys, no meetings or visits for a coordinator, each a message with no
button, so the person had to know a command to go on. Each now offers a way on: back to the
main menu, and the action that would fill the list when the person may take it (a
coordinator's «➕ Nueva reunión»), never one their access does not allow."""

from __future__ import annotations

from telegram.ext import Application

from bot.local_api import BotEvent, LocalBotApi
from storage.repositories import people
from tests.chat import Person
from tests.helpers import register

MENU = "« Menú principal"


async def _back_to_menu(person: Person, event: BotEvent) -> None:
    await person.press(event, MENU)
    shown = await person.reply()
    assert shown.method == "editMessageText" and "Menú principal" in (shown.text or "")
    assert "📚 Consultar el Tool Kit" in shown.button_texts()


async def test_an_official_is_never_left_without_a_way_on(
    api: LocalBotApi, app: Application
) -> None:
    newcomer = Person(api, 7401, "Nora")
    (meetings,) = await newcomer.say("/reuniones")
    assert meetings.text == "No tiene reuniones próximas."
    assert meetings.button_texts() == [MENU]

    ana = Person(api, 7402, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    (meetings,) = await ana.say("/reuniones")
    assert meetings.text == "No tiene reuniones próximas."
    assert meetings.button_texts() == [MENU]  # an official creates no meetings
    await _back_to_menu(ana, meetings)

    (questions,) = await ana.say("/mis_preguntas")
    assert (questions.text or "").startswith("No ha enviado preguntas a los especialistas.")
    assert questions.button_texts() == ["📚 Consultar el Tool Kit", MENU]

    (publications,) = await ana.say("/publicaciones")
    assert publications.text == "Todavía no hay publicaciones."
    assert publications.button_texts() == [MENU]

    (surveys,) = await ana.say("/calificar")
    assert surveys.text == "No tiene encuestas de talleres por responder."
    assert surveys.button_texts() == ["🎓 Talleres", MENU]
    await ana.press(surveys, "Talleres")
    workshops = await ana.reply()
    assert "Aún no hay talleres anunciados." in (workshops.text or "")
    assert workshops.button_texts() == [MENU]


async def test_a_coordinator_is_offered_what_fills_the_list(
    api: LocalBotApi, app: Application, admin: Person
) -> None:
    await register(admin, region="MINEM")
    (pending,) = await admin.say("/preguntas")
    assert pending.text == "No hay preguntas pendientes. ¡Gracias!"
    assert pending.button_texts() == [MENU]

    (meetings,) = await admin.say("/reunion")
    assert meetings.text == "Aún no hay reuniones."
    assert meetings.button_texts() == ["➕ Nueva reunión", MENU]
    await admin.press(meetings, "Nueva reunión")
    heading, first = await admin.replies(2)
    assert "Nueva reunión" in (heading.text or "") and first.text

    await admin.say("/cancelar", 2)  # leaves the form: «Cancelado…» and the menu
    (visits,) = await admin.say("/visita")
    assert visits.text == "Todavía no hay visitas de estudio."
    assert visits.button_texts() == ["➕ Nueva visita de estudio", MENU]

    (mine,) = await admin.say("/reuniones")  # invited to none, but may create one
    assert mine.button_texts() == ["➕ Nueva reunión", MENU]


async def test_nothing_to_cancel_offers_the_menu(api: LocalBotApi, app: Application) -> None:
    nora = Person(api, 7403, "Nora")
    (nothing,) = await nora.say("/cancelar")
    assert nothing.text == "No hay nada que cancelar."
    assert nothing.button_texts() == [MENU]


async def test_a_coordinator_without_regions_is_offered_the_menu(
    api: LocalBotApi, app: Application
) -> None:
    """A coordinator granted no region yet (a grant from before coverage) reads why the
    indicators cannot be shown, and a way on."""
    ana = Person(api, 7404, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    async with app.bot_data["runtime"].db.session() as session:
        await people.set_role(session, ana.id, "coordinator", None)
    (periods,) = await ana.say("/indicadores")
    await ana.press(periods, periods.button_texts()[0])
    shown = await ana.reply()
    assert shown.text == (
        "Aún no tiene regiones asignadas para coordinar; pídaselas a un administrador."
    )
    assert shown.button_texts() == [MENU]
