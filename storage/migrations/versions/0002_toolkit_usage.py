"""Tool Kit usage: article views, feedback, free-text questions and escalations to experts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id")),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("normalized", sa.String(300), nullable=False),
        sa.Column("answer_article_id", sa.String(60)),
        sa.Column("confident", sa.Boolean, nullable=False),
        sa.Column("useful", sa.Boolean),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_questions_person_id", "questions", ["person_id"])
    op.create_index("ix_questions_normalized", "questions", ["normalized"])
    op.create_index("ix_questions_at", "questions", ["at"])
    op.create_table(
        "article_views",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.String(60), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id")),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_article_views_article_id", "article_views", ["article_id"])
    op.create_index("ix_article_views_person_id", "article_views", ["person_id"])
    op.create_index("ix_article_views_at", "article_views", ["at"])
    op.create_table(
        "article_feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.String(60), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id")),
        sa.Column("question_id", sa.Integer, sa.ForeignKey("questions.id")),
        sa.Column("useful", sa.Boolean, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_article_feedback_article_id", "article_feedback", ["article_id"])
    op.create_index("ix_article_feedback_person_id", "article_feedback", ["person_id"])
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("question_id", sa.Integer, sa.ForeignKey("questions.id")),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("region_code", sa.String(40), sa.ForeignKey("regions.code")),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("answer", sa.Text),
        sa.Column("answered_by", sa.Integer, sa.ForeignKey("people.id")),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("answered_at", UTCDateTime()),
    )
    op.create_index("ix_escalations_person_id", "escalations", ["person_id"])
    op.create_index("ix_escalations_status", "escalations", ["status"])
    op.create_index("ix_escalations_created_at", "escalations", ["created_at"])


def downgrade() -> None:
    op.drop_table("escalations")
    op.drop_table("article_feedback")
    op.drop_table("article_views")
    op.drop_table("questions")
