"""Minka's own membership in a chat (`my_chat_member`), as Telegram reports it at once.

In a person's private chat, «kicked» means they blocked Minka: they are marked as a 403
marks them (`people.mark_blocked`), so broadcasts, reminders and notices skip them instead of
being refused one by one; «member» again means they unblocked it, and they are reachable
again. What Minka still owes them stays in the outbox: a message that falls due while they
are blocked is skipped when its turn comes (as after a 403), later ones reach them.

In a group the change is the group's doing (someone added or removed Minka): the person who
did it is neither marked nor unmarked. Added, Minka says there that it works in private
chats (it collects no personal data in groups); removed, it cannot write there and says
nothing.
"""

from __future__ import annotations

import logging

from telegram.constants import ChatMemberStatus, ChatType

from handlers.base import Ctx
from handlers.conversation import on_group_message
from storage.repositories import people

log = logging.getLogger(__name__)

# Statuses in which Minka can read and write in a group.
_PRESENT = frozenset(
    {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
)


async def on_my_chat_member(ctx: Ctx) -> None:
    change = ctx.update.my_chat_member
    if change is None:
        return
    new = change.new_chat_member.status
    if change.chat.type == ChatType.PRIVATE:
        if new == ChatMemberStatus.BANNED:
            changed = await people.mark_blocked(ctx.session, ctx.user.id, ctx.now)
        else:
            changed = await people.mark_reachable(ctx.session, ctx.user.id)
        if changed:
            log.info("user %s %s Minka", ctx.user.id, "blocked" if new == "kicked" else "unblocked")
        return
    was_present = change.old_chat_member.status in _PRESENT
    if new in _PRESENT and not was_present:
        await on_group_message(ctx)
    elif new not in _PRESENT and was_present:
        log.info("Minka was removed from chat %s (%s)", change.chat.id, new)
