"""安置残疾大学生申请: the graduate_subsidy table

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-12 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "graduate_subsidy",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("certification_case.id"), nullable=False),
        sa.Column("placement_id", sa.Integer(), sa.ForeignKey("placement.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("person_name", sa.String(50), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("school", sa.String(100), nullable=False),
        sa.Column("major", sa.String(100), nullable=False),
        sa.Column("education", sa.String(20), nullable=False),
        sa.Column("degree", sa.String(10), nullable=False),
        sa.Column("graduated_on", sa.Date(), nullable=False),
        sa.Column("diploma_no", sa.String(40), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("standard", sa.Numeric(14, 2), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("attachment_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("filed_by", sa.String(60), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instance.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("placement_id", "year", name=op.f("uq_graduate_subsidy_placement_id")),
    )
    op.create_index(op.f("ix_graduate_subsidy_unit_id"), "graduate_subsidy", ["unit_id"])
    op.create_index(op.f("ix_graduate_subsidy_region_code"), "graduate_subsidy", ["region_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_graduate_subsidy_region_code"), table_name="graduate_subsidy")
    op.drop_index(op.f("ix_graduate_subsidy_unit_id"), table_name="graduate_subsidy")
    op.drop_table("graduate_subsidy")
