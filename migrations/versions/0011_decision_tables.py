"""决策表: a process version carries its DMN document (the decision tables its
business-rule tasks call), so a running case keeps the rules it started with

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("spec_version") as batch:
        batch.add_column(sa.Column("dmn_xml", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("spec_version") as batch:
        batch.drop_column("dmn_xml")
