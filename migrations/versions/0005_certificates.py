"""审核认定书 as issued: one row per version, with the facts printed on it, the public
verification token and its status (有效 / 已撤回 / 已被更正)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issued_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_reason', sa.String(length=200), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['certification_case.id'], name=op.f('fk_issued_certificate_case_id_certification_case')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_issued_certificate_unit_id_unit')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['issued_certificate.id'], name=op.f('fk_issued_certificate_superseded_by_id_issued_certificate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_certificate')),
    sa.UniqueConstraint('number', name=op.f('uq_issued_certificate_number')),
    sa.UniqueConstraint('token', name=op.f('uq_issued_certificate_token'))
    )
    with op.batch_alter_table('issued_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_certificate_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('issued_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_certificate_case_id'))
    op.drop_table('issued_certificate')
