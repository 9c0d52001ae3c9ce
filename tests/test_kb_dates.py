"""End to end: a running Minka nobody updates stays honest about its dates.

An article whose declared plazo has passed (Lima's calendar) or whose `review_by` is overdue
opens with one warning line that carries its «Vigente al … · norm», in search answers and in
topic browsing; and every morning the people who answer /preguntas are told, once per article
and due date, which articles are due for review within 14 days or overdue.

The day is set by moving Minka's clock to a date taken from the content itself, so these tests
hold whatever the real date is and whatever dates the specialists write next."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from telegram.ext import Application

from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.services.kb_reviews import NOTICE_DAYS, due_articles
from knowledge.dates import due_on
from storage.repositories import people
from tests.chat import Person as Chatter
from tests.helpers import register

PLAZOS = "formalizacion-plazos"  # the most-asked fact: until when formalization runs
QUESTION = "hasta cuando es el plazo de la formalizacion"


def _move_to(runtime: Runtime, day: date, at: time) -> None:
    """Set Minka's clock to `at` on `day`, Lima's wall time."""
    wanted = datetime.combine(day, at, tzinfo=runtime.settings.timezone)
    runtime.clock.advance(wanted - runtime.clock.now())


async def test_a_passed_plazo_warns_in_answers_and_browsing(
    api: LocalBotApi, runtime: Runtime, ana: Chatter
) -> None:
    await register(ana)
    kit = runtime.knowledge.kit
    article = kit.articles[PLAZOS]
    assert article.deadlines, "the plazos article declares its deadline"
    deadline = min(d.date for d in article.deadlines)
    t = translator("es", runtime.settings.timezone)
    dated = f"Vigente al {t.date(article.valid_as_of or article.reviewed)} · {article.norm}"
    warning = (
        f"⚠️ {dated}. Este plazo venció el {t.date(deadline)} y el artículo aún no se ha "
        "actualizado: confirme con la DGFM del MINEM o su DREM."
    )

    # The plazo's last day, 23:30 in Lima (already the next day in UTC): still open.
    _move_to(runtime, deadline, time(23, 30))
    (answer,) = await ana.say(QUESTION)
    assert answer.text.startswith(f"{article.title}\n\n")
    assert "⚠️ Vigente" not in answer.text
    assert f"\n\n{dated}\n\n¿Le fue útil?" in answer.text

    # The next day in Lima: the warning opens the answer, under the title, in one line.
    _move_to(runtime, deadline + timedelta(days=1), time(0, 30))
    (answer,) = await ana.say(QUESTION)
    assert answer.text.startswith(f"{article.title}\n{warning}\n\n")
    assert answer.text.count("Vigente al") == 1  # the line moved up, not repeated

    (topics,) = await ana.say("/temas")
    await ana.press(topics, kit.topic(article.topic).name)
    listing = await ana.reply()
    while article.title not in listing.button_texts():
        await ana.press(listing, "Siguiente")
        listing = await ana.reply()
    await ana.press(listing, article.title)
    browsed = await ana.reply()
    assert browsed.text.startswith(f"{article.title}\n{warning}\n\n")
    assert "Vigente al" not in browsed.text.split(warning, 1)[1]


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
    _move_to(runtime, first - timedelta(days=NOTICE_DAYS + 1), time(8))
    await job.run(app)
    assert api.drain(ana.id) == [] and api.drain(admin.id) == []

    # Fourteen days before: each of them is told, in one message; the official is not.
    today = first - timedelta(days=NOTICE_DAYS)
    _move_to(runtime, today, time(8))
    await job.run(app)
    due = due_articles(kit, today)
    assert due and all(item.due == first for item in due)
    for person in (ana, admin):
        notice = await person.reply()
        assert notice.text.startswith("📅 Tool Kit: artículos por revisar\n")
        for item in due:
            assert (
                f"• {item.title}: revisar a más tardar el {t.date(first)} (en 14 días)"
                in notice.text
            )
        assert "python -m bot kb recargar" in notice.text
    assert api.drain(luis.id) == []

    # The next mornings (a restart changes nothing: what was told is in the database), and
    # the day the review is overdue: the same articles and dates are not told again.
    for later in (1, NOTICE_DAYS + 1):
        _move_to(runtime, today + timedelta(days=later), time(8))
        await job.run(app)
        for person in (ana, admin):
            again = [e.text for e in api.drain(person.id) if any(i.title in e.text for i in due)]
            assert again == []
    assert api.drain(luis.id) == []
