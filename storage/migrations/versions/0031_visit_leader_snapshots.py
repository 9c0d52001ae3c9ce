"""Whether a study visit's invitee was a regional leader when invited, kept on her row
(`visit_participants.invited_as_leader`, written by bot.services.visits.create with the
leader words in force): indicator 9 counts her by it, not by her position now, which /perfil
changes and erasure empties. Existing rows take the position as it is, by the configured
LEADER_POSITION_WORDS (the environment and .env, as the bot reads them).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from bot.config import load_settings
    from bot.services.visits import is_leader_position, leader_words

    with op.batch_alter_table("visit_participants") as batch:
        batch.add_column(sa.Column("invited_as_leader", sa.Boolean(), nullable=True))
    words = leader_words(load_settings().leader_position_words)
    rows = op.get_bind().execute(
        sa.text(
            "SELECT visit_participants.id, people.position FROM visit_participants "
            "JOIN people ON people.id = visit_participants.person_id"
        )
    )
    leaders = [row_id for row_id, position in rows if is_leader_position(position, words)]
    op.execute("UPDATE visit_participants SET invited_as_leader = false")
    if leaders:
        op.get_bind().execute(
            sa.text("UPDATE visit_participants SET invited_as_leader = true WHERE id = :id"),
            [{"id": row_id} for row_id in leaders],
        )


def downgrade() -> None:
    with op.batch_alter_table("visit_participants") as batch:
        batch.drop_column("invited_as_leader")
