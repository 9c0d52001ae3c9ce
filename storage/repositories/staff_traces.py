"""The chats that acted as staff, as far as the database tells: a Minka from before start-up
kept the chats it gave an administrator's menu (handlers/command_menu.py, `ADMIN_MENU`) set
that menu from BOT_ADMIN_IDS alone, so someone taken out of it then, who never registered,
is known only by what they did. Their chat's menu is set once more to what they can use now."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AuditEntry,
    Broadcast,
    ConversationState,
    Escalation,
    Meeting,
    MeetingAgreement,
    Person,
    RoleGrant,
    Visit,
    Workshop,
)

CONFIGURED = "BOT_ADMIN_IDS"  # audit detail: a role refused to an admin of the configuration


async def staff_chats(session: AsyncSession, staff_flows: Collection[str]) -> set[int]:
    """Telegram ids of: every actor of the audit log (a staff action done, or one refused:
    tried from a menu that still showed it); the admins of the configuration of the time that
    a refused grant names; whoever granted a role still waiting; the chat each broadcast's
    progress went to; whoever has a staff form open; and people (registered or not) who
    created a meeting, agreement, visit or workshop, or answered a derived question. Erased
    people are none of these: their ids were taken out of every one of them."""
    ids = union(
        select(AuditEntry.actor_telegram_id).where(AuditEntry.actor_telegram_id.is_not(None)),
        select(RoleGrant.granted_by).where(RoleGrant.granted_by.is_not(None)),
        select(Broadcast.progress_chat_id).where(Broadcast.progress_chat_id.is_not(None)),
        select(ConversationState.telegram_id).where(
            ConversationState.flow.in_(sorted(staff_flows))
        ),
    )
    chats = {int(chat_id) for chat_id in await session.scalars(select(ids.subquery().c[0]))}
    named = await session.scalars(
        select(AuditEntry.target).where(AuditEntry.detail == CONFIGURED).distinct()
    )
    chats |= {int(target) for target in named if target and target.isdigit()}
    authors = union(
        *(
            select(column).where(column.is_not(None))
            for column in (
                Meeting.created_by,
                MeetingAgreement.created_by,
                Visit.created_by,
                Workshop.created_by,
                Broadcast.created_by,
                Escalation.answered_by,
            )
        )
    ).subquery()
    people = await session.scalars(
        select(Person.telegram_id).where(
            Person.id.in_(select(authors.c[0])), Person.telegram_id.is_not(None)
        )
    )
    return chats | {telegram_id for telegram_id in people if telegram_id is not None}
