"""The specialists' daily notice of Tool Kit articles and glossary entries due for review
(owed by bot/kb_reviews.py, rules in bot/services/kb_reviews.py, text and grouping in
bot/services/kb_review_notice.py): rendered in each one's language when sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.outgoing import Outgoing
from bot.services.kb_review_notice import Due, text
from bot.services.kb_reviews import KIND
from handlers.registry import Feature
from storage.repositories.outbox import OwedMessage


async def render(
    _session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    payload = owed.payload
    items = [Due(key, title, date.fromisoformat(due)) for key, title, due in payload["items"]]
    today = now.astimezone(t.timezone).date()
    # Rows owed before notices had parts are whole notices: part 1 of 1.
    return Outgoing(text(items, today, t, payload.get("part", 1), payload.get("parts", 1)))


FEATURE = Feature(outbox={KIND: render})
