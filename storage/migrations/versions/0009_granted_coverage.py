"""Coverage granted by an admin: the regions a coordinator oversees, stored with the role.

Existing coordinators keep the region of their profile as their granted coverage; those at
MINEM's central level or without a region become national. Coordinator grants still waiting
for the person to register get no coverage: an admin names them again with their regions.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("people", sa.Column("coverage", sa.Text))
    op.add_column("role_grants", sa.Column("coverage", sa.Text))
    op.execute(
        "UPDATE people SET coverage = CASE WHEN region_code IS NULL OR region_code = 'minem' "
        "THEN '*' ELSE region_code END WHERE role = 'coordinator'"
    )


def downgrade() -> None:
    with op.batch_alter_table("role_grants") as batch:
        batch.drop_column("coverage")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("coverage")
