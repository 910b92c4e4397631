"""The audit viewer lists events newest first by their time (not by id: the recorded time need not follow
the order rows were written), paging on (at, id): an index on those two walks it as the primary key walked
the old order.

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-06 19:15:00

"""
from alembic import op


revision = '0044'
down_revision = '0043'
branch_labels = None
depends_on = None


def upgrade():
    # A plain CREATE INDEX, not a batch: SQLite's batch could copy the table, and audit_events carries the
    # triggers refusing UPDATE and DELETE (0006).
    op.create_index('ix_audit_events_at', 'audit_events', ['at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_audit_events_at', table_name='audit_events')
