"""The specialists' daily notice of Tool Kit articles and glossary entries due for review
(owed by bot/kb_reviews.py, rules in bot/services/kb_reviews.py): rendered in each one's
language when sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.outbox import Outgoing
from bot.services.kb_reviews import GLOSSARY, KIND
from handlers.base import esc
from handlers.registry import Feature
from storage.repositories.outbox import OwedMessage


def _line(key: str, title: str, due: date, today: date, t: Translator) -> str:
    when = t.date(due)
    days = (due - today).days
    if days < 0:
        status = t.gettext("review overdue since {date}").format(date=when)
    elif days == 0:
        status = t.gettext("review by today, {date}").format(date=when)
    else:
        status = t.ngettext(
            "review by {date} (in {count} day)", "review by {date} (in {count} days)", days
        ).format(date=when, count=t.number(days))
    if key.startswith(GLOSSARY):  # an entry of glossary.yaml, named by its term
        title = t.gettext("Glossary: {term}").format(term=title)
    return f"• <b>{esc(title)}</b>: {status}"


async def render(
    _session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    today = now.astimezone(t.timezone).date()
    lines = [
        _line(key, title, date.fromisoformat(due), today, t)
        for key, title, due in owed.payload["items"]
    ]
    heading = t.gettext("📅 <b>Tool Kit: articles to review</b>")
    advice = t.gettext(
        "Check each one against its sources, correct its file in the Tool Kit folder and "
        "publish it with <code>python -m bot kb recargar</code>. Past its date, Minka warns "
        "whoever reads it that it may be out of date."
    )
    return Outgoing("\n".join([heading, *lines, "", advice]))


FEATURE = Feature(outbox={KIND: render})
