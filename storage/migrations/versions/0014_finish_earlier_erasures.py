"""Finish erasures made before the erasure went table by table (0010): /borrar_mis_datos then
left the person's survey comments, delegates, case descriptions and notes, answers and
broadcasts behind. Rows tied to a person erased earlier (`people.erased_at` set) get what
erasure does today (storage/repositories/erasure.py), and the old mark «[borrado a pedido de
la persona]» becomes the current one. What cannot be linked to them any more (their Telegram
id in the audit log or in grants they gave) stays as it is.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ERASED = "[eliminado a pedido del titular]"
OLD_MARK = "[borrado a pedido de la persona]"
_ERASED_PEOPLE = "(SELECT id FROM people WHERE erased_at IS NOT NULL)"
_STATEMENTS = (
    f"UPDATE questions SET text = :erased, normalized = '' WHERE person_id IN {_ERASED_PEOPLE}",
    f"UPDATE escalations SET text = :erased WHERE person_id IN {_ERASED_PEOPLE}",
    "UPDATE escalations SET answer = :erased "
    f"WHERE answer IS NOT NULL AND person_id IN {_ERASED_PEOPLE}",
    f"UPDATE escalations SET answer = :erased WHERE answered_by IN {_ERASED_PEOPLE}",
    f"UPDATE cases SET description = :erased WHERE person_id IN {_ERASED_PEOPLE}",
    "UPDATE case_events SET note = :erased "
    f"WHERE note IS NOT NULL AND person_id IN {_ERASED_PEOPLE}",
    "UPDATE meeting_invitations SET delegate_name = NULL, delegate_position = NULL "
    f"WHERE person_id IN {_ERASED_PEOPLE}",
    f"UPDATE workshop_ratings SET comment = NULL WHERE person_id IN {_ERASED_PEOPLE}",
    "UPDATE outbox SET state = 'cancelled' "
    f"WHERE state IN ('pending', 'claimed') AND person_id IN {_ERASED_PEOPLE}",
    "UPDATE broadcasts SET text = :erased, progress_chat_id = NULL, progress_message_id = NULL "
    f"WHERE created_by IN {_ERASED_PEOPLE}",
)


def upgrade() -> None:
    for statement in _STATEMENTS:
        query = sa.text(statement)
        op.execute(query.bindparams(erased=ERASED) if ":erased" in statement else query)
    for table in ("questions", "escalations"):
        op.execute(
            sa.text(f"UPDATE {table} SET text = :erased WHERE text = :old").bindparams(
                erased=ERASED, old=OLD_MARK
            )
        )


def downgrade() -> None:
    """Erased text cannot come back."""
