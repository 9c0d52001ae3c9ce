"""The region and sex a person had when she checked in to a workshop or rated it, kept on
the row (storage/models/workshops.py, `take_snapshot`): reports group workshop parts by
them, not by the profile as it is now. Existing rows take the profile as it is.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from __future__ import annotations

from storage.migrations.snapshots import add_snapshots, drop_snapshots

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

TABLES = ("workshop_attendance", "workshop_ratings")


def upgrade() -> None:
    add_snapshots(TABLES)


def downgrade() -> None:
    drop_snapshots(TABLES)
