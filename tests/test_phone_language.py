"""End to end: Minka speaks Spanish to everyone, whatever language their Telegram app is in
(the update's `from.language_code`). Its people are Peruvian officials: a phone set to English,
Quechua or Brazilian Portuguese, or one that does not tell, is not a choice of language; they
read what a Spanish phone reads: the greeting, the consent, the registration, the menu, an
answer and its buttons' notices, the command menu, the flood notice and the apology. English
is only for whoever chooses it in /perfil."""

from __future__ import annotations

import asyncio
import re

import pytest
from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats
from telegram.ext import Application

from bot.config import Settings
from bot.local_api import Fault, LocalBotApi
from tests.chat import Person
from tests.conftest import TOKEN
from tests.helpers import register

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # not about it

PHONES = ["en", "qu", "pt-br", None]
# Words of Minka's English catalog that no Spanish reply holds (commands such as /menu aside).
ENGLISH = re.compile(
    r"\b(the|you|your|please|with|sorry|hello|what|would|thank|accept|browse|registered|"
    r"wait|again|welcome|questions?|search|help|workshops?|meetings?|cases|profile)\b",
    re.IGNORECASE,
)


@pytest.fixture
async def english_menu(api: LocalBotApi) -> None:
    """Before Minka starts: everyone's menu for English apps, as Minka's earlier versions
    set it (Telegram keeps it until it is deleted)."""
    async with Bot(TOKEN, base_url=api.base_url) as earlier:
        await earlier.set_my_commands(
            [BotCommand("start", "Start or resume")],
            scope=BotCommandScopeAllPrivateChats(),
            language_code="en",
        )
    assert api.commands({"type": "all_private_chats"}, language_code="en")


@pytest.fixture
async def operators_description(api: LocalBotApi) -> None:
    """Before Minka starts: a description an operator wrote at @BotFather."""
    async with Bot(TOKEN, base_url=api.base_url) as botfather:
        await botfather.set_my_description("Asistente de la DREM Puno.")
    assert api.description() == "Asistente de la DREM Puno."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Production's flood limit, 20 updates in 10 seconds, so that its notice is seen."""
    return settings.model_copy(update={"flood_limit": 20})


def _words(api: LocalBotApi, chat_id: int, calls: slice) -> list[str]:
    """What the person read: every text and button Minka sent or left in the chat, and the
    notices of its answers to presses among `calls`."""
    seen: list[str] = []
    for event in api.events:
        if event.chat_id == chat_id:
            seen += [event.text or "", *event.button_texts()]
    seen += [
        params.get("text", "")
        for method, params in api.calls[calls]
        if method == "answerCallbackQuery"
    ]
    return seen


async def _play(person: Person) -> None:
    """/start, the consent and the registration, the menu, /ayuda, a question, a press."""
    await register(person)
    (menu,) = await person.say("/menu")
    assert "Menú principal" in menu.text
    (help_text,) = await person.say("/ayuda")
    assert "/temas" in help_text.text
    _definition, answer = await person.say("que es el reinfo", 2)
    assert answer.text.startswith("¿Qué es el REINFO?")
    await person.press(answer, "👍")
    await person.replies(1)


async def _registered_in_english(person: Person) -> None:
    """Registered, then English chosen in /perfil."""
    await register(person)
    (profile,) = await person.say("/perfil")
    await person.press(profile, "Idioma")
    await person.press(await person.reply(), "English")
    assert "Language: English" in (await person.reply()).text


def _english(words: list[str]) -> list[str]:
    return [text for text in words if ENGLISH.search(re.sub(r"/\w+", "", text))]


@pytest.mark.parametrize("phone", PHONES)
async def test_a_phone_in_another_language_reads_only_spanish(
    api: LocalBotApi, bot: Settings, phone: str | None
) -> None:
    """Played beside a Spanish phone, the same words, button for button; the same command
    menu. Before, an English phone got Telegram's command menu in English."""
    spanish = Person(api, 2001, "Ana", last_name="Quispe Mamani", language_code="es")
    other = Person(api, 2002, "Ana", last_name="Quispe Mamani", language_code=phone)  # type: ignore[arg-type]
    start = len(api.calls)
    await _play(spanish)
    middle = len(api.calls)
    await _play(other)
    read = _words(api, other.id, slice(middle, None))
    assert read == _words(api, spanish.id, slice(start, middle))
    assert "Menú principal" in "".join(read) and not _english(read), _english(read)
    for _ in range(300):  # the menus are set by a start-up job
        if api.commands_seen_by(spanish.id):
            break
        await asyncio.sleep(0.1)
    assert api.commands_seen_by(other.id) == api.commands_seen_by(spanish.id)
    newcomer = Person(api, 2003, "Luis", language_code=phone)  # type: ignore[arg-type]
    descriptions = [c["description"] for c in api.commands_seen_by(newcomer.id)]
    assert "Recorrer el Tool Kit por temas" in descriptions, descriptions


