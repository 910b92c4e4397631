"""The batch's name kept on the application (issue: last year's batches showed as their id):
applications.batch_name holds what the batch was called when the application was submitted into it
("2025年第四批"), so the pages name it after the bureau's profile stops holding the id (a new year's
file, an admin's window since deleted). The profile's current name still comes first while it holds the
id. NULL on the rows submitted before this column: computing the names here would mean loading the
policy files and each bureau's windows at migration time, so those rows keep showing the id.

The scope indexes end with batch_name too, so the queue's filter options (one DISTINCT over series,
batch, its name and enterprise) still read the index alone (SQLite "COVERING INDEX", PostgreSQL
"Index Only Scan"), as migration 0013 made them.

On SQLite adding a column and remaking indexes needs no rebuild of applications (its triggers and
partial indexes stay); the downgrade drops the column with ALTER TABLE (SQLite 3.35+) for the same reason.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-05 23:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None

BEFORE = {
    'ix_applications_bureau_queue': [
        'bureau_id', 'status_changed_at', 'id', 'reached_level', 'status', 'current_org_id', 'awaiting',
        'series', 'batch_id', 'enterprise_id',
    ],
    'ix_applications_department_queue': [
        'department_id', 'status_changed_at', 'id', 'reached_level', 'status', 'current_org_id', 'awaiting',
        'series', 'batch_id', 'enterprise_id',
    ],
    'ix_applications_enterprise_queue': [
        'enterprise_id', 'status_changed_at', 'id', 'status', 'current_org_id', 'awaiting', 'series',
        'batch_id',
    ],
}


def _recreate(indexes: dict[str, list[str]]) -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        for name, columns in indexes.items():
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False)


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_name', sa.String(length=120), nullable=True))
    _recreate({name: columns + ['batch_name'] for name, columns in BEFORE.items()})


def downgrade():
    _recreate(BEFORE)
    # Not in batch mode: on SQLite that would copy the table and lose its triggers and partial indexes.
    op.drop_column('applications', 'batch_name')
