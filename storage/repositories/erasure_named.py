"""Erasure, part two: the person's name in what other people wrote about them.

A coordinator's agreement «Zoila Espinoza presentará el padrón», the meeting's agenda and
minutes, a workshop's facilitator, a colleague's Regional Team report, a specialist's answer, a
note on a case: these are other people's texts and stay as programme records, but the name in
them is the person's, and goes («[eliminado a pedido del titular]»). Only names long enough not
to match what others mean by a common word are looked for (erasure.LONG_ENOUGH).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import String, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Broadcast,
    Case,
    CaseEvent,
    Escalation,
    Meeting,
    MeetingAgreement,
    TeamReport,
    Visit,
    Workshop,
)

# Free text written by someone about others: where a name can be.
NAMED_IN: tuple[Any, ...] = (
    MeetingAgreement.text,
    Meeting.title,
    Meeting.place,
    Meeting.agenda,
    Meeting.agreements,
    Workshop.title,
    Workshop.place,
    Workshop.facilitator,
    Case.description,
    CaseEvent.note,
    TeamReport.activities,
    TeamReport.difficulties,
    TeamReport.support,
    TeamReport.next_steps,
    Escalation.answer,
    Broadcast.text,
    Visit.title,
    Visit.instructions,
)


async def scrub_named(
    session: AsyncSession, names: Iterable[str], sub: Callable[[str], str]
) -> None:
    """Replace `names` (as `sub` does) wherever NAMED_IN holds them. The database narrows the
    rows (case-insensitive where it can); `sub` decides, so a name inside a longer word stays."""
    words = sorted({name.strip() for name in names if name and name.strip()})
    if not words:
        return
    for column in NAMED_IN:
        table = column.class_
        found = await session.execute(
            select(table.id, column).where(
                or_(
                    *(column.icontains(word, autoescape=True) for word in words),
                    # SQLite's lower() folds only ASCII: «MUÑOZ» as written in capitals.
                    *(column.contains(word.upper(), autoescape=True) for word in words),
                )
            )
        )
        limit = column.type.length if isinstance(column.type, String) else None
        for row_id, text in found.all():
            cleaned = sub(text) if isinstance(text, str) else text
            if cleaned != text:
                await session.execute(
                    update(table)
                    .where(table.id == row_id)
                    .values({column.key: cleaned[:limit] if limit else cleaned})
                    .execution_options(synchronize_session=False)
                )
