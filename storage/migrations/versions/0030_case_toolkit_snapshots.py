"""The sex of the official who registered a case, and the region and sex of the person who
read an article, asked, answered «¿Le fue útil?» or wrote to the specialists, kept on the
row when it is written (storage/models/cases.py and knowledge.py, `take_snapshot`; the
direct inserts of storage/repositories/toolkit.py): indicators 4, 5 and 6 group by them, not
by the profile as it is now. A case's region and an escalation's were already its own.
Existing rows take the profile as it is.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07
"""

from __future__ import annotations

from storage.migrations.snapshots import add_snapshots, drop_snapshots

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

BOTH = ("article_views", "questions", "article_feedback")
SEX_ONLY = ("cases", "escalations")  # their region_code is the case's, the asker's then


def upgrade() -> None:
    add_snapshots(BOTH)
    add_snapshots(SEX_ONLY, ("sex",))


def downgrade() -> None:
    drop_snapshots(SEX_ONLY, ("sex",))
    drop_snapshots(BOTH)
