"""Typed SQLAlchemy models. Only repositories touch them; the rest of Minka sees plain records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime, utcnow

# Names for every key, constraint and index, so a migration can drop or alter one by name
# (SQLite's batch mode cannot alter an unnamed constraint). Migration 0015 named the existing ones.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Region(Base):
    """Reference data: Peru's regional governments plus Lima Metropolitana and MINEM."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    sort_order: Mapped[int] = mapped_column(Integer)


class Person(Base):
    """Someone who accepted the privacy notice.

    After `/borrar_mis_datos` the row stays, stripped of everything that identifies the person
    (`erased_at` set), so that anonymous counts by region, institution and sex keep adding up.
    """

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    username: Mapped[str | None] = mapped_column(String(64))
    telegram_name: Mapped[str | None] = mapped_column(String(200))
    full_name: Mapped[str | None] = mapped_column(String(120))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    institution: Mapped[str | None] = mapped_column(String(30))
    position: Mapped[str | None] = mapped_column(String(120))
    sex: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20), default="official")
    # The regions an admin granted a coordinator: "*" (national) or region codes separated by
    # commas; never taken from the person's own region (see bot/services/coverage.py).
    coverage: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(10), default="es")
    consent_at: Mapped[datetime | None]
    registered_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    blocked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_people_username", "username"),)


