"""Regional Team membership as a grant (team_members), not a field of the person's profile.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No one is carried over from profiles: a profile's institution was never a grant, and
    # the monthly reports arrived in this same release.
    op.create_table(
        "team_members",
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), primary_key=True),
        sa.Column("region_code", sa.String(40), sa.ForeignKey("regions.code"), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_team_members_region_code", "team_members", ["region_code"])


def downgrade() -> None:
    op.drop_table("team_members")
