"""The statistics page (审核统计) reads the scope index alone.

It counts the organisation's applications by status and road, series, level, enterprise and batch: one
GROUP BY each. The scope indexes (0009, 0013, 0038) held all of these but the level and the committee (the
road a certificate came by), so those two GROUP BYs read every row from the table: for the largest bureau
at 100,000 applications, 33,201 random reads each. Ending each scope index with level and committee_id
makes every count an index-only scan (SQLite "COVERING INDEX", PostgreSQL "Index Only Scan"); the queue's
keyset order and counts keep the same leading columns, and its 工程/中级 filter reads the level there too.

Plain CREATE/DROP INDEX (no batch): on SQLite a batch could copy applications and lose its triggers and
partial indexes.

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-07 08:00:00

"""
from alembic import op


revision = '0046'
down_revision = '0045'
branch_labels = None
depends_on = None

BEFORE = {
    'ix_applications_bureau_queue': [
        'bureau_id', 'status_changed_at', 'id', 'reached_level', 'status', 'current_org_id', 'awaiting',
        'series', 'batch_id', 'enterprise_id', 'batch_name',
    ],
    'ix_applications_department_queue': [
        'department_id', 'status_changed_at', 'id', 'reached_level', 'status', 'current_org_id', 'awaiting',
        'series', 'batch_id', 'enterprise_id', 'batch_name',
    ],
    'ix_applications_enterprise_queue': [
        'enterprise_id', 'status_changed_at', 'id', 'status', 'current_org_id', 'awaiting', 'series',
        'batch_id', 'batch_name',
    ],
}


def _recreate(indexes):
    for name, columns in indexes.items():
        op.drop_index(name, table_name='applications')
        op.create_index(name, 'applications', columns, unique=False)


def upgrade():
    _recreate({name: columns + ['level', 'committee_id'] for name, columns in BEFORE.items()})


def downgrade():
    _recreate(BEFORE)
