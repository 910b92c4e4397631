"""The queue's filter options read the scope index alone (issue #10).

The full queue page offers the series, batches and enterprises an organisation sees: one DISTINCT over
its applications. The scope indexes of 0009 ended with what the tab counts read, so that DISTINCT still
fetched every row from the table (~33,000 random reads for the largest bureau at 100,000 applications;
about half the page's time on SQLite). Ending each scope index with series, batch_id and enterprise_id
makes it an index-only scan (SQLite "COVERING INDEX", PostgreSQL "Index Only Scan"); the keyset order
and the counts keep using the same leading columns.

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-02 07:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0009'
branch_labels = None
depends_on = None

BEFORE = {
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
OPTIONS = ['series', 'batch_id', 'enterprise_id']


def _recreate(indexes: dict[str, list[str]]) -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        for name, columns in indexes.items():
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False)


def upgrade():
    _recreate({name: columns + [c for c in OPTIONS if c not in columns] for name, columns in BEFORE.items()})


def downgrade():
    _recreate(BEFORE)
