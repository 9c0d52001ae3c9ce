"""End to end at Telegram's limits: answers, lists and titles as long as they get. The local
Bot API server refuses what Telegram refuses, and the `app` fixture fails a test whose Minka
sent anything it refused; these tests also check what the person reads."""

from __future__ import annotations

import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.i18n import translator
from bot.local_api import BotEvent, LocalBotApi
from bot.telegram_limits import MESSAGE_LIMIT, units, visible_units
from knowledge.loader import CONTENT_DIR, load
from knowledge.render import article_messages
from tests.chat import Person
from tests.helpers import register

ARTICLE = "acerca-de-minka"
LONG_TITLE = "Acerca de Minka, " + "el asistente del programa de apoyo " * 6 + "👩🏽‍🌾"


def _long_article(folder: Path) -> None:
    """The article, retitled at length and padded until its last message is all but full
    (between 4080 and 4096 characters as Telegram counts them)."""
    path = folder / "articles" / f"{ARTICLE}.md"
    original = path.read_text(encoding="utf-8")
    _start, head, body = original.split("---\n", 2)
    head = head.replace('title: "Acerca de Minka"', f'title: "{LONG_TITLE}"')
    t = translator("es", ZoneInfo("America/Lima"))
    low, high = 2000, MESSAGE_LIMIT
    while low <= high:  # the padding's length that leaves the last message all but full
        size = (low + high) // 2
        padding = ("Minería & <gestión> regional 😀 " * 200)[:size].strip()
        path.write_text(f"---\n{head}---\n{body}\n\n{padding}\n", encoding="utf-8")
        parts = article_messages(load(folder).articles[ARTICLE], t)
        last = visible_units(parts[-1])
        if 4085 <= last <= MESSAGE_LIMIT and len(parts) >= 2:
            return
        if last > MESSAGE_LIMIT or len(parts) > 2:
            high = size - 1
        else:
            low = size + 1
    raise AssertionError("could not pad the article to the limit")


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    folder = tmp_path / "toolkit"
    shutil.copytree(CONTENT_DIR, folder)
    _long_article(folder)
    return settings.model_copy(update={"kb_dir": folder})


async def _until_buttons(person: Person) -> list[BotEvent]:
    """Minka's messages up to the one that carries buttons."""
    events = [await person.reply()]
    while not events[-1].buttons:
        events.append(await person.reply())
    return events


def _fits(events: list[BotEvent]) -> None:
    for event in events:
        assert event.text and units(event.text) <= MESSAGE_LIMIT


async def test_an_article_at_the_limit_reaches_the_person_whole(
    api: LocalBotApi, ana: Person, bot: Settings
) -> None:
    await register(ana)
    await ana.send("¿Qué es Minka? Acerca de Minka")
    events = await _until_buttons(ana)
    _fits(events)
    answer = [e for e in events if e.text and e.text.startswith(LONG_TITLE)]
    assert answer, [e.text[:40] for e in events if e.text]
    shown = "\n".join(e.text or "" for e in events[events.index(answer[0]) :])
    assert shown.count("Minería & <gestión> regional 😀") > 100
    assert "Vigente al" in shown and "¿Le fue útil?" in events[-1].text
    assert any(label.startswith("👍") for label in events[-1].button_texts())

    (topics,) = await ana.say("/temas")
    await ana.press(topics, "Acerca de Minka")
    topic = await ana.reply()
    await ana.press(topic, LONG_TITLE[:30])  # the label is cut, the article is not
    events = await _until_buttons(ana)
    _fits(events)
    assert events[0].text.startswith(LONG_TITLE)  # several messages: sent anew, not edited
    assert "¿Le fue útil?" in events[-1].text

    query_id = await api.send_inline_query(ana.id, "acerca de minka asistente")
    results = (await api.inline_answer(query_id))["results"]
    assert any(result["id"] == ARTICLE for result in results)
