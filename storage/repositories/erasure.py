"""Erasure (/borrar_mis_datos): every trace of a person in every table, table by table.

What stays is what the indicators count, tied to the anonymous `people` row (region,
institution, sex): attendances, numeric ratings, RSVP answers, article views and feedback,
cases and escalations with their dates and statuses. Whatever the person wrote, and anything
that names them, goes, and so do the rows of `app_state` about their chat (a menu given to an
administrator, `app_state.PER_CHAT`). Tables not touched here hold nothing about a person:
`regions`, `replicas`, `workshops` and `meetings` (programme records, kept without their
creator's name), `meeting_agreements` and `meeting_agreement_changes` (who answered for an
agreement, by when, and its terms before each change: tied to the anonymous `people` row, as
indicator 2 counts them; no text but the agreement's, in which others' naming of the person is
scrubbed, erasure_named), and `processed_updates` (an update id and an HMAC keyed like the audit
pseudonyms, so not traceable to a Telegram id without the key; pruned by the retention job).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AppState,
    AuditEntry,
    Broadcast,
    Case,
    CaseEvent,
    ConversationState,
    Escalation,
    InboxReply,
    InboxUpdate,
    Meeting,
    MeetingInvitation,
    OutboxMessage,
    Person,
    Question,
    RoleGrant,
    TeamMember,
    TeamReport,
    Visit,
    VisitParticipant,
    WorkshopRating,
)
from storage.repositories import app_state, inbox
from storage.repositories.erasure_named import NAMED_IN, scrub_named
from storage.repositories.outbox import HELD, UNSENT

ERASED_TEXT = "[eliminado a pedido del titular]"
# Every table erasure writes over or deletes from (tests/erasure/test_erasure_columns.py: the
# SQL it runs names no other). On PostgreSQL they are rewritten after it (Database.wipe_erased):
# old versions of their rows stay in their files until then.
WIPED: frozenset[str] = frozenset(
    {
        model.__tablename__
        for model in (
            AppState, AuditEntry, Broadcast, Case, CaseEvent, ConversationState, Escalation,
            Meeting, MeetingInvitation, OutboxMessage, Person, Question, RoleGrant, TeamMember,
            TeamReport, Visit, VisitParticipant, WorkshopRating, InboxUpdate, InboxReply,
        )
    }
    | {column.class_.__tablename__ for column in NAMED_IN}
)  # fmt: skip
# In other people's held replies and forms, their names and texts are looked for only when
# this long (a short one would match what others wrote); ids and usernames from 3 characters.
LONG_ENOUGH, MIN_LOOKED_FOR = 8, 3
_UNSENT = ("pending", "claimed")


async def named_before_consent(session: AsyncSession, telegram_id: int) -> bool:
    """Whether someone who never accepted the notice is still named somewhere: a role granted
    to them that waits for their consent, its audit entry, refusals of what they tried, or
    the administrator's menu start-up gave their chat (BOT_ADMIN_IDS)."""
    grant = await session.scalar(select(RoleGrant.telegram_id).where(_grant_for(telegram_id)))
    about_them = or_(_names(telegram_id, None), AuditEntry.actor_telegram_id == telegram_id)
    entry = await session.scalar(select(AuditEntry.id).where(about_them).limit(1))
    if grant is not None or entry is not None:
        return True
    return await app_state.names_chat(session, telegram_id)


def _grant_for(telegram_id: int):  # type: ignore[no-untyped-def]
    return RoleGrant.telegram_id == telegram_id


