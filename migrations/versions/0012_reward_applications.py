"""超比例奖励申请: the reward_application table, and the inbox's excluded_actors column
(审核分离: whom a task's exclude_actor keeps off it)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_task") as batch:
        batch.add_column(sa.Column("excluded_actors", sa.String(300), nullable=False, server_default=""))
    op.create_table(
        "reward_application",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("certification_case.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("filed_by", sa.String(60), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_count", sa.Integer(), nullable=False),
        sa.Column("placed_persons", sa.Numeric(12, 4), nullable=False),
        sa.Column("quota_persons", sa.Integer(), nullable=False),
        sa.Column("over_persons", sa.Numeric(12, 4), nullable=False),
        sa.Column("coefficient", sa.Numeric(8, 4), nullable=False),
        sa.Column("base_amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("payee_name", sa.String(100), nullable=False),
        sa.Column("payee_account", sa.String(40), nullable=False),
        sa.Column("payee_bank", sa.String(100), nullable=False),
        sa.Column("attachment_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instance.id"), nullable=True),
        sa.Column("certificate_id", sa.Integer(), sa.ForeignKey("issued_certificate.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("unit_id", "year", name=op.f("uq_reward_application_unit_id")),
    )
    op.create_index(op.f("ix_reward_application_unit_id"), "reward_application", ["unit_id"])
    op.create_index(op.f("ix_reward_application_region_code"), "reward_application", ["region_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_reward_application_region_code"), table_name="reward_application")
    op.drop_index(op.f("ix_reward_application_unit_id"), table_name="reward_application")
    op.drop_table("reward_application")
    with op.batch_alter_table("inbox_task") as batch:
        batch.drop_column("excluded_actors")
