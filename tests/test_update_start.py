"""What every update does with the database before and after its handler
(handlers/dispatch.py): the claim that makes it idempotent, the per-person lock that keeps
replicas in turn (PostgreSQL), the person and their form read in one statement, the replies
it owes written with its commit (PostgreSQL: in the COMMIT's request); and the round trips a
free-text question costs on PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bench.roundtrips import Requests
from storage import errors
from storage.db import Database, Timeouts
from storage.migrate import upgrade
from storage.models import ArticleView, InboxReply, ProcessedUpdate, Question
from storage.repositories import owed_replies, people, toolkit, updates
from storage.repositories.conversations import StateRecord, get_state, set_state
from storage.types import utcnow
from tests.conftest import _new_postgres_database
from tests.postgres import PostgresServer

ANA, LUIS, NEWCOMER, NOBODY = 5001, 5002, 5003, 5004


async def _register(session: AsyncSession, telegram_id: int, name: str) -> int:
    person = await people.create(
        session,
        telegram_id=telegram_id,
        username=name.lower(),
        telegram_name=name,
        locale="es",
        consent_at=utcnow(),
        role="official",
    )
    return person.id


async def test_the_person_and_the_form_in_one_statement(db: Database) -> None:
    """As `people.get` and `get_state` read them, for each case: registered with a form,
    registered without one, a form begun before registering, nobody."""
    async with db.session() as session:
        await _register(session, ANA, "Ana")
        await _register(session, LUIS, "Luis")
        await set_state(session, ANA, "case", "title", {"region": "puno", "n": 2})
        await set_state(session, NEWCOMER, "registration", "name", {})
    async with db.session() as session:
        for telegram_id in (ANA, LUIS, NEWCOMER, NOBODY):
            together = await people.get_with_form(session, telegram_id)
            apart = (await people.get(session, telegram_id), await get_state(session, telegram_id))
            assert together == apart
    assert together == (None, None)  # NOBODY
    assert apart[0] is None
    async with db.session() as session:
        ana, form = await people.get_with_form(session, ANA)
    assert ana is not None and ana.telegram_name == "Ana"
    assert form == StateRecord("case", "title", {"region": "puno", "n": 2})


async def test_a_repeated_update_is_told_and_leaves_nothing(db: Database) -> None:
    """The second handling of the same key is refused (PostgreSQL at the start, SQLite at the
    end) and what it wrote rolls back with it."""

    async def handle(key: str, question: str) -> bool:
        try:
            async with db.session() as session:
                now = utcnow()
                if not await updates.begin(session, ANA, key, now):
                    raise LookupError
                await toolkit.log_question(
                    session,
                    person_id=None,
                    text=question,
                    normalized=question,
                    answer_article_id="reinfo",
                    confident=True,
                    at=now,
                )
                if not await updates.end(session, key, now):
                    raise LookupError
        except LookupError:
            return False
        return True

    assert await handle("7:abc", "¿qué es el reinfo?")
    assert not await handle("7:abc", "repetida")
    assert await handle("8:abc", "otra")
    async with db.session() as session:
        texts = (await session.scalars(select(Question.text).order_by(Question.id))).all()
        views = await session.scalar(select(func.count()).select_from(ArticleView))
    assert texts == ["¿qué es el reinfo?", "otra"]
    assert views == 2


@pytest.fixture
async def pg(postgres: PostgresServer) -> Any:
    url = await _new_postgres_database(postgres)
    first = Database(url)
    await upgrade(first.engine)
    second = Database(url)  # another replica's engine
    try:
        yield first, second
    finally:
        await first.dispose()
        await second.dispose()


async def test_replicas_take_one_persons_updates_in_turn(pg: tuple[Database, Database]) -> None:
    """Two replicas with updates of the same person: the second waits for the first's
    transaction, then reads the form the first left (the lock comes before the reads)."""
    first, second = pg
    async with first.session() as session:
        await _register(session, ANA, "Ana")
    reads: list[Any] = []
    async with first.session() as session:
        assert await updates.begin(session, ANA, "1:a", utcnow())
        await set_state(session, ANA, "case", "title", {})

        async def other_replica() -> None:
            async with second.session() as other:
                assert await updates.begin(other, ANA, "2:b", utcnow())
                reads.append(await people.get_with_form(other, ANA))

        waiting = asyncio.create_task(other_replica())
        await _until_waiting_for_a_lock(first)
        assert not reads
    await waiting
    assert reads[0][1] == StateRecord("case", "title", {})


# The replies an update owes, as bot/owed_replies.py writes them: JSON of what Minka answers,
# which may quote what a person typed; here with every character that could end an SQL literal.
OWED_TEXT = (
    '[{"text": "¿Qué es el REINFO? \'); DELETE FROM people; -- \\\\ $$ $q$ \\u0000 ñ 😀\\n"}]'
)


async def _question_with_replies(session: AsyncSession, person_id: int, n: int) -> None:
    """An update's transaction as handlers/dispatch.py makes it for a question it answers."""
    now = utcnow()
    assert await updates.begin(session, ANA, f"{n}:9f", now)
    person, form = await people.get_with_form(session, ANA)
    assert person is not None and person.id == person_id and form is None
    await toolkit.log_question(
        session,
        person_id=person.id,
        text="¿qué es el reinfo?",
        normalized="reinfo",
        answer_article_id="reinfo",
        confident=True,
        at=now,
    )
    await owed_replies.owe(
        session,
        update_id=100 + n,
        telegram_id=ANA,
        chat_id=ANA,
        person_id=person.id,
        key=f"{n}:9f",
        replies=OWED_TEXT,
        replica="0f" * 16,
        at=now,
    )
    assert await updates.end(session, f"{n}:9f", now)


