"""The region and sex a person had when she was invited to a meeting or a study visit, kept
on the row (storage/models/meetings.py and visits.py, `take_snapshot`): reports group
invitees by them, not by the profile as it is now. Existing rows take the profile as it is.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

from __future__ import annotations

from storage.migrations.snapshots import add_snapshots, drop_snapshots

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

TABLES = ("meeting_invitations", "visit_participants")


def upgrade() -> None:
    add_snapshots(TABLES)


def downgrade() -> None:
    drop_snapshots(TABLES)
