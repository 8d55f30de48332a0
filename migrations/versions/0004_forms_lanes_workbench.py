"""forms by key and the workbench: lane table, task form settings, integer case/subject
keys on instances and inbox rows, task assignment, the decision history

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

DEFAULT_LANES = [
    ("用人单位", "employer", False),
    ("残联业务人员", "reviewer", True),
    ("业务主管", "supervisor", True),
    ("系统", "system", False),
]


def _ref_id(prefix: str, column: str) -> str:
    """SQL: the number after `prefix` in a 'kind:123' reference (SQLite and PostgreSQL)."""
    return f"CAST(substr({column}, {len(prefix) + 1}) AS INTEGER)"


def upgrade() -> None:
    lanes = op.create_table('lane_role',
    sa.Column('lane', sa.String(length=50), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('staff', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('lane', name=op.f('pk_lane_role'))
    )
    op.bulk_insert(lanes, [{"lane": lane, "role": role, "staff": staff} for lane, role, staff in DEFAULT_LANES])

    op.create_table('decision_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('subject_ref', sa.String(length=100), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('step', sa.String(length=200), nullable=False),
    sa.Column('form', sa.String(length=100), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('outcome_label', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.Column('attachment_ids', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=60), nullable=False),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['certification_case.id'], name=op.f('fk_decision_record_case_id_certification_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_record'))
    )
    with op.batch_alter_table('decision_record', schema=None) as batch_op:
        batch_op.create_index('ix_decision_record_case', ['case_id', 'at'], unique=False)

    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('case_label', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('subject_label', sa.String(length=300), nullable=False, server_default=''))
    with op.batch_alter_table('inbox_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('props', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('case_label', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('subject_label', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('assignee', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_inbox_task_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_task_assignee'), ['assignee'], unique=False)
    with op.batch_alter_table('inbox_task', schema=None) as batch_op:
        batch_op.alter_column('props', server_default=None)
        batch_op.alter_column('case_label', server_default=None)
        batch_op.alter_column('subject_label', server_default=None)
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.alter_column('case_label', server_default=None)
        batch_op.alter_column('subject_label', server_default=None)
    with op.batch_alter_table('task_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_event_task_id'), ['task_id'], unique=False)

    # the integer keys of rows written before: from their 'case:12' / 'placement:7' refs;
    # then the search labels from the unit and the person
    for table in ("process_instance", "inbox_task"):
        op.execute(f"UPDATE {table} SET case_id = {_ref_id('case:', 'case_ref')} WHERE case_ref LIKE 'case:%'")
        for kind in ("placement:", "unit:"):
            op.execute(f"UPDATE {table} SET subject_id = {_ref_id(kind, 'subject_ref')} WHERE subject_ref LIKE '{kind}%'")
        op.execute(
            f"UPDATE {table} SET case_label = (SELECT unit.name || ' ' || unit.credit_code FROM certification_case"
            f" JOIN unit ON unit.id = certification_case.unit_id WHERE certification_case.id = {table}.case_id)"
            " WHERE case_id IS NOT NULL"
        )
        op.execute(
            f"UPDATE {table} SET subject_label = (SELECT placement.name || ' ' || placement.id_number FROM placement"
            f" WHERE placement.id = {table}.subject_id) WHERE subject_ref LIKE 'placement:%'"
        )


def downgrade() -> None:
    with op.batch_alter_table('task_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_event_task_id'))
    with op.batch_alter_table('inbox_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_task_assignee'))
        batch_op.drop_index(batch_op.f('ix_inbox_task_case_id'))
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('assignee')
        batch_op.drop_column('subject_id')
        batch_op.drop_column('case_id')
        batch_op.drop_column('props')
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_column('subject_id')
        batch_op.drop_column('case_id')
    with op.batch_alter_table('decision_record', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_record_case')
    op.drop_table('decision_record')
    op.drop_table('lane_role')
