"""End to end: a running Minka nobody updates stays honest about its dates.

An article whose declared plazo has passed (Lima's calendar) or whose `review_by` is overdue
opens with one warning line that carries its «Vigente al … · norm», in search answers and in
topic browsing; and every morning the people who answer /preguntas are told, once per article
or glossary entry and due date, which are due for review within 14 days, and once more the
first morning they are overdue.

The day is set by moving Minka's clock to a date taken from the content itself, so these tests
hold whatever the real date is and whatever dates the specialists write next."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from telegram.ext import Application

from bot.i18n import translator
from bot.local_api import BotEvent, LocalBotApi
from bot.runtime import Runtime
from bot.services.kb_reviews import NOTICE_DAYS, due_items
from handlers.keyboards import MAX_LABEL_CHARS
from knowledge.dates import due_on, glossary_due_on, stale
from knowledge.model import Article
from knowledge.text import fold
from storage.repositories import people
from tests.chat import Person as Chatter
from tests.helpers import move_clock, register

PLAZOS = "formalizacion-plazos"  # the most-asked fact: until when formalization runs
QUESTION = "hasta cuando es el plazo de la formalizacion"


async def _topic_pages(
    official: Chatter, runtime: Runtime, topic_id: str, until: str = ""
) -> list[BotEvent]:
    """/temas, the topic, and each page of its list of articles (up to the one with a button
    for the article `until`)."""
    (topics,) = await official.say("/temas")
    topic = runtime.knowledge.kit.topic(topic_id)
    assert topic is not None
    await official.press(topics, topic.name)
    pages = [await official.reply()]
    while until not in _article_buttons(pages[-1]) and "Siguiente ▶" in pages[-1].button_texts():
        await official.press(pages[-1], "Siguiente ▶")
        pages.append(await official.reply())
    return pages


def _article_buttons(page: BotEvent) -> dict[str, str]:
    """A page's article buttons: article id → label."""
    return {
        b["callback_data"].removeprefix("kb:a:"): b["text"]
        for row in page.buttons
        for b in row
        if b["callback_data"].startswith("kb:a:")
    }


async def _browse_to(official: Chatter, runtime: Runtime, article: Article) -> str:
    """/temas, the article's topic, page after page until its button, and the article's text
    as shown."""
    page = (await _topic_pages(official, runtime, article.topic, article.id))[-1]
    await official.press(page, _article_buttons(page)[article.id])
    return (await official.reply()).text or ""


def _expired(runtime: Runtime, article: Article) -> tuple[date, str, str]:
    """The article's first plazo, its «Vigente al … · norm» line, and the warning line its
    answer opens with from the day after that plazo."""
    assert article.deadlines, "the article declares its deadline"
    first = min(article.deadlines, key=lambda d: d.date)
    t = translator("es", runtime.settings.timezone)
    dated = f"Vigente al {t.date(article.valid_as_of or article.reviewed)} · {article.norm}"
    warning = (
        f"⚠️ {dated}. El plazo «{first.what}» venció el {t.date(first.date)} y el artículo aún "
        "no se ha actualizado: verifique en El Peruano, o con la DGFM del MINEM o su DREM, si "
        "una nueva norma lo amplió o lo cambió."
    )
    return first.date, dated, warning


async def test_a_passed_plazo_warns_in_answers_and_browsing(
    api: LocalBotApi, runtime: Runtime, ana: Chatter
) -> None:
    await register(ana)
    article = runtime.knowledge.kit.articles[PLAZOS]
    deadline, dated, warning = _expired(runtime, article)

    # The plazo's last day, 23:30 in Lima (already the next day in UTC): still open.
    move_clock(runtime, deadline, time(23, 30))
    (answer,) = await ana.say(QUESTION)
    assert answer.text.startswith(f"{article.title}\n\n")
    assert "⚠️ Vigente" not in answer.text
    assert f"\n\n{dated}\n\n¿Le fue útil?" in answer.text

    # The next day in Lima: the warning opens the answer, under the title, in one line.
    move_clock(runtime, deadline + timedelta(days=1), time(0, 30))
    (answer,) = await ana.say(QUESTION)
    assert answer.text.startswith(f"{article.title}\n{warning}\n\n")
    assert answer.text.count("Vigente al") == 1  # the line moved up, not repeated

    browsed = await _browse_to(ana, runtime, article)
    assert browsed.startswith(f"{article.title}\n{warning}\n\n")
    assert "Vigente al" not in browsed.split(warning, 1)[1]


