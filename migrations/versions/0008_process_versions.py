"""Process versions: drafts, numbers, who published what and when

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_COLUMNS = (
    sa.Column("number", sa.Integer(), nullable=False, server_default="1"),
    sa.Column("state", sa.String(20), nullable=False, server_default="published"),
    sa.Column("source", sa.String(20), nullable=False, server_default="file"),
    sa.Column("created_by", sa.String(100), nullable=False, server_default=""),
    sa.Column("note", sa.String(500), nullable=False, server_default=""),
    sa.Column("published_by", sa.String(100), nullable=False, server_default=""),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
)


def upgrade() -> None:
    with op.batch_alter_table("spec_version") as batch:
        for column in _COLUMNS:
            batch.add_column(column.copy())
    # the versions loaded so far were all published from files: number them in order
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, process_id, province, created_at FROM spec_version ORDER BY id")).all()
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.process_id, row.province)
        seen[key] = seen.get(key, 0) + 1
        conn.execute(
            sa.text("UPDATE spec_version SET number = :n, published_at = :at WHERE id = :id"),
            {"n": seen[key], "at": row.created_at, "id": row.id},
        )
    with op.batch_alter_table("spec_version") as batch:
        for column in _COLUMNS:
            if column.server_default is not None:
                batch.alter_column(column.name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("spec_version") as batch:
        for column in _COLUMNS:
            batch.drop_column(column.name)
