"""Publications (the regionalization document...) and who received each one; a broadcast can
announce a publication.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("published_on", sa.Date, nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("file_id", sa.String(300)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime()),
    )
    op.create_table(
        "publication_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("publication_id", sa.Integer, sa.ForeignKey("publications.id"), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("publication_id", "person_id"),
    )
    op.create_index(
        "ix_publication_deliveries_publication_id", "publication_deliveries", ["publication_id"]
    )
    op.create_index("ix_publication_deliveries_person_id", "publication_deliveries", ["person_id"])
    op.create_index(
        "ix_publication_deliveries_delivered_at", "publication_deliveries", ["delivered_at"]
    )
    with op.batch_alter_table("broadcasts") as batch:  # SQLite: a foreign key needs a copy
        batch.add_column(sa.Column("publication_id", sa.Integer))
        batch.create_foreign_key(
            "fk_broadcasts_publication_id", "publications", ["publication_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("publication_id")
    op.drop_table("publication_deliveries")
    op.drop_table("publications")
