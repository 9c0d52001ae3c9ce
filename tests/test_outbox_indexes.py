"""The outbox's history does not slow what is owed (issue #15). On PostgreSQL, with a table of
many sent rows (a month of broadcasts and meetings) and a few pending ones, ANALYZEd, the
plans of the real statements (captured as Minka runs them) use the indexes: cancelling a
meeting's messages and claiming due ones read the partial index of pending rows, a broadcast's
progress reads its own copies. Nothing forces the planner (no enable_seqscan tricks)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, insert, text

from storage.db import Database
from storage.migrate import upgrade
from storage.models import Broadcast, Meeting
from storage.repositories import broadcasts, meetings, outbox
from storage.types import utcnow
from tests.conftest import _new_postgres_database
from tests.helpers import registered_official
from tests.postgres import PostgresServer

BROADCASTS, MEETINGS = 60, 20
SENT = 60_000  # history: 1,000 copies per broadcast, and meeting messages
PENDING = 40  # owed messages of one meeting


@pytest.fixture
async def history(postgres: PostgresServer) -> Database:  # type: ignore[misc]
    db = Database(await _new_postgres_database(postgres))
    await upgrade(db.engine)
    now = utcnow()
    async with db.session() as session:
        person = await registered_official(session, 61001, "Ana")
        await session.execute(
            insert(Broadcast),
            [{"text": "Aviso", "scheduled_at": now, "total": 1000} for _ in range(BROADCASTS)],
        )
        await session.execute(
            insert(Meeting),
            [
                {
                    "code": f"R{n:04d}",
                    "title": "Coordinación",
                    "kind": "coordinacion",
                    "starts_at": now + timedelta(days=7),
                    "ends_at": now + timedelta(days=7, hours=2),
                }
                for n in range(MEETINGS)
            ],
        )
        await session.execute(
            text(
                "INSERT INTO outbox (kind, dedupe_key, person_id, payload, due_at, state, "
                "attempts, sent_at, broadcast_id, meeting_id) "
                "SELECT CASE WHEN g % 4 = 0 THEN 'meeting_reminder' ELSE 'broadcast' END, "
                "'history:' || g, :person, '{}', now() - interval '10 days', 'sent', 1, "
                "now() - interval '10 days', "
                "CASE WHEN g % 4 = 0 THEN NULL ELSE 1 + g % :broadcasts END, "
                "CASE WHEN g % 4 = 0 THEN 1 + g % :meetings END "
                "FROM generate_series(1, :sent) AS g"
            ),
            {"person": person, "broadcasts": BROADCASTS, "meetings": MEETINGS, "sent": SENT},
        )
        for n in range(PENDING):
            await outbox.enqueue(
                session,
                kind="meeting_reminder",
                dedupe_key=f"owed:{n}",
                person_id=person,
                payload={"meeting_id": 1},
                due_at=now - timedelta(seconds=n) if n % 2 else now + timedelta(days=1),
                meeting_id=1,
            )
    async with db.engine.connect() as connection:
        await connection.execute(text("ANALYZE outbox"))
    try:
        yield db
    finally:
        await db.dispose()


async def _plans(db: Database, work) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(statement, EXPLAIN) for each statement on the outbox that `work` runs."""
    captured: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        if "outbox" in statement:
            captured.append((statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with db.session() as session:
            await work(session)
            captured_now = list(captured)
            plans = []
            for statement, parameters in captured_now:
                connection = await session.connection()
                result = await connection.exec_driver_sql("EXPLAIN " + statement, parameters)
                plans.append((statement, "\n".join(row[0] for row in result)))
            await session.rollback()
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    assert plans, "no statement on the outbox was run"
    return plans


def _uses(plans: list[tuple[str, str]], index: str) -> None:
    for statement, plan in plans:
        assert "Seq Scan on outbox" not in plan, f"{statement}\n{plan}"
    assert any(index in plan for _statement, plan in plans), "\n\n".join(p for _s, p in plans)


async def test_cancelling_a_meetings_messages_reads_only_pending_rows(history: Database) -> None:
    async def cancel(session) -> None:  # type: ignore[no-untyped-def]
        assert await meetings.cancel_owed(session, 1, ("meeting_reminder",)) == PENDING

    _uses(await _plans(history, cancel), "ix_outbox_pending_meeting")


async def test_a_broadcasts_progress_reads_only_its_copies(history: Database) -> None:
    async def progress(session) -> None:  # type: ignore[no-untyped-def]
        delivery = await broadcasts.delivery(session, 7)
        copies = sum(1 for g in range(1, SENT + 1) if g % 4 and 1 + g % BROADCASTS == 7)
        assert delivery.sent == copies and delivery.done

    _uses(await _plans(history, progress), "ix_outbox_broadcast_id")


async def test_claiming_due_messages_reads_only_pending_rows(history: Database) -> None:
    async def claim(session) -> None:  # type: ignore[no-untyped-def]
        assert len(await outbox.claim_due(session, utcnow(), 200)) == PENDING // 2

    _uses(await _plans(history, claim), "ix_outbox_pending_due")


async def test_upgrade_fills_the_owner_of_rows_written_before(database_url: str) -> None:
    """Rows from before 0012 (owner only in the payload) get their broadcast/meeting/workshop."""
    from alembic import command

    from storage.migrate import alembic_config

    def to(revision: str):  # type: ignore[no-untyped-def]
        def run(connection) -> None:  # type: ignore[no-untyped-def]
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

        return run

    db = Database(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(to("0011"))
        now = utcnow()
        async with db.session() as session:
            person = await registered_official(session, 61002, "Rosa")
            await session.execute(
                text(
                    "INSERT INTO broadcasts (text, audience, scheduled_at, total, status, "
                    "created_at) VALUES ('Aviso', '{}', :now, 1, 'queued', :now)"
                ),
                {"now": now.replace(tzinfo=None) if "sqlite" in database_url else now},
            )
            for n, (kind, payload) in enumerate(
                [("broadcast", '{"broadcast_id": 1}'), ("meeting_reminder", '{"meeting_id": 9}')]
            ):
                await session.execute(
                    text(
                        "INSERT INTO outbox (kind, dedupe_key, person_id, payload, due_at, "
                        "state, attempts) VALUES (:kind, :key, :person, :payload, :due, "
                        "'pending', 0)"
                    ),
                    {
                        "kind": kind,
                        "key": f"old:{n}",
                        "person": person,
                        "payload": payload,
                        "due": now.replace(tzinfo=None) if "sqlite" in database_url else now,
                    },
                )
        await upgrade(db.engine)
        async with db.session() as session:
            rows = (
                await session.execute(
                    text("SELECT kind, broadcast_id, meeting_id FROM outbox ORDER BY id")
                )
            ).all()
        # meeting 9 does not exist: no owner rather than a broken foreign key
        assert [tuple(row) for row in rows] == [
            ("broadcast", 1, None),
            ("meeting_reminder", None, None),
        ]
    finally:
        await db.dispose()