async def erase_traces(
    session: AsyncSession,
    *,
    person_id: int | None,
    telegram_id: int,
    username: str | None,
    pseudonym: str,
    now: datetime,
) -> None:
    """Replace or drop everything the person wrote or that names them (see the module).
    `person_id` is None for someone who never accepted the notice (only named by others)."""
    await session.flush()
    await _scrub_others(session, person_id, telegram_id, username)
    statements = [] if person_id is None else _of_person(person_id)
    statements += [
        # Roles they gave, roles waiting for them, and the form they were filling in.
        update(RoleGrant).where(RoleGrant.granted_by == telegram_id).values(granted_by=None),
        delete(RoleGrant).where(_grant_for(telegram_id)),
        delete(ConversationState).where(ConversationState.telegram_id == telegram_id),
        app_state.of_chat(telegram_id),  # a configured admin's is written again at each start
        # Their updates in hand (bot/inbox.py), and the replies owed to them: this update's
        # too if written by now; if not, `Inbox.forget` deletes it after the commit.
        *inbox.of_sender(telegram_id),
        # The audit log keeps what happened, with a pseudonym instead of the id.
        update(AuditEntry)
        .where(AuditEntry.actor_telegram_id == telegram_id)
        .values(actor_telegram_id=None, actor_pseudonym=pseudonym),
        update(AuditEntry).where(_names(telegram_id, username)).values(target=pseudonym),
        # Replies held back by flood control (bot/held.py): not sent any more, and their copy
        # of the text and the chat they were for go.
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == telegram_id, OutboxMessage.state.in_(_UNSENT))
        .values(state="cancelled"),
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == telegram_id)
        .values(chat_id=None, payload={}),
    ]
    for statement in statements:
        await session.execute(statement.execution_options(synchronize_session=False))
    if person_id is not None:
        await _erase_broadcasts(session, person_id, now)
        words = await _named_as(session, person_id, username)  # as others would write them
        await scrub_named(session, words, _Needles(words).sub)
    for model in (Meeting, Broadcast, Visit):
        await _drop_from_audiences(session, model, telegram_id)


def _of_person(person_id: int) -> list[Any]:
    """What is tied to the person's row: their texts go, what the indicators count stays."""
    return [
        # The Tool Kit: their questions; the answers they got and the answers they wrote.
        update(Question)
        .where(Question.person_id == person_id)
        .values(text=ERASED_TEXT, normalized=""),
        update(Escalation)
        .where(Escalation.person_id == person_id, Escalation.answer.is_not(None))
        .values(answer=ERASED_TEXT),
        # A question taught to Minka but not yet written into examples.yaml is not taught.
        update(Escalation)
        .where(Escalation.person_id == person_id)
        .values(text=ERASED_TEXT, example_article_id=None, example_status=None),
        update(Escalation).where(Escalation.answered_by == person_id).values(answer=ERASED_TEXT),
        # Cases stay for indicator 4; their words about them go.
        update(Case).where(Case.person_id == person_id).values(description=ERASED_TEXT),
        update(CaseEvent)
        .where(CaseEvent.person_id == person_id, CaseEvent.note.is_not(None))
        .values(note=ERASED_TEXT),
        # Meetings and workshops: the answer and the scores count, names and comments go.
        update(MeetingInvitation)
        .where(MeetingInvitation.person_id == person_id)
        .values(delegate_name=None, delegate_position=None),
        update(WorkshopRating).where(WorkshopRating.person_id == person_id).values(comment=None),
        # Regional Team reports count for indicator 4; what they wrote goes, and so does the
        # membership (a grant naming them).
        delete(TeamMember).where(TeamMember.person_id == person_id),
        update(TeamReport)
        .where(TeamReport.person_id == person_id)
        .values(activities=ERASED_TEXT, difficulties=None, support=None, next_steps=None),
        update(VisitParticipant)
        .where(VisitParticipant.person_id == person_id)
        .values(reason=None, learned=None, practice=None, equality_comment=None),
        # Nothing more is sent to them.
        update(OutboxMessage)
        .where(OutboxMessage.person_id == person_id, OutboxMessage.state.in_(_UNSENT))
        .values(state="cancelled"),
    ]


async def _drop_from_audiences(
    session: AsyncSession, model: type[Meeting] | type[Broadcast] | type[Visit], telegram_id: int
) -> None:
    """An audience may name people by Telegram id (`id:…` in `reuniones crear`)."""
    rows = await session.execute(
        select(model.id, model.audience).where(
            cast(model.audience, String).like(f"%{telegram_id}%")
        )
    )
    for row_id, audience in rows.all():
        ids = (audience or {}).get("telegram_ids") or []
        if telegram_id in ids:
            kept = {**audience, "telegram_ids": [i for i in ids if i != telegram_id]}
            await session.execute(update(model).where(model.id == row_id).values(audience=kept))


