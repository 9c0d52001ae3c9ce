"""People, regions (seeded), role grants, conversation states and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Peru's 25 regional governments (24 departments plus Callao), then Lima Metropolitana
# (regional powers under a special regime) and MINEM's central level.
REGIONS: list[tuple[str, str, str]] = [
    ("amazonas", "Amazonas", "regional_government"),
    ("ancash", "Áncash", "regional_government"),
    ("apurimac", "Apurímac", "regional_government"),
    ("arequipa", "Arequipa", "regional_government"),
    ("ayacucho", "Ayacucho", "regional_government"),
    ("cajamarca", "Cajamarca", "regional_government"),
    ("callao", "Callao", "regional_government"),
    ("cusco", "Cusco", "regional_government"),
    ("huancavelica", "Huancavelica", "regional_government"),
    ("huanuco", "Huánuco", "regional_government"),
    ("ica", "Ica", "regional_government"),
    ("junin", "Junín", "regional_government"),
    ("la-libertad", "La Libertad", "regional_government"),
    ("lambayeque", "Lambayeque", "regional_government"),
    ("lima", "Lima (Gobierno Regional)", "regional_government"),
    ("loreto", "Loreto", "regional_government"),
    ("madre-de-dios", "Madre de Dios", "regional_government"),
    ("moquegua", "Moquegua", "regional_government"),
    ("pasco", "Pasco", "regional_government"),
    ("piura", "Piura", "regional_government"),
    ("puno", "Puno", "regional_government"),
    ("san-martin", "San Martín", "regional_government"),
    ("tacna", "Tacna", "regional_government"),
    ("tumbes", "Tumbes", "regional_government"),
    ("ucayali", "Ucayali", "regional_government"),
    ("lima-metropolitana", "Lima Metropolitana", "lima_metropolitana"),
    ("minem", "MINEM (nivel central)", "central"),
]


def upgrade() -> None:
    regions = op.create_table(
        "regions",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("sort_order", sa.Integer, nullable=False),
    )
    op.bulk_insert(
        regions,
        [
            {"code": code, "name": name, "kind": kind, "sort_order": index}
            for index, (code, name, kind) in enumerate(REGIONS, start=1)
        ],
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("telegram_id", sa.BigInteger, unique=True),
        sa.Column("username", sa.String(64)),
        sa.Column("telegram_name", sa.String(200)),
        sa.Column("full_name", sa.String(120)),
        sa.Column("region_code", sa.String(40), sa.ForeignKey("regions.code")),
        sa.Column("institution", sa.String(30)),
        sa.Column("position", sa.String(120)),
        sa.Column("sex", sa.String(20)),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column("consent_at", UTCDateTime()),
        sa.Column("registered_at", UTCDateTime()),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("blocked_at", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("erased_at", UTCDateTime()),
    )
    op.create_index("ix_people_username", "people", ["username"])
    op.create_table(
        "role_grants",
        sa.Column("telegram_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("granted_by", sa.BigInteger),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "conversation_states",
        sa.Column("telegram_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("flow", sa.String(40), nullable=False),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_telegram_id", sa.BigInteger),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("target", sa.String(120)),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor_telegram_id", "audit_log", ["actor_telegram_id"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("conversation_states")
    op.drop_table("role_grants")
    op.drop_index("ix_people_username", "people")
    op.drop_table("people")
    op.drop_table("regions")
