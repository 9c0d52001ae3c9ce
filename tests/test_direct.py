"""storage/direct.py: statements every update makes, run at the driver (sqlite3, asyncpg),
must give what SQLAlchemy gives (the same rows, converted the same way), write in the
session's transaction (rolled back with it), see the session's changes not yet flushed, and
fail with SQLAlchemy's errors; on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.direct import Direct
from storage.models import ConversationState, Person, ProcessedUpdate, Question
from storage.repositories import people, toolkit, updates
from storage.types import utcnow

ANA = 7001
_people = Person.__table__
_READ = Direct(
    select(_people.c.id, _people.c.consent_at, _people.c.active, _people.c.region_code).where(
        _people.c.telegram_id == bindparam("telegram_id")
    )
)


async def test_rows_are_converted_as_sqlalchemy_converts_them(db: Database) -> None:
    """Aware UTC datetimes, booleans, JSON, NULLs: the same values, of the same types."""
    consent = datetime(2026, 12, 6, 9, 30, 15, 123456, tzinfo=UTC)
    async with db.session() as session:
        session.add(
            Person(telegram_id=ANA, role="official", locale="es", consent_at=consent, active=False)
        )
        session.add(
            ConversationState(telegram_id=ANA, flow="case", step="title", data={"n": [1, "ñ"]})
        )
    async with db.session() as session:
        direct = (await _READ.run(session, {"telegram_id": ANA})).rows
        usual = [tuple(row) for row in await session.execute(_READ.statement, {"telegram_id": ANA})]
        assert direct == usual
        ((_, at, active, region),) = direct
        assert (at, at.tzinfo, active, region) == (consent, UTC, False, None)
        assert type(active) is bool
        person, form = await people.get_with_form(session, ANA)
        assert person is not None and person.consent_at == consent and person.active is False
        assert form is not None and form.data == {"n": [1, "ñ"]}
        assert (await _READ.run(session, {"telegram_id": ANA + 1})).rows == []


async def test_writes_belong_to_the_sessions_transaction(db: Database) -> None:
    """A claim and a question written at the driver are rolled back with the session; the
    claim of a key already recorded changes nothing (rowcount 0); the question's id is
    the row's."""

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        async with db.session() as session:
            assert await updates.claim(session, "1:aa", utcnow())
            await toolkit.log_question(
                session,
                person_id=None,
                text="¿qué es el reinfo?",
                normalized="que es el reinfo",
                answer_article_id="reinfo",
                confident=True,
                at=utcnow(),
            )
            raise Undo
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 0
        assert await session.scalar(select(func.count()).select_from(Question)) == 0
        assert await updates.claim(session, "1:aa", utcnow())
        assert not await updates.claim(session, "1:aa", utcnow())
        asked = await toolkit.log_question(
            session,
            person_id=None,
            text="otra",
            normalized="otra",
            answer_article_id=None,
            confident=False,
            at=utcnow(),
        )
    async with db.session() as session:
        assert await session.scalar(select(Question.text).where(Question.id == asked)) == "otra"
        assert await session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 1


async def test_a_change_not_yet_flushed_is_seen(db: Database) -> None:
    """As a statement the session runs flushes the session's pending changes first."""
    async with db.session() as session:
        session.add(Person(telegram_id=ANA, role="official", locale="es", active=True))
        ((_, _, active, _),) = (await _READ.run(session, {"telegram_id": ANA})).rows
        assert active is True


async def test_a_drivers_error_is_sqlalchemys(db: Database) -> None:
    """A constraint broken at the driver raises SQLAlchemy's IntegrityError, parameters
    hidden (they are what people typed)."""
    question = Direct(insert(Question.__table__).values(person_id=bindparam("person_id")))
    with pytest.raises(IntegrityError) as raised:
        async with db.session() as session:
            await question.run(session, {"person_id": 424242})  # text NOT NULL, no person
    assert "424242" not in str(raised.value)
