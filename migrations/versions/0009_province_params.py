"""参数设置: province parameter changes by process owners (append-only log)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "province_param_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("province", sa.String(6), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("region", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("ref_id", sa.Integer(), sa.ForeignKey("province_param_entry.id"), nullable=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_province_param_entry_province", "province_param_entry", ["province"])


def downgrade() -> None:
    op.drop_index("ix_province_param_entry_province", table_name="province_param_entry")
    op.drop_table("province_param_entry")
