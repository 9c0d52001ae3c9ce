"""What the running bot keeps for itself: guided-form state, updates in hand (and the replies
they owe) and handled, live replicas, small facts for the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class ConversationState(Base):
    """Where a person is in a guided form, kept in the database so a restart loses nothing."""

    __tablename__ = "conversation_states"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    flow: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)  # never read


class ProcessedUpdate(Base):
    """An update already handled, so the same update delivered twice (a slow webhook answer
    makes Telegram resend it; two replicas may both receive it) has its effects once. The key
    is the update id plus a digest of the update, so a reused id is never mistaken for a
    repeat; rows older than RETENTION_UPDATES_DAYS are pruned (bot/retention.py)."""

    __tablename__ = "processed_updates"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)  # given: retention reads it


class InboxUpdate(Base):
    """An update as Telegram sent it (sanitized JSON), kept from before Telegram is told it
    was received until it is handled (bot/inbox.py): a process killed meanwhile leaves it
    here, and the next start handles it. Holds what the person wrote: deleted once done, by
    erasure (the sender's `telegram_id`) and by retention if ever left behind."""

    __tablename__ = "inbox_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(index=True)  # given: retention reads it
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class InboxReply(Base):
    """The replies an update owes, as rendered, written in the transaction that records it
    handled (handlers/dispatch.py) and deleted with its `InboxUpdate` once it is over
    (bot/inbox.py): a process killed between that commit and their send leaves them here,
    and once it is seen dead another sends them (bot/owed_replies.py). Holds what Minka
    answered: deleted once sent, by erasure (the sender's `telegram_id`, the `chat_id`) and
    by retention."""

    __tablename__ = "inbox_replies"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    person_id: Mapped[int | None] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(60))  # the update's key (handlers/update_keys.py)
    replica: Mapped[str] = mapped_column(String(32))  # the process that owes them (bot/replicas.py)
    replies: Mapped[str] = mapped_column(Text)  # JSON: bot/held.py `payload_of` each
    at: Mapped[datetime] = mapped_column(index=True)  # given: retention reads it


class Replica(Base):
    """A running Minka process, seen recently: replicas divide Telegram's per-bot message rate
    among those alive. Each refreshes its row every few seconds and removes it when it stops;
    a row not refreshed for three intervals (a crashed process) no longer counts."""

    __tablename__ = "replicas"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)


class AppState(Base):
    """Small facts the CLI needs from the running bot (e.g. its @username for links)."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(300))
