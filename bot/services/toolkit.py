"""Tool Kit rules: answering a question, recording views and feedback, and escalations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.base import KnowledgeBase
from knowledge.search import Answer
from knowledge.text import content_words
from storage.repositories import toolkit
from storage.repositories.people import PersonRecord
from storage.repositories.toolkit import EscalationRecord

QUESTION_MAX = 1000  # longer texts are cut for storage; Telegram allows 4096


@dataclass(frozen=True, slots=True)
class Asked:
    answer: Answer | None  # None for small talk
    # None for small talk (no Tool Kit question) and for people who have not accepted the
    # notice (Ley 29733: what they type is not kept)
    question_id: int | None
    small_talk: str | None = None  # "greeting", "thanks", "bye" or "chat"


def _person_id(person: PersonRecord | None) -> int | None:
    """Only people who accepted the notice are linked to what they do."""
    return person.id if person is not None else None


async def ask(
    session: AsyncSession, kb: KnowledgeBase, person: PersonRecord | None, text: str, now: datetime
) -> Asked:
    """Answer the question; store it only for people who accepted the notice (Ley 29733:
    without consent, what they type is not kept). The article shown counts either way, at
    `now` (Minka's clock: the indicators' periods are read on it)."""
    kind = kb.index.small_talk(text)
    if kind is not None:  # «hola», «gracias»: greeted, not counted in the indicator
        return Asked(None, None, kind)
    answer = kb.index.search(text)
    if person is None:
        if answer.best is not None:
            await toolkit.record_view(session, answer.best.id, None, "search", now)
        return Asked(answer, None)
    question_id = await toolkit.log_question(  # and the view of the answer
        session,
        person_id=person.id,
        text=text[:QUESTION_MAX],
        normalized=" ".join(content_words(text)),
        answer_article_id=answer.best.id if answer.best else None,
        confident=answer.confident,
        at=now,
    )
    return Asked(answer, question_id)


async def view(
    session: AsyncSession, person: PersonRecord | None, article_id: str, source: str, now: datetime
) -> None:
    await toolkit.record_view(session, article_id, _person_id(person), source, now)


async def feedback(
    session: AsyncSession,
    person: PersonRecord | None,
    article_id: str,
    useful: bool,
    question_id: int | None,
    *,
    now: datetime,
    zone: tzinfo,
) -> None:
    """A Sí/No on an article; on the answer to one of the person's own questions, it also
    marks that question (someone else's question id, from a forged button, is ignored). An
    answer given in an earlier quarter than `now`'s (Minka's clock, in Lima, `zone`) is left
    as it was."""
    if question_id is not None:
        question = await toolkit.question_text(session, question_id)
        if question is None or question[1] != _person_id(person):
            question_id = None
    today = now.astimezone(zone).date()
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    await toolkit.record_feedback(
        session,
        article_id=article_id,
        person_id=_person_id(person),
        question_id=question_id,
        useful=useful,
        since=datetime.combine(quarter, time(), tzinfo=zone),
        now=now,
    )


async def escalate(
    session: AsyncSession, person: PersonRecord, question_id: int, now: datetime
) -> int | None:
    """Send the person's own question to the specialists; None if it was sent already.

    Raises PermissionError for a question that is not theirs (a forged or foreign button).
    """
    question = await toolkit.question_text(session, question_id)
    if question is None or question[1] != person.id:
        raise PermissionError(question_id)
    text = question[0]
    return await toolkit.create_escalation(
        session,
        question_id=question_id,
        person_id=person.id,
        region_code=person.region_code,
        text=text,
        at=now,
    )


REPORT_MAX = 1000


async def report_error(
    session: AsyncSession, person: PersonRecord, article_id: str, text: str, now: datetime
) -> int:
    """An official's report of what is wrong in an article, for the specialists' list."""
    escalation_id = await toolkit.create_escalation(
        session,
        question_id=None,
        person_id=person.id,
        region_code=person.region_code,
        text=text[:REPORT_MAX],
        at=now,
        article_id=article_id,
    )
    assert escalation_id is not None  # only a question can have been sent already
    return escalation_id


async def answer_escalation(
    session: AsyncSession,
    escalation_id: int,
    answer: str,
    specialist: PersonRecord,
    now: datetime,
) -> EscalationRecord | None:
    """Record the answer; None if the question does not exist or was answered already."""
    if not await toolkit.answer_escalation(session, escalation_id, answer, specialist.id, now):
        return None
    return await toolkit.get_escalation(session, escalation_id)
