"""窗口受理 (浙江 收受分离): the window_acceptance table and the 窗口受理人员 lane

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

LANE, ROLE = "窗口受理人员", "window_clerk"


def _lanes():
    return sa.table("lane_role", sa.column("lane", sa.String), sa.column("role", sa.String), sa.column("staff", sa.Boolean))


def upgrade() -> None:
    op.create_table(
        "window_acceptance",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("certification_case.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("window_region", sa.String(6), nullable=False),
        sa.Column("unit_region", sa.String(6), nullable=False),
        sa.Column("received_by", sa.String(60), nullable=False),
        sa.Column("received_by_name", sa.String(100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("immediate", sa.Boolean(), nullable=False),
        sa.Column("deferral_reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("accepted_by", sa.String(60), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_window_acceptance_case", "window_acceptance", ["case_id", "received_at"])
    op.create_index("ix_window_acceptance_window", "window_acceptance", ["window_region", "received_at"])
    # the lane every database knows (engine.lanes.DEFAULT_LANES), unless an administrator
    # already mapped the name to a role of their own
    lanes = _lanes()
    known = op.get_bind().execute(sa.select(lanes.c.lane).where(lanes.c.lane == LANE)).first()
    if known is None:
        op.bulk_insert(lanes, [{"lane": LANE, "role": ROLE, "staff": True}])


def downgrade() -> None:
    lanes = _lanes()
    op.execute(lanes.delete().where(lanes.c.lane == LANE, lanes.c.role == ROLE))
    op.drop_index("ix_window_acceptance_window", table_name="window_acceptance")
    op.drop_index("ix_window_acceptance_case", table_name="window_acceptance")
    op.drop_table("window_acceptance")
