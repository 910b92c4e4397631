"""Performance at province scale (issue #10): queue indexes chosen from EXPLAIN plans on SQLite and
PostgreSQL at 100,000 applications (the plans are kept in bench/README.md).

Each scope (bureau, department, enterprise) gets one index that leads with the scope column, continues
with the queue's keyset order (status_changed_at, id) and ends with the columns the tab counts read, so
pages are index ranges without a sort and the counts read the index alone. The single-column scope
indexes become redundant prefixes and are dropped. The 待初审/待签批 index gains the keyset order, and
the certificate list/export gets a partial index in its own order.

Revision ID: 0009
Revises: 0006
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0010'
branch_labels = None
depends_on = None

SCOPE_INDEXES = {
    'ix_applications_bureau_queue': [
        'bureau_id', 'status_changed_at', 'id', 'reached_level', 'status', 'current_org_id', 'awaiting'
    ],
    'ix_applications_department_queue': [
        'department_id', 'status_changed_at', 'id', 'reached_level', 'status', 'current_org_id', 'awaiting'
    ],
    'ix_applications_enterprise_queue': [
        'enterprise_id', 'status_changed_at', 'id', 'status', 'current_org_id', 'awaiting'
    ],
}


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        for name, columns in SCOPE_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
        batch_op.drop_index('ix_applications_bureau_id')
        batch_op.drop_index('ix_applications_department_id')
        batch_op.drop_index('ix_applications_enterprise_id')
        batch_op.drop_index('ix_applications_queue')
        batch_op.create_index(
            'ix_applications_queue', ['current_org_id', 'awaiting', 'status_changed_at', 'id'], unique=False
        )
        batch_op.create_index(
            'ix_applications_certificates', ['bureau_id', 'certified_at', 'id'], unique=False,
            sqlite_where=sa.text('certificate_no IS NOT NULL'),
            postgresql_where=sa.text('certificate_no IS NOT NULL'),
        )


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_certificates')
        batch_op.drop_index('ix_applications_queue')
        batch_op.create_index('ix_applications_queue', ['current_org_id', 'awaiting', 'status'], unique=False)
        batch_op.create_index('ix_applications_enterprise_id', ['enterprise_id'], unique=False)
        batch_op.create_index('ix_applications_department_id', ['department_id'], unique=False)
        batch_op.create_index('ix_applications_bureau_id', ['bureau_id'], unique=False)
        for name in SCOPE_INDEXES:
            batch_op.drop_index(name)
