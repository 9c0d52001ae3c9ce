"""Within one chat the person reads Minka's messages in the order Minka decided them. A later
call of the chat waiting in memory (a reply's file too large for an outbox row, refused by
flood control: bot/follow_ups.py) used to be overtaken by the chat's next replies: sent at
once (nothing of the chat was held in the outbox), or held and sent by the outbox while the
call waited out Telegram's retry_after, since the call waited for every held reply of the
chat, earlier or later (tests/test_flood_chat_order.py).

Now each such call takes a place in its chat's line (`queue`, in the chat's turn): what was
held before it (outbox rows up to `Later.barrier`) goes first, and while it waits the chat's
new replies are held behind it (`held.waiting`) and the outbox of this process holds back
the chat's rows held after it (`holds_back`), until it is made or given up (`leave`). The
line lives in this process's memory, as the call does, and a stop ends it (the call's notice
is owed: bot/cut_short.py).

With a second replica (not fixed, the limits as they are): its outbox does not see this line
and may send the chat's rows held after the call before it; and the person's next update,
handled there, is held behind the chat's held rows in the outbox (bot/held.py `waiting`
looks every chat up while another replica is alive: tests/test_flood_replicas_order.py) but
not behind this call: the chat's turn (`Held.turn`) is a lock of one process. (A reply is
no longer retried in memory after a 429: it is held at once, bot/ratelimit.py `holding`.)
Making the line shared would take a row per waiting call that the outbox's claim and
`waiting` read."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.runtime import Runtime
from storage.repositories import outbox

log = logging.getLogger(__name__)


@dataclass(eq=False, slots=True)
class Later:
    """A later call's place in its chat's line: the chat's held rows up to `barrier` (an
    outbox id) were decided before it."""

    chat_id: int
    barrier: int


async def queue(runtime: Runtime, chat_id: int) -> Later:
    """A place at the end of the chat's line (call in the chat's turn, after its replies
    are sent or held)."""
    barrier = 0
    try:
        async with runtime.db.session() as session:
            barrier = await outbox.last_id_for_chat(session, outbox.HELD, chat_id) or 0
    except Exception as error:  # the database away: it goes before what is held (no wait)
        log.warning("chat %s: its held replies not looked up (%r)", chat_id, error)
    place = Later(chat_id, barrier)
    runtime.held.later.setdefault(chat_id, []).append(place)
    return place


async def ahead(runtime: Runtime, place: Later) -> bool:
    """Whether something decided before `place` still waits: an earlier later call of the
    chat, or a reply held up to its barrier (ask in the chat's turn)."""
    line = runtime.held.later.get(place.chat_id, [])
    if line and line[0] is not place:
        return True
    if not place.barrier:
        return False
    try:
        async with runtime.db.session() as session:
            return await outbox.unsent_up_to(session, outbox.HELD, place.chat_id, place.barrier)
    except Exception as error:  # the database away: send (a call late beats none)
        log.warning("chat %s: its held replies not looked up (%r)", place.chat_id, error)
        return False


def leave(runtime: Runtime, place: Later) -> None:
    """The call was made, or given up, or the process stops: the line moves on."""
    line = runtime.held.later.get(place.chat_id, [])
    if place in line:
        line.remove(place)
    if not line:
        runtime.held.later.pop(place.chat_id, None)


def holds_back(runtime: Runtime, chat_id: int | None, kind: str, message_id: int) -> bool:
    """Whether the outbox must not send this row yet: a reply of the chat held after the
    first later call still waiting in its line."""
    line = runtime.held.later.get(chat_id) if chat_id is not None else None
    return bool(line) and kind == outbox.HELD and message_id > line[0].barrier