async def test_the_replies_owed_are_written_as_given(db: Database) -> None:
    """Every character as it was (PostgreSQL sends them in the COMMIT's request, as SQL)."""
    async with db.session() as session:
        person_id = await _register(session, ANA, "Ana")
    async with db.session() as session:
        await _question_with_replies(session, person_id, 1)
    async with db.session() as session:
        rows = (await session.execute(select(InboxReply.update_id, InboxReply.replies))).all()
        owed = await owed_replies.take(session, utcnow())  # its process (none here) is dead
    assert [tuple(row) for row in rows] == [(101, OWED_TEXT)]
    assert [(row.update_id, row.chat_id, row.person_id, row.key) for row in owed] == [
        (101, ANA, person_id, "1:9f")
    ]


async def test_a_free_text_question_takes_four_round_trips(
    pg: tuple[Database, Database],
) -> None:
    """BEGIN with the lock and the claim (storage.pg_begin); the person and the form; the
    question and the view of its answer; the replies it owes with the COMMIT (`at_commit`).
    (Before: a ping, BEGIN, the lock, the person, the form, the view, the question, the
    claim, COMMIT; then five, the replies' INSERT a round trip of its own.)"""
    db, _ = pg
    async with db.session() as session:
        person_id = await _register(session, ANA, "Ana")
        connection = await session.connection()
        requests = Requests((await connection.get_raw_connection()).driver_connection)
    for n in range(3):  # the first prepares its statements: count the last
        before = requests.count
        async with db.session() as session:
            await _question_with_replies(session, person_id, n)
    assert requests.count - before == 4
    async with db.session() as session:
        owed = (await session.scalars(select(InboxReply.replies))).all()
        views = await session.scalar(select(func.count()).select_from(ArticleView))
    assert owed == [OWED_TEXT] * 3
    assert views == 3


async def test_a_failed_owed_insert_rolls_back_the_update(pg: tuple[Database, Database]) -> None:
    """An INSERT that fails with the COMMIT (here the same update's replies owed twice): the
    COMMIT behind it never ran, so the update is not recorded handled, the error is raised
    as a failed commit's, and the connection goes back to the pool out of the transaction."""
    db, _ = pg
    async with db.session() as session:
        person_id = await _register(session, ANA, "Ana")
    async with db.session() as session:
        await _question_with_replies(session, person_id, 1)
    with pytest.raises(IntegrityError):
        async with db.session() as session:
            raw = (await (await session.connection()).get_raw_connection()).driver_connection
            now = utcnow()
            assert await updates.begin(session, ANA, "2:9f", now)
            await owed_replies.owe(
                session,
                update_id=101,  # owed already
                telegram_id=ANA,
                chat_id=ANA,
                person_id=person_id,
                key="2:9f",
                replies="[]",
                replica="0f" * 16,
                at=now,
            )
    assert raw is not None and not raw.is_in_transaction()
    async with db.session() as session:
        keys = (await session.scalars(select(ProcessedUpdate.key))).all()
        assert await updates.begin(session, ANA, "2:9f", utcnow())  # not recorded: again
    assert keys == ["1:9f"]


async def _until_waiting_for_a_lock(db: Database) -> None:
    """Until some backend waits for the per-person lock (PostgreSQL's own view of it)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND query LIKE '%pg_advisory_xact_lock%'"
    )
    async with db.engine.connect() as watcher:
        for _ in range(1000):
            if await watcher.scalar(query):
                return
            await watcher.rollback()  # the view is a snapshot kept for the transaction
            await asyncio.sleep(0.01)
    raise AssertionError("the second replica never waited for the lock")


async def test_a_person_locked_too_long_is_busy_and_the_connection_still_serves(
    postgres: PostgresServer,
) -> None:
    """The lock taken with BEGIN waits at most DB_LOCK_TIMEOUT, then fails as SQLAlchemy
    fails («busy» for the person's apology), rolled back; the connection serves the next
    update."""
    url = await _new_postgres_database(postgres)
    db = Database(url, Timeouts(lock=0.5), pool_size=1)
    await upgrade(db.engine)
    other = await asyncpg.connect(
        host="127.0.0.1", port=postgres.port, user=postgres.user, database=url.rsplit("/", 1)[1]
    )
    try:
        await other.execute(f"SELECT pg_advisory_lock({ANA})")
        with pytest.raises(DBAPIError) as failed:
            async with db.session() as session:
                await updates.begin(session, ANA, "1:ab", utcnow())
        assert errors.database_busy(failed.value)
        await other.execute(f"SELECT pg_advisory_unlock({ANA})")
        async with db.session() as session:
            assert await updates.begin(session, ANA, "1:ab", utcnow())  # nothing was kept
        async with db.session() as session:
            assert not await updates.begin(session, ANA, "1:ab", utcnow())
    finally:
        await other.close()
        await db.dispose()
