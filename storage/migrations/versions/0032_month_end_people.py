"""Who each frozen month's /registrados counts count, in the region and with the sex they
were counted as (`month_end_people`, written with the counts by bot.services.registered):
indicator 8 groups the people a publication reached by these, not by the profile now.

Months frozen before this revision take the profile as it is: the audit log records no
/perfil change (no action writes a region or a sex), so it cannot tell what a person was at
a past month's end. Someone who changed region or sex between such a month's freezing and
this revision is counted there as she is now (as every reading did before it); from here
on, nobody moves.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07
"""

from __future__ import annotations

from datetime import UTC, date

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from bot.config import load_settings
    from bot.services.registered import PREFIX, boundary

    op.create_table(
        "month_end_people",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("region_code", sa.String(40)),
        sa.Column("sex", sa.String(20)),
        sa.UniqueConstraint("day", "person_id"),  # a day's read by its first column
    )
    bind = op.get_bind()
    keys = bind.execute(sa.text("SELECT key FROM app_state WHERE key LIKE 'reg %'")).scalars()
    days = [
        date.fromisoformat(key.removeprefix(PREFIX))
        for key in keys
        if " " not in key.removeprefix(PREFIX)  # the month's mark, not a region's counts
    ]
    zone = load_settings().timezone
    people = sa.table(
        "people",
        sa.column("id", sa.Integer),
        sa.column("region_code", sa.String),
        sa.column("sex", sa.String),
        sa.column("registered_at", UTCDateTime()),
    )
    counted = sa.table(
        "month_end_people",
        sa.column("day", sa.Date),
        sa.column("person_id", sa.Integer),
        sa.column("region_code", sa.String),
        sa.column("sex", sa.String),
    )
    for day in days:
        end = boundary(day, zone).astimezone(UTC)
        registered = sa.select(
            sa.literal(day, sa.Date), people.c.id, people.c.region_code, people.c.sex
        ).where(people.c.registered_at.is_not(None), people.c.registered_at < end)
        bind.execute(
            counted.insert().from_select(["day", "person_id", "region_code", "sex"], registered)
        )


def downgrade() -> None:
    op.drop_table("month_end_people")
