"""Outbox rows name what they belong to (broadcast, meeting, workshop) in columns of their own,
and partial indexes cover the rows still owed: cancelling a meeting's messages, claiming due
ones and counting a broadcast's progress no longer read every row ever sent
(`dedupe_key LIKE 'prefix%'` did).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OWNERS = (("broadcast", "broadcasts"), ("meeting", "meetings"), ("workshop", "workshops"))
PENDING = sa.text("state = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        for owner, table in OWNERS:
            batch.add_column(sa.Column(f"{owner}_id", sa.Integer, nullable=True))
            batch.create_foreign_key(
                f"fk_outbox_{owner}_id_{table}", table, [f"{owner}_id"], ["id"]
            )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for owner, table in OWNERS:
        value = (
            f"CAST(payload->>'{owner}_id' AS INTEGER)"
            if postgresql
            else f"CAST(json_extract(payload, '$.{owner}_id') AS INTEGER)"
        )
        op.execute(
            f"UPDATE outbox SET {owner}_id = {value} "
            f"WHERE kind LIKE '{owner}%' AND {value} IN (SELECT id FROM {table})"
        )
    op.create_index(
        "ix_outbox_pending_due",
        "outbox",
        ["due_at", "id"],
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    op.create_index(
        "ix_outbox_pending_meeting",
        "outbox",
        ["meeting_id"],
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    op.create_index("ix_outbox_broadcast_id", "outbox", ["broadcast_id"])


def downgrade() -> None:
    for name in ("ix_outbox_broadcast_id", "ix_outbox_pending_meeting", "ix_outbox_pending_due"):
        op.drop_index(name, "outbox")
    with op.batch_alter_table("outbox") as batch:
        for owner, table in OWNERS:
            batch.drop_constraint(f"fk_outbox_{owner}_id_{table}", type_="foreignkey")
            batch.drop_column(f"{owner}_id")