class RoleGrant(Base):
    """A role given to someone who has not accepted the notice yet; applied when they do,
    with the coverage it carries (a coordinator's regions)."""

    __tablename__ = "role_grants"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(20))
    coverage: Mapped[str | None] = mapped_column(Text)
    granted_by: Mapped[int | None] = mapped_column(BigInteger)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationState(Base):
    """Where a person is in a guided form, kept in the database so a restart loses nothing."""

    __tablename__ = "conversation_states"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    flow: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditEntry(Base):
    """Who tried to do what, when, and whether it was allowed.

    When a person erases their data, their Telegram id here (as actor or as target) becomes
    `actor_pseudonym`, a keyed hash of it (`bot.services.privacy.pseudonym`): the same for all
    their entries, so counts by person still add up, but not an id."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    actor_pseudonym: Mapped[str | None] = mapped_column(String(24))
    action: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(20))
    target: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[str | None] = mapped_column(Text)


class ArticleView(Base):
    """An article shown to someone (browsing, search, inline): the dissemination indicator.

    `person_id` is empty for people who did not accept the notice: the view still counts.
    """

    __tablename__ = "article_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(String(60), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ArticleFeedback(Base):
    """A "¿Te fue útil?" answer; one per person, article and question (the last one counts)."""

    __tablename__ = "article_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(String(60), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    useful: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Question(Base):
    """A free-text question and what Minka answered, so maintainers see what is missing."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(String(300), index=True)
    answer_article_id: Mapped[str | None] = mapped_column(String(60))
    confident: Mapped[bool]
    useful: Mapped[bool | None]
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Escalation(Base):
    """A question sent to the specialists, and their answer; with `article_id`, an error
    reported on that article («⚠️ Reportar un error»)."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    article_id: Mapped[str | None] = mapped_column(String(60), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    answered_at: Mapped[datetime | None]


class Workshop(Base):
    """A training workshop of the decentralised programme; `code` is what people type or scan."""

    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    place: Mapped[str | None] = mapped_column(String(300))
    facilitator: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int | None]
    survey_closes_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    surveys_sent_at: Mapped[datetime | None]
    reminders_sent_at: Mapped[datetime | None]
    results_sent_at: Mapped[datetime | None]


class WorkshopAttendance(Base):
    """A check-in: one per person and workshop, however many times they scan the code."""

    __tablename__ = "workshop_attendance"
    __table_args__ = (UniqueConstraint("workshop_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkshopRating(Base):
    """One person's survey answer for one workshop (1–5 each), changeable while it is open."""

    __tablename__ = "workshop_ratings"
    __table_args__ = (UniqueConstraint("workshop_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    overall: Mapped[int | None]
    content: Mapped[int | None]
    facilitation: Mapped[int | None]
    usefulness: Mapped[int | None]
    organization: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OutboxMessage(Base):
    """A message Minka owes someone (survey, reminder, result, a reply held back by flood
    control...). The table, not memory, is the source of truth: `dedupe_key` makes each
    message exist once; `state` tracks it. A held reply names its chat (`chat_id`): the
    person may not be registered yet."""

    __tablename__ = "outbox"
    # Claims, cancellations and broadcast progress look only at rows still owed, or at one
    # broadcast's copies: partial indexes (and one on broadcast_id) keep them at that cost,
    # whatever the history of sent rows (RETENTION_OUTBOX_DAYS of it).
    __table_args__ = (
        Index(
            "ix_outbox_pending_due",
            "due_at",
            "id",
            postgresql_where=sql("state = 'pending'"),
            sqlite_where=sql("state = 'pending'"),
        ),
        Index(
            "ix_outbox_pending_meeting",
            "meeting_id",
            postgresql_where=sql("state = 'pending'"),
            sqlite_where=sql("state = 'pending'"),
        ),
        Index("ix_outbox_broadcast_id", "broadcast_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[datetime] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    # What the message belongs to (at most one), for cancelling and counting without parsing
    # dedupe_key: a broadcast's copy, a meeting's invitation/reminder/change, a workshop's.
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id"))


class AppState(Base):
    """Small facts the CLI needs from the running bot (e.g. its @username for links)."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(300))


class Meeting(Base):
    """A coordination meeting (MINEM–GR, high-level committee, technical...).

    `version` grows with every change of time or place, so reminders owed for an old time are
    recognised and dropped."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(500))
    agenda: Mapped[str | None] = mapped_column(Text)
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reminder_offsets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    version: Mapped[int] = mapped_column(default=1)
    agreements: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingInvitation(Base):
    """One invitee of one meeting: their answer (RSVP), delegate and attendance."""

    __tablename__ = "meeting_invitations"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    rsvp: Mapped[str] = mapped_column(String(20), default="pending")
    delegate_name: Mapped[str | None] = mapped_column(String(120))
    delegate_position: Mapped[str | None] = mapped_column(String(120))
    responded_at: Mapped[datetime | None]
    attended_at: Mapped[datetime | None]
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)


class Visit(Base):
    """A study visit (the Canada visit...): a delegation invited, chosen and reminded before
    departure."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    destination: Mapped[str] = mapped_column(String(200))
    # For the delegation: schedule, documents to bring... (in the invitation and reminders).
    instructions: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reminder_offsets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    # Grows with every change of dates or destination and with cancelling: what was owed for
    # an older version (reminders, the questionnaire) is no longer sent.
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VisitParticipant(Base):
    """One invitee of a visit: their answer (and reason when they cannot go), whether the
    coordinator confirmed them in the delegation, whether they travelled, and the coordinator's
    correction of leader/official (None: from their position)."""

    __tablename__ = "visit_participants"
    __table_args__ = (UniqueConstraint("visit_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    answer: Mapped[str] = mapped_column(String(20), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    travelled_at: Mapped[datetime | None]
    leader: Mapped[bool | None]
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The questionnaire after the visit (all None until answered).
    usefulness: Mapped[int | None]
    learned: Mapped[list[str] | None] = mapped_column(JSON)
    practice: Mapped[str | None] = mapped_column(Text)
    equality_seen: Mapped[bool | None]
    equality_comment: Mapped[str | None] = mapped_column(Text)
    answered_survey_at: Mapped[datetime | None]


class Broadcast(Base):
    """A message a coordinator sends to many people; each copy is an outbox row."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    scheduled_at: Mapped[datetime]
    total: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None]
    progress_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # A publication the broadcast announces: each copy carries a button that delivers it.
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"))


class Case(Base):
    """A case a regional government attended ("casos atendidos por los GR"), registered by the
    official who handles it. Codes (kind, stratum, step, status) are explained in
    `bot.services.cases`; every change of status or step is also a `CaseEvent`."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    province: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(30))
    stratum: Mapped[str] = mapped_column(String(30))
    supported: Mapped[bool]  # attended with the Equipo Regional's support
    description: Mapped[str] = mapped_column(Text)
    formalization_step: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class CaseEvent(Base):
    """One change of a case: created, a new status or a new formalization step, with a note."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(20))  # created | status | step
    from_value: Mapped[str | None] = mapped_column(String(30))
    to_value: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ProcessedUpdate(Base):
    """An update already handled, so the same update delivered twice (a slow webhook answer
    makes Telegram resend it; two replicas may both receive it) has its effects once. The key
    is the update id plus a digest of the update, so a reused id is never mistaken for a
    repeat; rows older than RETENTION_UPDATES_DAYS are pruned (bot/retention.py)."""

    __tablename__ = "processed_updates"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Replica(Base):
    """A running Minka process, seen recently: replicas divide Telegram's per-bot message rate
    among those alive. Each refreshes its row every few seconds and removes it when it stops;
    a row not refreshed for three intervals (a crashed process) no longer counts."""

    __tablename__ = "replicas"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)


class Publication(Base):
    """A document of the programme (the regionalization publication...) people receive from
    Minka. The file is kept here, so every replica can send it; once Telegram has it,
    `file_id` is sent instead of the bytes."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    published_on: Mapped[date] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    file_id: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]


class PublicationDelivery(Base):
    """A person who received a publication: one row per person and publication, however many
    times they asked for it (the dissemination indicator counts people, not presses)."""

    __tablename__ = "publication_deliveries"
    __table_args__ = (UniqueConstraint("publication_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # chat | broadcast | toolkit
    delivered_at: Mapped[datetime] = mapped_column(index=True)


class MeetingAgreement(Base):
    """An agreement of a meeting to follow up: who answers for it (an invitee), by when, and
    how far it got. «Overdue» is not stored: it is a pending or started agreement whose due
    date has passed (Lima), so it never lags behind the calendar."""

    __tablename__ = "meeting_agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    responsible_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|in_progress|done
    done_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamMember(Base):
    """Membership of a region's Equipo Regional, set by an administrator (never from the
    person's own profile): who must send the monthly report, and for which region."""

    __tablename__ = "team_members"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    granted_at: Mapped[datetime]


class TeamReport(Base):
    """A Regional Team member's monthly report («Informe de los Equipos Regionales»): one per
    person and month (`month` is «YYYY-MM»), replaced if sent again."""

    __tablename__ = "team_reports"
    __table_args__ = (UniqueConstraint("person_id", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    cases: Mapped[int]
    activities: Mapped[str] = mapped_column(Text)
    difficulties: Mapped[str | None] = mapped_column(Text)
    support: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime]


class WorkshopMaterial(Base):
    """A file of a workshop (presentation, PDF...) for its participants. Kept here, so every
    replica can send it; once Telegram has it, `file_id` is sent instead of the bytes."""

    __tablename__ = "workshop_materials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    file_id: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MaterialDelivery(Base):
    """A participant who received a workshop material: once per person and material."""

    __tablename__ = "material_deliveries"
    __table_args__ = (UniqueConstraint("material_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("workshop_materials.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    delivered_at: Mapped[datetime]
