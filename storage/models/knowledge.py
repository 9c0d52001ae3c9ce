"""The Tool Kit in use: article views and feedback, questions, escalations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.models.people import fill_snapshot


class ArticleView(Base):
    """An article shown to someone (browsing, search, inline): the dissemination indicator.

    `person_id` is empty for people who did not accept the notice: the view still counts.
    """

    __tablename__ = "article_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(String(60), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(index=True)  # given: indicator 6's periods read it
    # The person's region and sex at the time (`take_snapshot`; the direct inserts of
    # storage/repositories/toolkit.py): indicator 6 groups by them, not by the profile now.
    region_code: Mapped[str | None] = mapped_column(String(40))
    sex: Mapped[str | None] = mapped_column(String(20))


class ArticleFeedback(Base):
    """A "¿Te fue útil?" answer; one per person, article and question (the last one counts)."""

    __tablename__ = "article_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(String(60), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    useful: Mapped[bool]
    at: Mapped[datetime]  # given (Minka's clock): indicator 6's periods read it
    # The person's region and sex at the time (`take_snapshot`; the direct inserts of
    # storage/repositories/toolkit.py): indicator 6 groups by them, not by the profile now.
    region_code: Mapped[str | None] = mapped_column(String(40))
    sex: Mapped[str | None] = mapped_column(String(20))


class Question(Base):
    """A free-text question and what Minka answered, so maintainers see what is missing."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(String(300), index=True)
    answer_article_id: Mapped[str | None] = mapped_column(String(60))
    confident: Mapped[bool]
    useful: Mapped[bool | None]
    at: Mapped[datetime] = mapped_column(index=True)  # given: indicator 6's periods read it
    # The person's region and sex at the time (`take_snapshot`; the direct inserts of
    # storage/repositories/toolkit.py): indicator 6 groups by them, not by the profile now.
    region_code: Mapped[str | None] = mapped_column(String(40))
    sex: Mapped[str | None] = mapped_column(String(20))


class Escalation(Base):
    """A question sent to the specialists, and their answer; with `article_id`, an error
    reported on that article («⚠️ Reportar un error»). A specialist who answered a question
    may teach it to Minka: `example_article_id` is the article it should find, and
    `example_status` «pending» until `kb ejemplos --aceptar` writes it into examples.yaml
    («accepted») or it is set aside («dismissed»)."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    article_id: Mapped[str | None] = mapped_column(String(60), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(index=True)  # given: indicator 6 reads it
    answered_at: Mapped[datetime | None]
    example_article_id: Mapped[str | None] = mapped_column(String(60))
    example_status: Mapped[str | None] = mapped_column(String(12), index=True)
    # The asker's sex when she sent it (`take_snapshot`); `region_code` is her region then.
    sex: Mapped[str | None] = mapped_column(String(20))


@event.listens_for(ArticleView, "before_insert")
@event.listens_for(ArticleFeedback, "before_insert")
@event.listens_for(Question, "before_insert")
@event.listens_for(Escalation, "before_insert")
def take_snapshot(_mapper: Any, connection: Any, row: Any) -> None:
    """Give a new row its person's region and sex now, where not given (the bot gives an
    escalation its asker's region): so that no ORM writer (a test, an import) leaves them
    out (tests/test_profile_move_cases_toolkit.py)."""
    fill_snapshot(connection, row)