async def test_an_overdue_review_warns_articles_and_glossary(
    api: LocalBotApi, runtime: Runtime, ana: Chatter
) -> None:
    """Past its `review_by` (no plazo of its own passed), an article and a glossary entry say
    they were due for review, and the entry is marked ⚠️ in its letter's list; on the review
    day itself they are not."""
    await register(ana)
    kit = runtime.knowledge.kit
    article = next(a for a in kit.articles.values() if a.review_by and not a.deadlines)
    entry = next(e for e in kit.glossary if e.review_by and e.source and e.reviewed)
    t = translator("es", runtime.settings.timezone)

    async def shown() -> tuple[str, str]:
        browsed = await _browse_to(ana, runtime, article)
        (glossary,) = await ana.say(f"/glosario {entry.term}")
        return browsed, glossary.text

    async def listed() -> tuple[str, str]:
        """The entry's button label in its letter's list, and that page's text."""
        (letters,) = await ana.say("/glosario")
        assert letters.message_id is not None
        letter = fold(entry.term)[:1].upper()
        await api.callback_answer(
            await api.press_button(ana.id, letters.message_id, f"kb:g:{letter}")
        )
        page = await ana.reply()
        labels = [b["text"] for row in page.buttons for b in row]
        shown = next(b for b in labels if entry.term.startswith(b.removeprefix("⚠️ ").rstrip("…")))
        return shown, page.text or ""  # a long term is cut to fit its button

    assert article.review_by is not None and entry.review_by is not None
    move_clock(runtime, max(article.review_by, entry.review_by), time(23, 59))
    browsed, glossary = await shown()
    assert "⚠️" not in browsed.split("\n", 2)[1] and "⚠️ Vigente" not in glossary
    label, page = await listed()
    assert not label.startswith("⚠️") and page == f"Glosario: {fold(entry.term)[:1].upper()}"
    move_clock(runtime, max(article.review_by, entry.review_by) + timedelta(days=1), time(0, 1))
    browsed, glossary = await shown()
    label, page = await listed()
    assert label.startswith("⚠️ ") and page.endswith(
        "\n⚠️: pasó su fecha, puede estar desactualizado."
    )
    dated = f"Vigente al {t.date(article.valid_as_of or article.reviewed)} · {article.norm}"
    assert browsed.startswith(
        f"{article.title}\n⚠️ {dated}. Debía revisarse a más tardar el "
        f"{t.date(article.review_by)} y aún no se ha actualizado: confirme con el MINEM o su "
        "DREM.\n\n"
    )
    norm = re.split(r" \(|, | — ", entry.source)[0]  # the source's name, as the line shows it
    assert glossary.endswith(
        f"\n⚠️ Vigente al {t.date(entry.reviewed)} · {norm}. Debía "
        f"revisarse a más tardar el {t.date(entry.review_by)} y aún no se ha actualizado: "
        "confirme con el MINEM o su DREM."
    )


async def test_a_typed_question_carries_its_dates_in_one_line(
    runtime: Runtime, ana: Chatter
) -> None:
    """Not only an article's page: a typed question about a dated glossary term is answered with
    the entry and the article it names, each with its «Vigente al … · norma» line; the day
    after their dates, each with the warning instead, in one line (no line break in it)."""
    await register(ana)
    kit = runtime.knowledge.kit
    entry = next(e for e in kit.glossary if e.review_by and e.source and e.reviewed and e.articles)
    article = kit.articles[entry.articles[0]]
    assert entry.review_by is not None and entry.reviewed is not None and entry.source
    last = max(entry.review_by, due_on(article) or entry.review_by)
    question = f"que es {entry.term}"
    t = translator("es", runtime.settings.timezone)
    norm = re.split(r" \(|, | — ", entry.source)[0]
    entry_dated = f"Vigente al {t.date(entry.reviewed)} · {norm}"
    dated = f"Vigente al {t.date(article.valid_as_of or article.reviewed)} · {article.norm}"

    move_clock(runtime, last, time(23, 59))
    glossary, answer = await ana.say(question, 2)
    assert glossary.text.endswith(f"\n{entry_dated}")
    assert answer.text.startswith(f"{article.title}\n\n")
    assert f"\n\n{dated}\n\n¿Le fue útil?" in answer.text

    move_clock(runtime, last + timedelta(days=1), time(0, 1))
    glossary, answer = await ana.say(question, 2)
    warned = glossary.text.splitlines()[-1]
    assert warned.startswith(f"⚠️ {entry_dated}. ") and warned.endswith(" o su DREM.")
    title, warned, *_rest = answer.text.split("\n")
    assert title == article.title
    assert warned.startswith(f"⚠️ {dated}. ") and warned.endswith(" o su DREM.")
    assert answer.text.count("Vigente al") == 1


