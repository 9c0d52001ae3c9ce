"""A broadcast goes out with the authority its author holds when each copy is sent, never the
one they held when they pressed «Enviar»: a coordinator whose role was taken away, or whose
grant no longer covers the broadcast's audience (narrowed to other regions, a workshop or
meeting no longer hers), sends nothing more. The broadcast stays, «cancelada» (its copies not
sent too), the audit log says why, and the author and the administrators are told in their
language. Asked by the outbox for each copy (`Feature.withhold`), in the transaction that
renders it: two reads by key, the broadcast's and its author's row."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.outgoing import Outgoing
from bot.refused import plain
from bot.runtime import Runtime
from bot.services import coverage
from bot.services.roles import Role, effective_role
from bot.telegram_limits import cut_plain
from handlers import audiences
from handlers.base import esc
from storage.repositories import audit, outbox, people
from storage.repositories import broadcasts as repo
from storage.repositories.broadcasts import Author, BroadcastRecord
from storage.repositories.outbox import OwedMessage

log = logging.getLogger(__name__)

KIND = "broadcast_stopped"  # the notice that a broadcast was not sent, to its author or an admin
ACTION = "broadcast_cancelled"  # its audit entry
OPENING = 80  # characters of the message quoted in the notice, to tell which broadcast


async def withhold(
    session: AsyncSession, runtime: Runtime, owed: OwedMessage, now: datetime
) -> bool:
    """Whether this copy must not go: its broadcast was cancelled, or its author no longer
    may write to its audience (then it is cancelled here, once)."""
    broadcast = await repo.get(session, int(owed.payload["broadcast_id"]))
    if broadcast is None:
        return False  # nothing to send: the renderer skips it
    if broadcast.status == repo.CANCELLED:
        return True
    author = await repo.author(session, broadcast)
    if author is None or not broadcast.audience:
        return False  # not made with /difundir: no staff member's authority to lose
    role = _role(author, runtime.settings.bot_admin_ids)
    held = coverage.of(role, author.coverage)
    if await audiences.covers(session, held, broadcast.audience):
        return False
    if await repo.cancel(session, broadcast.id, now):
        await _stopped(session, runtime, broadcast, author, f"role={role.value}", now)
    return True


def _role(author: Author, admin_ids: frozenset[int]) -> Role:
    """The author's role now: an administrator's from the configuration, else stored."""
    if author.telegram_id is None:  # erased: whatever is stored, nobody acts for them
        return Role.OFFICIAL
    return effective_role(author.telegram_id, author.role, admin_ids)


async def _stopped(
    session: AsyncSession,
    runtime: Runtime,
    broadcast: BroadcastRecord,
    author: Author,
    held: str,
    now: datetime,
) -> None:
    """Audited (what the author held instead; no personal data), logged, and owed to the
    author's chat and each administrator's."""
    detail = f"{held} coverage={author.coverage}" if author.coverage else held
    await audit.append(
        session,
        actor_telegram_id=None,  # Minka itself, at the broadcast's sending
        action=ACTION,
        outcome="done",
        target=f"broadcast:{broadcast.id}",
        detail=detail,
        at=now,
    )
    log.warning(
        "broadcast %s not sent: its author no longer covers its audience (%s)", broadcast.id, detail
    )
    chats = [(author.person_id, None if author.person_id else author.telegram_id, "author")]
    for admin_id in sorted(runtime.settings.bot_admin_ids - {author.telegram_id}):
        admin = await people.get(session, admin_id)
        chats.append((admin.id, None, str(admin_id)) if admin else (None, admin_id, str(admin_id)))
    for person_id, chat_id, who in chats:
        await outbox.enqueue(
            session,
            kind=KIND,
            dedupe_key=f"{repo.key_prefix(broadcast.id)}stopped:{who}",
            person_id=person_id,
            chat_id=chat_id,
            payload={"broadcast_id": broadcast.id, "admin": who != "author"},
            due_at=now,
        )


async def render(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    """The notice, in its reader's language: which broadcast (its time, audience and first
    words), that it was not sent and why, and that it stays recorded as cancelled."""
    broadcast = await repo.get(session, int(owed.payload["broadcast_id"]))
    if broadcast is None or not broadcast.audience:
        return None
    values = {
        "date": t.datetime(broadcast.scheduled_at),
        "audience": esc(await audiences.described(session, t, broadcast.audience)),
    }
    if owed.payload.get("admin"):
        author = await repo.author(session, broadcast)
        values["name"] = esc(author.name if author and author.name else "—")
        text = t.gettext(
            "⚠️ The broadcast that {name} scheduled for {date} (recipients: {audience}) was "
            "not sent: at that time {name} no longer held a role that covers them."
        )
    else:
        text = t.gettext(
            "⚠️ Your broadcast scheduled for {date} (recipients: {audience}) was not sent: at "
            "that time your role no longer covered them."
        )
    lines = [text.format(**values), f"<i>«{esc(cut_plain(plain(broadcast.text), OPENING))}»</i>"]
    delivery = await repo.delivery(session, broadcast.id)
    if delivery.sent:
        lines.append(
            t.ngettext(
                "{sent} of its {total} copies had gone before.",
                "{sent} of its {total} copies had gone before.",
                delivery.sent,
            ).format(sent=t.number(delivery.sent), total=t.number(broadcast.total))
        )
    lines.append(t.gettext("It stays recorded as cancelled."))
    return Outgoing("\n".join(lines))