async def test_an_earlier_english_menu_is_deleted_at_start(
    english_menu: None, api: LocalBotApi, bot: Settings
) -> None:
    """An English phone's newcomer reads everyone's Spanish menu once Minka has started."""
    john = Person(api, 2006, "John", language_code="en")
    for _ in range(300):  # the menus are set by a start-up job
        if not api.commands({"type": "all_private_chats"}, language_code="en"):
            break
        await asyncio.sleep(0.1)
    descriptions = [c["description"] for c in api.commands_seen_by(john.id)]
    assert "Recorrer el Tool Kit por temas" in descriptions, descriptions


async def test_the_flood_notice_is_spanish_for_an_english_phone(
    api: LocalBotApi, bot: Settings
) -> None:
    john = Person(api, 2004, "John", language_code="en")
    for _ in range(30):
        await api.send_message(john.id, "/ayuda")
    notice = (
        "Está enviando muchos mensajes seguidos. Espere un momento, por favor, y vuelva a "
        "intentarlo."
    )
    for _ in range(100):
        texts = [e.text for e in api.events if e.chat_id == john.id]
        if notice in texts:
            break
        await asyncio.sleep(0.1)
    assert notice in texts and not _english(texts), _english(texts)


async def test_the_apology_is_spanish_for_an_english_phone(
    api: LocalBotApi, app: Application
) -> None:
    john = Person(api, 2005, "John", language_code="en")
    api.inject("sendMessage", Fault.server_error(500), times=4)
    await john.send("/ayuda")
    sorry = await john.reply(timeout=30)
    assert (sorry.text or "").startswith("Lo siento, algo falló de mi lado."), sorry.text


async def test_an_article_shared_inline_is_spanish_even_from_an_english_profile(
    api: LocalBotApi, bot: Settings
) -> None:
    """Inline mode's results go into a chat of others, and Telegram gives them to whoever
    types the same query for 5 minutes (not personal): they are in Spanish even when the
    person who asks chose English in /perfil. Before, «Sources» and «Valid as of» came in
    the sharer's English."""
    mary = Person(api, 2007, "Mary", last_name="Quispe", language_code="en")
    await _registered_in_english(mary)
    query_id = await api.send_inline_query(mary.id, "que es el reinfo")
    results = (await api.inline_answer(query_id))["results"]
    texts = [result["input_message_content"]["message_text"] for result in results]
    assert texts and all("Vigente al" in text for text in texts), texts
    assert not [text for text in texts if "Valid as of" in text or "Sources" in text]


async def test_the_bots_description_is_spanish_for_every_app(
    api: LocalBotApi, bot: Settings
) -> None:
    """What a newcomer reads in the empty chat before pressing Iniciar, and on the bot's
    profile: set in Spanish at start, for every app's language (none per language)."""
    await api.wait_for_call("setMyShortDescription")
    description, short = api.description(), api.description("short_description")
    assert description.startswith("Minka es el asistente del programa de pequeña minería")
    assert "consentimiento" in description and len(description) <= 512
    assert short.startswith("Asistente del programa") and len(short) <= 120
    assert not _english([description, short])
    assert api.description(language_code="en") == ""


async def test_an_operators_description_is_kept(
    operators_description: None, api: LocalBotApi, bot: Settings
) -> None:
    await api.wait_for_call("getMyShortDescription")  # asked after the description
    assert api.description() == "Asistente de la DREM Puno."
    assert [method for method, _params in api.calls if method == "setMyDescription"] == [
        "setMyDescription"  # the operator's own, before Minka started
    ]


async def test_the_apology_speaks_english_to_who_chose_it(api: LocalBotApi, bot: Settings) -> None:
    """English is for whoever chooses it in /perfil: a reply that failed is followed by the
    apology in their language (the phone's, Spanish here, does not count)."""
    mary = Person(api, 2008, "Mary", last_name="Quispe", language_code="es")
    await _registered_in_english(mary)
    api.inject("sendMessage", Fault.server_error(500), times=4)
    await mary.send("/ayuda")
    sorry = await mary.reply(timeout=30)
    assert (sorry.text or "").startswith("Sorry, something went wrong on my side."), sorry.text