def _names(telegram_id: int, username: str | None):  # type: ignore[no-untyped-def]
    """An audit target that is the person: their id, or their @username."""
    targets = [AuditEntry.target == str(telegram_id)]
    if username:
        targets.append(func.lower(AuditEntry.target) == f"@{username.lower()}")
    return or_(*targets)


async def _erase_broadcasts(session: AsyncSession, person_id: int, now: datetime) -> None:
    """Their broadcasts lose their text and their progress message (in the author's chat);
    copies not sent yet are cancelled: the text they would carry is gone."""
    broadcast_ids = list(
        await session.scalars(select(Broadcast.id).where(Broadcast.created_by == person_id))
    )
    for broadcast_id in broadcast_ids:
        cancelled = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.broadcast_id == broadcast_id,
                OutboxMessage.state.in_(_UNSENT),
            )
            .values(state="cancelled")
        )
        if cancelled.rowcount:
            await session.execute(
                update(Broadcast)
                .where(Broadcast.id == broadcast_id)
                .values(status="cancelled", finished_at=now)
            )
    if broadcast_ids:
        await session.execute(
            update(Broadcast)
            .where(Broadcast.id.in_(broadcast_ids))
            .values(text=ERASED_TEXT, progress_chat_id=None, progress_message_id=None)
        )


async def _scrub_others(
    session: AsyncSession, person_id: int | None, telegram_id: int, username: str | None
) -> None:
    """What other people's rows hold of the person until they are done with it: replies held
    back by flood control for other chats keep their rendered text until sent (bot/held.py:
    a specialist's answer the person wrote, on its way to the asker; an administrator's
    /auditoria that shows their id), and forms in progress keep what their buttons offer (a
    coordinator's agreement form, the invitees' names). What of theirs is in them becomes
    ERASED_TEXT; the replies still go, the forms go on. Run before their texts are replaced:
    they are what is looked for."""
    held = (
        await session.execute(
            select(OutboxMessage.id, OutboxMessage.payload).where(
                OutboxMessage.kind == HELD,
                OutboxMessage.state.in_(UNSENT),
                or_(OutboxMessage.chat_id.is_(None), OutboxMessage.chat_id != telegram_id),
            )
        )
    ).all()
    forms = (
        await session.execute(
            select(ConversationState.telegram_id, ConversationState.data).where(
                ConversationState.telegram_id != telegram_id
            )
        )
    ).all()
    if not held and not forms:  # the usual case
        return
    identity = await _who(session, person_id, telegram_id, username)
    if held:
        everything = _Needles(identity | await _their_texts(session, person_id))
        for row_id, payload in held:
            scrubbed = _scrubbed(payload or {}, everything.sub)
            if scrubbed != payload:
                await session.execute(
                    update(OutboxMessage).where(OutboxMessage.id == row_id).values(payload=scrubbed)
                )
    names = _Needles(identity)  # a form keeps names for its buttons, not others' texts
    for owner, data in forms:
        cleaned = _scrub_values(data or {}, names.sub)
        if cleaned != data:
            await session.execute(
                update(ConversationState)
                .where(ConversationState.telegram_id == owner)
                .values(data=cleaned)
            )


async def _who(
    session: AsyncSession, person_id: int | None, telegram_id: int, username: str | None
) -> set[str]:
    """Their id and username, and their names and position when LONG_ENOUGH."""
    person = await session.get(Person, person_id) if person_id is not None else None
    named = {person.full_name, person.telegram_name, person.position} if person else set()
    return {str(telegram_id), username or ""} | _long(named)


