"""The chats the database shows acting as staff (storage/repositories/staff_traces.py), read
once by start-up to take an old admin menu away from a former administrator no other record
names (tests/test_former_admin_traces.py plays it end to end): each kind of trace, on SQLite
and PostgreSQL, and not the chats of people who only used Minka as officials."""

from __future__ import annotations

from datetime import timedelta

from handlers.command_menu import staff_flows
from storage.db import Database
from storage.models import Broadcast, ConversationState, Meeting, RoleGrant
from storage.repositories import audit, people
from storage.repositories.staff_traces import staff_chats
from storage.types import utcnow
from tests.helpers import registered_official


async def test_each_kind_of_staff_trace_names_its_chat(db: Database) -> None:
    flows = staff_flows()
    assert "registration" not in flows and "broadcast" in flows, flows
    now = utcnow()
    async with db.session() as session:
        await audit.append(
            session, actor_telegram_id=8001, action="grant_specialist", outcome="done", at=now
        )
        await audit.append(
            session, actor_telegram_id=8002, action="/auditoria", outcome="denied", at=now
        )
        await audit.append(  # a role refused to whom BOT_ADMIN_IDS named then
            session,
            actor_telegram_id=None,
            action="grant_coordinator",
            outcome="denied",
            target="8003",
            detail="BOT_ADMIN_IDS",
            at=now,
        )
        await audit.append(  # a grant's target is no trace: the role waits for registration
            session,
            actor_telegram_id=None,
            action="grant_specialist",
            outcome="done",
            target="8010",
            at=now,
        )
        session.add(RoleGrant(telegram_id=8011, role="specialist", granted_by=8004))
        session.add(Broadcast(text="Aviso", scheduled_at=now, progress_chat_id=8005))
        session.add(ConversationState(telegram_id=8006, flow="expert_answer", step="1"))
        session.add(ConversationState(telegram_id=8012, flow="registration", step="name"))
        author = await registered_official(session, 8007, "Tomás", registered=False)
        erased = await registered_official(session, 8013, "Ana")  # erased since: no id left
        for code, created_by in (("R1", author), ("R2", erased)):
            session.add(
                Meeting(
                    code=code,
                    title="Mesa técnica",
                    kind="technical",
                    starts_at=now,
                    ends_at=now + timedelta(hours=1),
                    created_by=created_by,
                )
            )
        await people.erase(session, 8013, now)
        await session.flush()
        found = await staff_chats(session, flows)
    assert found == {8001, 8002, 8003, 8004, 8005, 8006, 8007}, sorted(found)
