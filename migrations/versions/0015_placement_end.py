"""单位注销安置登记: the placement_end table and a placement's end (ended_from_month, end_reason)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("placement") as batch:
        batch.add_column(sa.Column("ended_from_month", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("end_reason", sa.String(20), nullable=False, server_default=""))
    op.create_table(
        "placement_end",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("certification_case.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("placement_id", sa.Integer(), sa.ForeignKey("placement.id"), nullable=True),
        sa.Column("person_name", sa.String(50), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("from_month", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("attachment_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("open_key", sa.String(40), nullable=True),
        sa.Column("months_removed", sa.JSON(), nullable=False),
        sa.Column("tax_corrected", sa.Boolean(), nullable=False),
        sa.Column("filed_by", sa.String(60), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instance.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("open_key", name=op.f("uq_placement_end_open_key")),
    )
    op.create_index(op.f("ix_placement_end_unit_id"), "placement_end", ["unit_id"])
    op.create_index(op.f("ix_placement_end_case_id"), "placement_end", ["case_id"])
    op.create_index(op.f("ix_placement_end_region_code"), "placement_end", ["region_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_placement_end_region_code"), table_name="placement_end")
    op.drop_index(op.f("ix_placement_end_case_id"), table_name="placement_end")
    op.drop_index(op.f("ix_placement_end_unit_id"), table_name="placement_end")
    op.drop_table("placement_end")
    with op.batch_alter_table("placement") as batch:
        batch.drop_column("end_reason")
        batch.drop_column("ended_from_month")