async def _named_as(session: AsyncSession, person_id: int, username: str | None) -> set[str]:
    """How others may have named them in their texts: names when LONG_ENOUGH, @username."""
    person = await session.get(Person, person_id)
    named = _long({person.full_name, person.telegram_name}) if person else set()
    return named | ({f"@{username}"} if username else set())


async def _their_texts(session: AsyncSession, person_id: int | None) -> set[str]:
    """Every text they wrote that erasure removes, when LONG_ENOUGH."""
    if person_id is None:
        return set()
    columns: list[tuple[Any, Any]] = [
        (Question.text, Question.person_id),
        (Escalation.text, Escalation.person_id),
        (Escalation.answer, Escalation.answered_by),
        (Case.description, Case.person_id),
        (CaseEvent.note, CaseEvent.person_id),
        (MeetingInvitation.delegate_name, MeetingInvitation.person_id),
        (MeetingInvitation.delegate_position, MeetingInvitation.person_id),
        (WorkshopRating.comment, WorkshopRating.person_id),
        (TeamReport.activities, TeamReport.person_id),
        (TeamReport.difficulties, TeamReport.person_id),
        (TeamReport.support, TeamReport.person_id),
        (TeamReport.next_steps, TeamReport.person_id),
        (VisitParticipant.reason, VisitParticipant.person_id),
        (VisitParticipant.practice, VisitParticipant.person_id),
        (VisitParticipant.equality_comment, VisitParticipant.person_id),
        (Broadcast.text, Broadcast.created_by),
    ]
    texts: set[str | None] = set()
    for column, owner in columns:
        texts.update(await session.scalars(select(column).where(owner == person_id)))
    learned = await session.scalars(
        select(VisitParticipant.learned).where(VisitParticipant.person_id == person_id)
    )
    texts.update(item for items in learned for item in items or [] if isinstance(item, str))
    return _long(texts)


def _long(words: set[str | None]) -> set[str]:
    """A short name or text («Sí», «reinfo», «Ana») would also match what others wrote."""
    return {w for w in words if w and len(w.strip()) >= LONG_ENOUGH}


class _Needles:
    """Words looked for as typed or as escaped into HTML, not inside a longer word or number.
    A person may have written thousands of texts: one pattern of them all took seconds to
    compile, so each string is first searched for them one by one (fast), and only those it
    holds make its pattern."""

    def __init__(self, words: set[str]) -> None:
        needles = {w.strip() for w in words if len(w.strip()) >= MIN_LOOKED_FOR}
        needles |= {html.escape(w, quote=False) for w in needles}
        self._needles = [(w, w.lower()) for w in sorted(needles, key=len, reverse=True)]

    def sub(self, text: str) -> str:
        lowered = text.lower()
        found = [re.escape(w) for w, low in self._needles if low in lowered]
        if not found:
            return text
        pattern = re.compile(f"(?<!\\w)(?:{'|'.join(found)})(?!\\w)", re.IGNORECASE)
        return pattern.sub(ERASED_TEXT, text)


def _scrub_values(value: Any, sub: Callable[[str], str]) -> Any:
    """`value` (a form's data: JSON) with `sub` applied to every string in it."""
    if isinstance(value, str):
        return sub(value)
    if isinstance(value, list):
        return [_scrub_values(item, sub) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_values(item, sub) for key, item in value.items()}
    return value


def _scrubbed(payload: dict[str, Any], sub: Callable[[str], str]) -> dict[str, Any]:
    """A held reply's payload (bot/held.py) with `sub` applied to its text and its buttons'
    labels (callback data and links stay as they are)."""
    scrubbed = dict(payload)
    if isinstance(payload.get("text"), str):
        scrubbed["text"] = sub(payload["text"])
    markup = payload.get("markup")
    if isinstance(markup, dict) and isinstance(markup.get("inline_keyboard"), list):
        scrubbed["markup"] = {
            **markup,
            "inline_keyboard": [
                [
                    {**key, "text": sub(key["text"])}
                    if isinstance(key, dict) and isinstance(key.get("text"), str)
                    else key
                    for key in row
                ]
                for row in markup["inline_keyboard"]
            ],
        }
    return scrubbed
