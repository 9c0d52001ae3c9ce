"""Retention: the daily scheduler job forgets processed updates, finished outbox rows and
audit entries once they are older than their configured period (Ley 29733: kept no longer
than needed), and /privacidad says for how long each is kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from telegram.ext import Application

from bot.config import Settings
from bot.runtime import Runtime
from storage.models import AuditEntry, OutboxMessage, ProcessedUpdate
from storage.repositories import people
from tests.chat import Person
from tests.helpers import register


async def _seed(runtime: Runtime, person_id: int, tag: str) -> None:
    """One row of each kind, as of the clock's now."""
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        session.add(ProcessedUpdate(key=f"update-{tag}", at=now))
        session.add(AuditEntry(at=now, actor_telegram_id=1, action=f"audit-{tag}", outcome="done"))
        for state in ("sent", "failed", "pending"):
            session.add(
                OutboxMessage(
                    kind="broadcast",
                    dedupe_key=f"outbox-{tag}-{state}",
                    person_id=person_id,
                    payload={},
                    due_at=now,
                    state=state,
                    sent_at=now if state == "sent" else None,
                )
            )


async def _left(runtime: Runtime) -> set[str]:
    async with runtime.db.session() as session:
        keys = set(await session.scalars(select(ProcessedUpdate.key)))
        keys |= set(await session.scalars(select(AuditEntry.action)))
        keys |= set(await session.scalars(select(OutboxMessage.dedupe_key)))
    return {key for key in keys if key.startswith(("update-", "audit-", "outbox-"))}


async def test_the_daily_job_forgets_what_is_past_its_period(
    app: Application, runtime: Runtime, ana: Person, settings: Settings
) -> None:
    assert (settings.retention_updates_days, settings.retention_outbox_days) == (7, 30)
    assert settings.retention_audit_days == 400
    (job,) = app.job_queue.get_jobs_by_name("retention")
    assert job.trigger.interval == timedelta(days=1)  # daily
    await register(ana)
    async with runtime.db.session() as session:
        person = await people.get(session, ana.id)
    assert person is not None
    await _seed(runtime, person.id, "old")
    runtime.clock.advance(timedelta(days=8))
    await _seed(runtime, person.id, "week")
    await job.run(app)
    assert "update-old" not in await _left(runtime)  # 8 days > 7
    assert {"update-week", "outbox-old-sent", "audit-old"} <= await _left(runtime)

    runtime.clock.advance(timedelta(days=23))  # old: 31 days, week: 23
    await job.run(app)
    left = await _left(runtime)
    assert "outbox-old-sent" not in left and "outbox-old-failed" not in left
    assert "outbox-old-pending" in left  # still owed: never forgotten
    assert {"outbox-week-sent", "audit-old", "audit-week"} <= left

    runtime.clock.advance(timedelta(days=370))  # old: 401 days, week: 393
    await job.run(app)
    left = await _left(runtime)
    assert "audit-old" not in left and "audit-week" in left
    assert left == {"audit-week", "outbox-old-pending", "outbox-week-pending"}


async def test_privacy_notice_states_the_periods(ana: Person) -> None:
    await register(ana)
    (notice,) = await ana.say("/privacidad")
    assert "Plazos de conservación" in notice.text
    for days in ("7 días", "30 días", "400 días"):
        assert days in notice.text
