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
from datetime import time, timedelta
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.config import Settings
from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.services.kb_reviews import NOTICE_DAYS, due_items
from bot.telegram_limits import MESSAGE_LIMIT, units
from knowledge.dates import due_on
from knowledge.loader import CONTENT_DIR, load
from storage.repositories import people
from tests.chat import Person as Chatter
from tests.helpers import move_clock, register

EXTRA = 60  # made-up articles due with the shipped ones: several messages' worth of lines
HEADING = "📅 Tool Kit: artículos por revisar"


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
    numbered = re.match(re.escape(HEADING) + r" \(1 de (\d+)\)\n", opening.text or "")
    assert numbered, opening.text
    parts = int(numbered[1])
    notices = [opening, *await ana.replies(parts - 1)]
    assert parts > 1 and api.drain(ana.id) == []

    t = translator("es", runtime.settings.timezone)
    for number, notice in enumerate(notices, start=1):
        text = notice.text or ""
        assert text.startswith(f"{HEADING} ({number} de {parts})\n")
        assert units(text) <= MESSAGE_LIMIT and "…" not in text  # nothing cut
        assert ("python -m bot kb recargar" in text) is (number == parts)  # what to do: last
    told = [line for n in notices for line in (n.text or "").splitlines() if line.startswith("•")]
    when = f"revisar a más tardar el {t.date(first)} (en 14 días)"
    assert told == [
        f"• {'Glosario: ' if item.glossary else ''}{item.title}: {when}" for item in due
    ]  # every item, once, in order

    # The next morning nothing is told again.
    move_clock(runtime, today + timedelta(days=1), time(8))
    await job.run(app)
    assert api.drain(ana.id) == []
