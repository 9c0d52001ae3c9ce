"""End to end: a long review notice reaches the specialists whole, in several messages.

When many articles come due together (one norm touches many), the notice was one message the
outbox cut with «…»: what came after the cut was never told. Here sixty made-up articles with
long titles, added to a copy of the Tool Kit (KB_DIR), come due with the shipped ones; the
specialist gets every item once, in order, in numbered messages within the Bot API's limits
(the `app` fixture also fails the test for any message Telegram would refuse or show with
formatting lost past 100 entities)."""

from __future__ import annotations

import re
import shutil
from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import Application

from bot.config import Settings
from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.services.kb_review_notice import GLOSSARY, Due, text
from bot.services.kb_reviews import NOTICE_DAYS, due_items
from bot.telegram_limits import MESSAGE_LIMIT, units
from knowledge.dates import due_on
from knowledge.loader import CONTENT_DIR, load
from storage.repositories import people
from tests.chat import Person as Chatter
from tests.helpers import move_clock, register

EXTRA = 60  # made-up articles due with the shipped ones: several messages' worth of lines
ARTICLES = "📅 Tool Kit: artículos por revisar"
MIXED = "📅 Tool Kit: artículos y entradas del glosario por revisar"
ENTRIES = "📅 Tool Kit: entradas del glosario por revisar"


@pytest.fixture(name="settings")
def many_due(settings: Settings, tmp_path: Path) -> Settings:
    """Minka reading a copy of the Tool Kit with EXTRA more articles due on its first date."""
    folder = tmp_path / "toolkit"
    shutil.copytree(CONTENT_DIR, folder)
    kit = load(CONTENT_DIR)
    first = min(d for a in kit.articles.values() if (d := due_on(a)) is not None)
    for n in range(EXTRA):
        article_id = f"revision-de-prueba-{n:03d}"
        title = (
            f"{n:03d}. ¿Qué revisa la dirección regional de energía y minas cuando cambia el "
            "plazo del proceso de formalización minera integral?"
        )
        (folder / "articles" / f"{article_id}.md").write_text(
            "---\n"
            f"id: {article_id}\n"
            f'title: "{title}"\n'
            f"topic: {kit.topics[0].id}\n"
            "summary: Artículo de prueba.\n"
            "keywords: [articulo de prueba]\n"
            "related: []\n"
            'sources: ["Ley 32537"]\n'
            f"reviewed: {first - timedelta(days=30)}\n"
            f"review_by: {first}\n"
            "---\n"
            "Texto de prueba.\n",
            encoding="utf-8",
        )
    return settings.model_copy(update={"kb_dir": folder})


async def test_a_long_notice_comes_whole_in_several_messages(
    api: LocalBotApi, app: Application, runtime: Runtime, ana: Chatter
) -> None:
    await register(ana)
    async with runtime.db.session() as session:
        await people.set_role(session, ana.id, "specialist", None)
    (job,) = app.job_queue.get_jobs_by_name("kb reviews")
    kit = runtime.knowledge.kit
    first = min(d for a in kit.articles.values() if (d := due_on(a)) is not None)
    today = first - timedelta(days=NOTICE_DAYS)
    due = due_items(kit, today)
    assert len(due) > EXTRA  # the made-up articles and the shipped ones, glossary included

    move_clock(runtime, today, time(8))
    await job.run(app)
    opening = await ana.reply()
    numbered = re.match(re.escape(ARTICLES) + r" \(1 de (\d+)\)\n", opening.text or "")
    assert numbered, opening.text
    parts = int(numbered[1])
    notices = [opening, *await ana.replies(parts - 1)]
    assert parts > 1 and api.drain(ana.id) == []

    t = translator("es", runtime.settings.timezone)
    for number, notice in enumerate(notices, start=1):
        shown = notice.text or ""
        lines = [line for line in shown.splitlines() if line.startswith("•")]
        entries = sum(line.startswith("• Glosario: ") for line in lines)
        heading = MIXED if 0 < entries < len(lines) else ENTRIES if entries else ARTICLES
        assert shown.startswith(f"{heading} ({number} de {parts})\n")  # names what it lists
        assert units(shown) <= MESSAGE_LIMIT and "…" not in shown  # nothing cut
        assert ("python -m bot kb recargar" in shown) is (number == parts)  # what to do: last
    told = [line for n in notices for line in (n.text or "").splitlines() if line.startswith("•")]
    when = f"revisar a más tardar el {t.date(first)} (en 14 días)"
    assert told == [
        f"• {'Glosario: ' if item.glossary else ''}{item.title}: {when}" for item in due
    ]  # every item, once, in order

    # The next morning nothing is told again.
    move_clock(runtime, today + timedelta(days=1), time(8))
    await job.run(app)
    assert api.drain(ana.id) == []


def test_the_heading_names_what_the_notice_lists() -> None:
    """The heading says «artículos» only when it lists articles: glossary entries are named as
    such, alone or with articles, and one item is named in the singular."""
    t = translator("es", ZoneInfo("America/Lima"))
    today = date(2026, 12, 17)
    article = Due("formalizacion-plazos", "¿Hasta cuándo va la formalización minera?", today)
    other = Due("formalizacion-censo", "¿Qué es el censo?", today)
    entry = Due(GLOSSARY + "MAPE", "MAPE", today)
    second = Due(GLOSSARY + "REINFO", "REINFO", today)
    cases = [
        ([article], "📅 <b>Tool Kit: artículo por revisar</b>"),
        ([article, other], "📅 <b>Tool Kit: artículos por revisar</b>"),
        ([entry], "📅 <b>Tool Kit: entrada del glosario por revisar</b>"),
        ([entry, second], "📅 <b>Tool Kit: entradas del glosario por revisar</b>"),
        ([article, entry], "📅 <b>Tool Kit: artículos y entradas del glosario por revisar</b>"),
    ]
    for items, heading in cases:
        assert text(items, today, t).split("\n", 1)[0] == heading
    several = text([entry], today, t, part=2, parts=3).split("\n", 1)[0]
    assert several == "📅 <b>Tool Kit: entrada del glosario por revisar</b> (2 de 3)"
