"""What people do with the Tool Kit: views, feedback, questions and escalations to experts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.direct import Direct
from storage.models import ArticleFeedback, ArticleView, Escalation, Person, Question, Region


@dataclass(frozen=True, slots=True)
class EscalationRecord:
    id: int
    text: str
    status: str
    answer: str | None
    created_at: datetime
    answered_at: datetime | None
    asker_telegram_id: int | None
    asker_name: str | None
    asker_locale: str
    region_name: str | None
    article_id: str | None = None  # set for an error reported on that article
    region_code: str | None = None  # the asker's region when they sent it


# Written on most updates: plain inserts on the tables, built once, every value given (the
# column defaults too), run at the driver (storage.direct). The person's region and sex are
# read in the same statement (the snapshot `take_snapshot` gives ORM inserts): indicator 6
# groups by what she was then, not by her profile now.
_views, _questions = ArticleView.__table__, Question.__table__
_VIEW_FIELDS = ("article_id", "person_id", "source", "at")
_QUESTION_FIELDS = ("person_id", "text", "normalized", "answer_article_id", "confident", "at")


def _snapshot() -> dict[str, Any]:
    """The person's region and sex now, as subqueries on the statement's `person_id`."""
    person = Person.id == bindparam("person_id", type_=Person.id.type)
    return {
        name: select(column).where(person).scalar_subquery()
        for name, column in (("region_code", Person.region_code), ("sex", Person.sex))
    }


def _values(table: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: bindparam(name, type_=table.c[name].type) for name in fields} | _snapshot()


_VIEW = Direct(insert(_views).values(_values(_views, _VIEW_FIELDS)))
_QUESTION = Direct(insert(_questions).values(_values(_questions, _QUESTION_FIELDS)))
# PostgreSQL: the question and the view of the article that answers it in one statement (one
# round trip), at the driver; a data-modifying CTE runs whether or not the statement reads it.
_ANSWER_VIEW = (
    insert(ArticleView.__table__)
    .values(
        article_id=bindparam("answer_article_id"),
        person_id=bindparam("person_id"),
        source="search",
        at=bindparam("at"),
        **_snapshot(),
    )
    .cte("answer_view")
)
_QUESTION_AND_VIEW = Direct(
    insert(_questions)
    .values(_values(_questions, _QUESTION_FIELDS))
    .add_cte(_ANSWER_VIEW)
    .returning(_questions.c.id)
)


async def record_view(
    session: AsyncSession, article_id: str, person_id: int | None, source: str, at: datetime
) -> None:
    """`at`: Minka's clock (the indicators' periods are read on it)."""
    await _VIEW.run(
        session, {"article_id": article_id, "person_id": person_id, "source": source, "at": at}
    )


async def log_question(
    session: AsyncSession,
    *,
    person_id: int | None,
    text: str,
    normalized: str,
    answer_article_id: str | None,
    confident: bool,
    at: datetime,
) -> int:
    """The question, and a view («search») of the article that answers it, if any."""
    values = {
        "person_id": person_id,
        "text": text,
        "normalized": normalized[:300],
        "answer_article_id": answer_article_id,
        "confident": confident,
        "at": at,
    }
    if answer_article_id is not None and session.bind.dialect.name == "postgresql":
        return (await _QUESTION_AND_VIEW.run(session, values)).one()[0]
    if answer_article_id is not None:
        await record_view(session, answer_article_id, person_id, "search", at)
    return (await _QUESTION.run(session, values)).inserted


async def record_feedback(
    session: AsyncSession,
    *,
    article_id: str,
    person_id: int | None,
    question_id: int | None,
    useful: bool,
    since: datetime,
    now: datetime,
) -> None:
    """Store a Sí/No; pressing again changes the same answer instead of adding one, while
    that answer was given since `since` (the running quarter's start). One given before
    stays as it was, in its quarter, and the new one is added: moved to now (its date and its
    value), it left a closed quarter, whose share found useful then moved and told what she
    had said (tests/test_useful_read_twice.py)."""
    existing = None
    if person_id is not None:
        existing = await session.scalar(
            select(ArticleFeedback)
            .where(
                ArticleFeedback.article_id == article_id,
                ArticleFeedback.person_id == person_id,
                ArticleFeedback.question_id.is_(None)
                if question_id is None
                else ArticleFeedback.question_id == question_id,
                ArticleFeedback.at >= since,
            )
            .order_by(ArticleFeedback.id.desc())
            .limit(1)
        )
    if existing is None:
        session.add(
            ArticleFeedback(
                article_id=article_id,
                person_id=person_id,
                question_id=question_id,
                useful=useful,
                at=now,
            )
        )
    else:  # given again now: counted now, as what she is now
        existing.useful, existing.at = useful, now
        person = select(Person.region_code, Person.sex).where(Person.id == person_id)
        existing.region_code, existing.sex = (await session.execute(person)).one()
    if question_id is not None:
        await session.execute(
            update(Question).where(Question.id == question_id).values(useful=useful)
        )
    await session.flush()


async def question_text(session: AsyncSession, question_id: int) -> tuple[str, int | None] | None:
    row = await session.get(Question, question_id)
    return (row.text, row.person_id) if row else None


async def create_escalation(
    session: AsyncSession,
    *,
    question_id: int | None,
    person_id: int,
    region_code: str | None,
    text: str,
    at: datetime,
    article_id: str | None = None,
) -> int | None:
    """A new escalation id, or None when that question was already sent."""
    if question_id is not None:
        already = await session.scalar(
            select(Escalation.id).where(Escalation.question_id == question_id)
        )
        if already is not None:
            return None
    escalation = Escalation(
        question_id=question_id,
        person_id=person_id,
        region_code=region_code,
        text=text,
        article_id=article_id,
        created_at=at,
    )
    session.add(escalation)
    await session.flush()
    return escalation.id


def _escalations():  # type: ignore[no-untyped-def]
    asker = aliased(Person)
    return (
        select(Escalation, asker.telegram_id, asker.full_name, asker.locale, Region.name)
        .join(asker, Escalation.person_id == asker.id)
        .outerjoin(Region, Escalation.region_code == Region.code)
    )


def _record(row: tuple) -> EscalationRecord:  # type: ignore[type-arg]
    escalation, telegram_id, name, locale, region = row
    return EscalationRecord(
        id=escalation.id,
        text=escalation.text,
        status=escalation.status,
        answer=escalation.answer,
        created_at=escalation.created_at,
        answered_at=escalation.answered_at,
        asker_telegram_id=telegram_id,
        asker_name=name,
        asker_locale=locale,
        region_code=escalation.region_code,
        region_name=region,
        article_id=escalation.article_id,
    )


def _pending(regions: frozenset[str] | None):  # type: ignore[no-untyped-def]
    """Pending escalations, of `regions` only when given (None: every region)."""
    pending = Escalation.status == "pending"
    return pending if regions is None else pending & Escalation.region_code.in_(sorted(regions))


async def pending_escalations(
    session: AsyncSession, limit: int = 10, regions: frozenset[str] | None = None
) -> list[EscalationRecord]:
    rows = await session.execute(
        _escalations()
        .where(_pending(regions))
        .order_by(Escalation.created_at, Escalation.id)
        .limit(limit)
    )
    return [_record(tuple(row)) for row in rows]


async def count_pending(session: AsyncSession, regions: frozenset[str] | None = None) -> int:
    return await session.scalar(select(func.count(Escalation.id)).where(_pending(regions))) or 0


async def get_escalation(session: AsyncSession, escalation_id: int) -> EscalationRecord | None:
    row = (await session.execute(_escalations().where(Escalation.id == escalation_id))).first()
    return _record(tuple(row)) if row else None


async def answer_escalation(
    session: AsyncSession, escalation_id: int, answer: str, answered_by: int, at: datetime
) -> bool:
    """Record the answer; False when someone else answered first."""
    result = await session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.status == "pending")
        .values(status="answered", answer=answer, answered_by=answered_by, answered_at=at)
    )
    return result.rowcount == 1


async def person_escalations(session: AsyncSession, person_id: int) -> list[EscalationRecord]:
    rows = await session.execute(
        _escalations().where(Escalation.person_id == person_id).order_by(Escalation.id.desc())
    )
    return [_record(tuple(row)) for row in rows]


async def unanswered(session: AsyncSession, limit: int = 20) -> list[tuple[str, int, str]]:
    """Most frequent questions without a sure answer or found not useful: (text, count, last)."""
    rows = await session.execute(
        select(Question.normalized, func.count(Question.id), func.max(Question.text))
        .where(
            (Question.confident.is_(False)) | (Question.useful.is_(False)),
            Question.normalized != "",
        )
        .group_by(Question.normalized)
        .order_by(func.count(Question.id).desc(), Question.normalized)
        .limit(limit)
    )
    return [(normalized, count, example) for normalized, count, example in rows]


async def report_counts(session: AsyncSession) -> list[tuple[str, int, int]]:
    """Errors reported per article, most first: (article id, reports, still pending)."""
    pending = func.count(Escalation.id).filter(Escalation.status == "pending")
    rows = await session.execute(
        select(Escalation.article_id, func.count(Escalation.id), pending)
        .where(Escalation.article_id.is_not(None))
        .group_by(Escalation.article_id)
        .order_by(func.count(Escalation.id).desc(), Escalation.article_id)
    )
    return [(article_id, total, open_) for article_id, total, open_ in rows]
