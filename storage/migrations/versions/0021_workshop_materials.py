"""Workshop materials (presentations, PDFs) and who received each one.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshop_materials",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workshop_id", sa.Integer, sa.ForeignKey("workshops.id"), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("file_id", sa.String(300)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_workshop_materials_workshop_id", "workshop_materials", ["workshop_id"])
    op.create_table(
        "material_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "material_id", sa.Integer, sa.ForeignKey("workshop_materials.id"), nullable=False
        ),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("material_id", "person_id"),
    )
    op.create_index("ix_material_deliveries_material_id", "material_deliveries", ["material_id"])
    op.create_index("ix_material_deliveries_person_id", "material_deliveries", ["person_id"])


def downgrade() -> None:
    op.drop_table("material_deliveries")
    op.drop_table("workshop_materials")
