"""Advance notice for specialists: which Tool Kit articles and glossary entries are due for review.

Once a day (bot/kb_reviews.py) every article whose `review_by` or first declared plazo is at
most `NOTICE_DAYS` ahead, or already past, and every glossary entry whose `review_by` (or a
plazo in its definition) is, are owed to everyone who answers /preguntas (specialists,
coordinators and admins) through the outbox: one message, or as many as Telegram's limits need
(bot/services/kb_review_notice.py), none of them cut. Each is told once per due date when it
comes near, and once more the first morning it is overdue (from then on Minka warns every reader
of it: the 31 December 2026 plazo, told on the 17th, is told again on 1 January): an app_state
flag per (article or entry, date, advance or overdue) outlives restarts, and a new `review_by`
after a rewrite is a new date, told again when it comes near.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import translator
from bot.services.kb_review_notice import GLOSSARY, Due, groups
from knowledge.dates import due_on, glossary_due_on
from knowledge.model import ToolKit
from storage.models import Person
from storage.repositories import app_state, outbox

KIND = "kb_review"
NOTICE_DAYS = 14
STAFF_ROLES = ("specialist", "coordinator", "admin")  # who may open /preguntas


def due_items(kit: ToolKit, today: date, days: int = NOTICE_DAYS) -> list[Due]:
    """Articles, then glossary entries, to check again by `today + days` (overdue ones
    included), soonest first."""
    last = today + timedelta(days=days)
    found = [
        Due(article.id, article.title, when)
        for article in kit.articles.values()
        if (when := due_on(article)) is not None and when <= last
    ]
    found += [
        Due(GLOSSARY + entry.term, entry.term, when)
        for entry in kit.glossary
        if (when := glossary_due_on(entry)) is not None and when <= last
    ]
    return sorted(found, key=lambda d: (d.due, d.glossary, d.title.casefold()))


def _flag(item: Due, overdue: bool = False) -> str:
    """app_state's key (at most 60 characters): advance or overdue notice, the date, and the
    article id (or the entry's key) digested."""
    digest = hashlib.sha256(item.key.encode()).hexdigest()[:24]
    kind = "kb-review-late" if overdue else "kb-review"
    return f"{kind}:{item.due.isoformat()}:{digest}"


async def _untold(session: AsyncSession, item: Due, today: date) -> bool:
    """Not told yet as it is today: not told at all, or overdue and not told since."""
    if await app_state.get(session, _flag(item)) is None:
        return True
    return item.due < today and await app_state.get(session, _flag(item, overdue=True)) is None


async def _staff(session: AsyncSession, admin_ids: Collection[int]) -> list[tuple[int, str]]:
    """Person id and language of those who get /preguntas: a staff role, or an admin by
    configuration."""
    rows = await session.execute(
        select(Person.id, Person.locale)
        .where(Person.telegram_id.is_not(None), Person.registered_at.is_not(None))
        .where(or_(Person.role.in_(STAFF_ROLES), Person.telegram_id.in_(sorted(admin_ids))))
        .order_by(Person.id)
    )
    return [(person_id, locale or "es") for person_id, locale in rows]


async def schedule(
    session: AsyncSession,
    kit: ToolKit,
    today: date,
    now: datetime,
    admin_ids: Collection[int],
    timezone: ZoneInfo,
) -> int:
    """Owe today's notice of what was not told yet; returns the messages owed (a person's
    notice is grouped in their language, so a long one may be several messages)."""
    new = [item for item in due_items(kit, today) if await _untold(session, item, today)]
    staff = await _staff(session, admin_ids)
    if not new or not staff:  # nobody to tell yet: told when someone can hear it
        return 0
    flags = [_flag(item, overdue=item.due < today) for item in new]
    told = hashlib.sha256("|".join(flags).encode()).hexdigest()[:16]
    owed = 0
    grouped: dict[str, list[list[Due]]] = {}  # once per language: 30 ms for 70 long lines
    for person_id, locale in staff:
        if locale not in grouped:
            grouped[locale] = groups(new, today, translator(locale, timezone))
        parts = grouped[locale]
        for part, group in enumerate(parts, start=1):
            owed += await outbox.enqueue(  # due together, sent in order (by id) to the chat
                session,
                kind=KIND,
                dedupe_key=f"kb-review:{told}:{person_id}:{part}",
                person_id=person_id,
                payload={
                    "items": [[item.key, item.title, item.due.isoformat()] for item in group],
                    "part": part,
                    "parts": len(parts),
                },
                due_at=now,
            )
    for item in new:
        await app_state.put(session, _flag(item), now.isoformat())
        if item.due < today:  # told overdue: not again, and never in advance
            await app_state.put(session, _flag(item, overdue=True), now.isoformat())
    return owed
