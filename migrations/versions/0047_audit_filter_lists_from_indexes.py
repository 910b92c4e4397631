"""The audit viewer's filter lists (the actions and kinds of object in the admin's tree) read two indexes,
and its list filtered by one action a third.

They were a DISTINCT over the viewer's scope — an OR of the acting organisation, the actor's employer
(a join per row) and the actor-less rows' objects — evaluated on every row of the trail, every bureau's:
at a million events 2.6 s and 9.2 s for the two lists on each load of the page. Read now as a UNION of
the scope's branches (services/audit_trail.filter_options), each from the tree's own entries of an index
ending with (action, object_type): by the acting organisation, and by the actor (those employed in the
tree or registered with it, and the actor-less rows).

The list filtered by one action walked the whole trail newest first until 51 rows of that action turned
up — every row for a rare one (1.6–3.3 s at a million events for an action of none): (action, at, id)
walks that action's entries in the list's order.

Plain CREATE INDEX on SQLite, not a batch: SQLite's batch could copy the table, and audit_events carries
the triggers refusing UPDATE and DELETE (0006). On PostgreSQL CREATE INDEX CONCURRENTLY, outside the
migration's transaction, so the trail stays writable while its indexes are built.

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-07 10:30:00

"""
from alembic import op


revision = '0047'
down_revision = '0046'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_audit_events_org_kinds': ['org_id', 'action', 'object_type'],
    'ix_audit_events_actor_kinds': ['actor_id', 'action', 'object_type'],
    'ix_audit_events_action_at': ['action', 'at', 'id'],
}


def _postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    if _postgresql():
        # CONCURRENTLY: a plain CREATE INDEX holds off every write to audit_events — every login, upload and
        # step records one — for as long as it reads the trail (seconds to minutes at a province's millions).
        # It cannot run inside a transaction, hence the autocommit block.
        with op.get_context().autocommit_block():
            for name, columns in INDEXES.items():
                op.create_index(name, 'audit_events', columns, unique=False, postgresql_concurrently=True)
        return
    for name, columns in INDEXES.items():
        op.create_index(name, 'audit_events', columns, unique=False)


def downgrade():
    if _postgresql():
        with op.get_context().autocommit_block():
            for name in INDEXES:
                op.drop_index(name, table_name='audit_events', postgresql_concurrently=True)
        return
    for name in INDEXES:
        op.drop_index(name, table_name='audit_events')
