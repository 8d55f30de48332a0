"""发送税务部门 records: versions, receipts and the tax side's check

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tax_submission",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("certification_case.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False, unique=True),
        sa.Column("receipt_no", sa.String(100), nullable=False),
        sa.Column("correction_of_id", sa.Integer(), sa.ForeignKey("tax_submission.id"), nullable=True),
        sa.Column("approved_months", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_tax_submission_case_id", "tax_submission", ["case_id"])
    op.create_index("ix_tax_submission_region", "tax_submission", ["region_code", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_tax_submission_region", table_name="tax_submission")
    op.drop_index("ix_tax_submission_case_id", table_name="tax_submission")
    op.drop_table("tax_submission")