async def test_stale_articles_are_marked_in_lists(
    api: LocalBotApi, runtime: Runtime, ana: Chatter
) -> None:
    """From the day after its plazo, an article says ⚠️ wherever articles are listed: its
    topic's pages (with a line that says what the mark means), the related articles under an
    answer and inline mode's results; the others keep their plain titles."""
    await register(ana)
    kit = runtime.knowledge.kit
    article = kit.articles[PLAZOS]
    day = min(d.date for d in article.deadlines) + timedelta(days=1)
    move_clock(runtime, day, time(0, 30))
    in_topic = kit.in_topic(article.topic)
    old = {a.id for a in in_topic if stale(a, day)}
    assert PLAZOS in old and old != {a.id for a in in_topic}  # marked and plain side by side

    pages = await _topic_pages(ana, runtime, article.topic)
    labels = {key: label for page in pages for key, label in _article_buttons(page).items()}
    assert labels.keys() == {a.id for a in in_topic}
    for listed in in_topic:
        label = labels[listed.id]
        assert label.startswith("⚠️ ") is (listed.id in old)
        assert listed.title.startswith(label.removeprefix("⚠️ ").rstrip("…"))
        assert len(label) <= MAX_LABEL_CHARS
    legend = "⚠️: pasó su fecha, puede estar desactualizado."
    for page in pages:
        assert (legend in (page.text or "")) is bool(old & _article_buttons(page).keys())

    (answer,) = await ana.say(QUESTION)
    related = _article_buttons(answer)
    assert related and any(key in old for key in related)
    for key, label in related.items():
        assert label.startswith("↪ ⚠️ ") is (stale(kit.articles[key], day) is not None)

    query_id = await api.send_inline_query(ana.id, QUESTION)
    results = (await api.inline_answer(query_id))["results"]
    for result in results:
        marked = stale(kit.articles[result["id"]], day) is not None
        assert result["title"].startswith("⚠️ ") is marked
    shared = next(r for r in results if r["id"] == PLAZOS)
    assert shared["title"] == f"⚠️ {article.title}"
    assert "\n⚠️ <i>Vigente al" in shared["input_message_content"]["message_text"]  # HTML


