"""Whose limit an owed message's 429 was: its chat's, or the bot's.

Telegram limits a bot as a whole (about 30 messages a second) and each chat too (about one a
second to a private chat, 20 a minute to a group), and answers both with the same 429 and a
`retry_after`: the Bot API does not say which limit was reached. Pausing the whole outbox at
any 429 (as session 20 did) made a broadcast to 10,000 people wait out one busy group's
minute. So a 429 holds back its chat only (its copies, reminders and held replies, in order:
bot/outbox.py puts them back behind it, due when Telegram allows), and the whole outbox only
when 429s for two different chats came within `WINDOW`.

Why that evidence: when the bot's own limit is reached, Telegram refuses every chat, and the
outbox's concurrent sends (`IN_FLIGHT`, paced at ~30 a second) meet refusals for several
chats within a fraction of a second; a chat's own limit refuses that chat alone, and two
chats reaching theirs within two seconds of each other is rare in a broadcast (each chat gets
one copy). Not the size of retry_after: a group's per-minute limit asks for up to a minute,
more than the bot's per-second limit usually does, so a long wait would point the wrong way.
The whole outbox then waits until the earliest of those chats' retry_at: if the limit was the
bot's, Telegram's one wait ends then for all; if it was two chats' own, no longer than the
shorter of them.

What it costs when wrong (never a message dropped or sent twice: a refused message is put
back, pending, in its chat's order, whatever the reason):
- the bot's limit taken for one chat's: the sends already on their way (up to `IN_FLIGHT`)
  and the next one meet a 429 each before the second chat's refusal pauses the outbox; each
  is put back, one call refused more, and Telegram may lengthen its wait a little;
- two chats' own limits taken for the bot's: every other owed message waits up to the
  shorter retry_after (seconds to a minute) for nothing, as all of them did before.
- A second replica does not see this process's 429s: it learns a chat's (or the bot's) flood
  control by one refused call of its own, which puts that message back in the same way.
Replies to people are not held back by a chat's 429 here: a reply meets its own 429 and is
held in the outbox behind the chat's held replies (bot/held.py)."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

WINDOW = timedelta(seconds=2)  # 429s for two chats this close: the bot's limit, not theirs


class FloodScope:
    """Chats in flood control (until when), and the recent refusals that tell whether the
    bot's own limit was reached."""

    def __init__(self) -> None:
        self._chats: dict[int, datetime] = {}
        self._recent: deque[tuple[datetime, int, datetime]] = deque()  # at, chat, until

    def refused(self, chat: int | None, now: datetime, until: datetime) -> datetime | None:
        """Record an owed message's 429 for `chat` at `now`, due again at `until`; return
        until when the whole outbox waits (evidence of the bot's limit), or None: the chat
        alone waits. A message with no chat (none known) pauses the outbox as before."""
        if chat is None:
            return until
        self._chats = {c: end for c, end in self._chats.items() if end > now}
        self._chats[chat] = max(self._chats.get(chat, until), until)
        while self._recent and self._recent[0][0] < now - WINDOW:
            self._recent.popleft()
        others = [end for _at, other, end in self._recent if other != chat]
        self._recent.append((now, chat, until))
        return min(until, *others) if others else None

    def until(self, chat: int | None, now: datetime) -> datetime | None:
        """When Telegram allows `chat` again, if it refused it and that is still ahead."""
        end = self._chats.get(chat) if chat is not None else None
        return end if end is not None and end > now else None
