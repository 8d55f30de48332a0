"""drop app_user.failed_logins and app_user.locked_until (lockout is in login_guard)

The per-account lock let anyone lock an employer out with its public credit code; since
0002 failures are throttled per (login, address) in the login_guard table and these two
columns are neither read nor written.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite rebuilds the table to drop a column; PostgreSQL alters it in place
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade() -> None:
    # existing rows get 0 (server default, needed for NOT NULL), then the default goes as in 0001
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.alter_column('failed_logins', server_default=None)