async def test_specialists_are_told_once_which_articles_are_due(
    api: LocalBotApi, app: Application, runtime: Runtime, ana: Chatter, admin: Chatter
) -> None:
    luis = Chatter(api, 1003, "Luis", last_name="Mamani")
    await register(ana)
    await register(admin, region="MINEM")  # an admin by configuration gets /preguntas too
    await register(luis)
    async with runtime.db.session() as session:
        await people.set_role(session, ana.id, "specialist", None)
    (job,) = app.job_queue.get_jobs_by_name("kb reviews")
    fields = {field.name: str(field) for field in job.trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("8", "0")  # every morning, Lima's time
    assert str(job.trigger.timezone) == "America/Lima"
    kit = runtime.knowledge.kit
    first = min(d for a in kit.articles.values() if (d := due_on(a)) is not None)
    t = translator("es", runtime.settings.timezone)

    # Fifteen days before the first due date: nothing to tell.
    move_clock(runtime, first - timedelta(days=NOTICE_DAYS + 1), time(8))
    await job.run(app)
    assert api.drain(ana.id) == [] and api.drain(admin.id) == []

    # Fourteen days before: each of them is told, in one message; the official is not.
    today = first - timedelta(days=NOTICE_DAYS)
    move_clock(runtime, today, time(8))
    await job.run(app)
    due = due_items(kit, today)
    assert due and all(item.due == first for item in due)
    # Glossary entries with a date are told too, named as such (the MAPE entry shares the date).
    entries = [entry for entry in kit.glossary if glossary_due_on(entry) == first]
    assert entries and {entry.term for entry in entries} == {i.title for i in due if i.glossary}
    for person in (ana, admin):
        notice = await person.reply()
        heading = "📅 Tool Kit: artículos y entradas del glosario por revisar"  # both are due
        assert notice.text.startswith(f"{heading}\n")
        for item in due:
            label = f"Glosario: {item.title}" if item.glossary else item.title
            assert f"• {label}: revisar a más tardar el {t.date(first)} (en 14 días)" in notice.text
        assert "python -m bot kb recargar" in notice.text
    assert api.drain(luis.id) == []

    # The next morning and the due day itself (a restart changes nothing: what was told is in
    # the database): the same articles and dates are not told again.
    def told_again(person: Chatter) -> list[str]:
        return [e.text or "" for e in api.drain(person.id) if any(i.title in e.text for i in due)]

    for later in (1, NOTICE_DAYS):
        move_clock(runtime, today + timedelta(days=later), time(8))
        await job.run(app)
        assert told_again(ana) == [] and told_again(admin) == []

    # The first morning they are overdue, when Minka starts warning every reader of them (for
    # the 31 December 2026 plazo: 1 January 2027): told once more, as overdue; then no more.
    move_clock(runtime, first + timedelta(days=1), time(8))
    await job.run(app)
    for person in (ana, admin):
        notice = await person.reply()
        for item in due:
            label = f"Glosario: {item.title}" if item.glossary else item.title
            assert f"• {label}: revisión vencida desde el {t.date(first)}" in notice.text
        assert "python -m bot kb recargar" in notice.text
    move_clock(runtime, first + timedelta(days=2), time(8))
    await job.run(app)
    assert told_again(ana) == [] and told_again(admin) == []
    assert api.drain(luis.id) == []


async def test_on_new_years_day_the_formalization_deadline_is_called_expired(
    runtime: Runtime, ana: Chatter
) -> None:
    """What an official reads the day after the formalization plazo (with today's content, the
    31 December 2026 of Ley 32537: on 1 January 2027) if nobody updated the article: asked as
    officials type it, without accents or with them, the answer is still the plazos article,
    and it opens with the warning in one line, with the date the text was valid, its norm,
    the day the plazo ran out and whom to ask; the text under it is unchanged. Not the
    glossary's «Formalización minera integral»: «hasta cuándo» asks a date, not a definition
    (it answered with that entry and the «qué es» article)."""
    await register(ana)
    article = runtime.knowledge.kit.articles[PLAZOS]
    deadline, _dated, warning = _expired(runtime, article)
    move_clock(runtime, deadline + timedelta(days=1), time(0, 1))
    for question in ("hasta cuando es la formalizacion", "¿Hasta cuándo es la formalización?"):
        (answer,) = await ana.say(question)
        title, line, blank, first, *_rest = (answer.text or "").split("\n")
        assert (title, line, blank) == (article.title, warning, "")
        assert first.startswith("Según la Ley 32537")  # the text is not rewritten by the bot
        assert answer.text.count("Vigente al") == 1
        assert any(b.startswith("↪ ⚠️ ") for b in answer.button_texts())  # related, stale too


async def test_on_new_years_day_every_deadline_question_says_the_plazo_ran_out(
    runtime: Runtime, ana: Chatter
) -> None:
    """A bot nobody redeployed, the day after the formalization plazo (31 December 2026 under
    Ley 32537 in today's content): the two questions officials ask most about it, «¿hasta
    cuándo es el plazo?» and «¿sigue vigente el REINFO?», each get an article that opens with
    the warning that this plazo ran out and that a new norm may have extended it (El Peruano).
    A warning that only said the review was overdue («Debía revisarse…», the REINFO states'
    article) did not tell the reader the deadline itself had passed."""
    await register(ana)
    kit = runtime.knowledge.kit
    deadline = min(d.date for d in kit.articles[PLAZOS].deadlines)
    t = translator("es", runtime.settings.timezone)
    move_clock(runtime, deadline + timedelta(days=1), time(8))
    titles = {a.title: a for a in kit.in_topic(kit.articles[PLAZOS].topic)}
    for question in (
        "¿Hasta cuándo es el plazo de formalización?",
        "hasta cuando es el plazo de formalizacion",
        "¿Sigue vigente el REINFO?",
        "sigue vigente el reinfo",
    ):
        (answer,) = await ana.say(question)
        title, line, *_rest = (answer.text or "").split("\n")
        assert title in titles, (question, title)  # a formalization article answers
        _deadline, _dated, warning = _expired(runtime, titles[title])
        assert line == warning, (question, line)
        assert f"venció el {t.date(deadline)}" in line and "El Peruano" in line
        assert "si una nueva norma lo amplió" in line
