"""Typed SQLAlchemy models, one module per feature. Only repositories touch them; the rest of
Minka sees plain records. Importing this package registers every table in `Base.metadata`
(what Alembic compares with the database)."""

from storage.models.base import NAMING_CONVENTION, Base
from storage.models.cases import Case, CaseEvent, TeamMember, TeamReport
from storage.models.knowledge import ArticleFeedback, ArticleView, Escalation, Question
from storage.models.meetings import (
    Meeting,
    MeetingAgreement,
    MeetingAgreementChange,
    MeetingInvitation,
)
from storage.models.month_end_people import MonthEndPerson
from storage.models.outbox import Broadcast, OutboxMessage
from storage.models.people import AuditEntry, Person, Region, RoleGrant
from storage.models.publications import Publication, PublicationDelivery
from storage.models.system import (
    AppState,
    ConversationState,
    InboxReply,
    InboxUpdate,
    ProcessedUpdate,
    Replica,
)
from storage.models.visits import Visit, VisitParticipant
from storage.models.workshops import (
    MaterialDelivery,
    Workshop,
    WorkshopAttendance,
    WorkshopMaterial,
    WorkshopRating,
)

__all__ = [
    "NAMING_CONVENTION",
    "AppState",
    "ArticleFeedback",
    "ArticleView",
    "AuditEntry",
    "Base",
    "Broadcast",
    "Case",
    "CaseEvent",
    "ConversationState",
    "Escalation",
    "InboxReply",
    "InboxUpdate",
    "MaterialDelivery",
    "Meeting",
    "MeetingAgreement",
    "MeetingAgreementChange",
    "MeetingInvitation",
    "MonthEndPerson",
    "OutboxMessage",
    "Person",
    "ProcessedUpdate",
    "Publication",
    "PublicationDelivery",
    "Question",
    "Region",
    "Replica",
    "RoleGrant",
    "TeamMember",
    "TeamReport",
    "Visit",
    "VisitParticipant",
    "Workshop",
    "WorkshopAttendance",
    "WorkshopMaterial",
    "WorkshopRating",
]
