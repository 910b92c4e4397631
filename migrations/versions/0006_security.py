"""Security: the audit hash chain, append-only audit triggers, and growing lockouts.

- audit_events.chain_seq (unique) and chain_hash: each sealed row carries SHA-256 of the previous hash
  and its canonical form (portal/domain/auditchain.py); existing rows are chained here in id order.
- triggers refuse DELETE (and TRUNCATE on PostgreSQL) of audit rows and any UPDATE of a sealed row, on
  SQLite and PostgreSQL alike (the only UPDATE the app makes is sealing its own new rows before commit).
- users.lockouts: consecutive lockouts, so each lock lasts twice as long as the one before.

Revision ID: 0006
Revises: 0008
Create Date: 2026-11-22 04:21:29.649761

"""

import sqlalchemy as sa
from alembic import op

from portal.domain import auditchain
from portal.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0008'
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
    """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
       WHEN OLD.chain_seq IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
)
_PG_TRIGGERS = (
    """CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL THEN RETURN NEW; END IF;
         RAISE EXCEPTION 'audit_events is append-only';
       END $$""",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
       FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
       FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
)


def _chain_existing_rows():
    audit = sa.table(
        'audit_events',
        *(sa.column(name) for name in auditchain.FIELDS if name not in {'at', 'detail'}),
        sa.column('at', UTCDateTime()),
        sa.column('detail', sa.JSON()),
        sa.column('chain_seq', sa.Integer()),
        sa.column('chain_hash', sa.String()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(*(audit.c[name] for name in auditchain.FIELDS)).order_by(audit.c.id))
    previous = auditchain.GENESIS
    for seq, row in enumerate(list(rows), start=1):
        fields = dict(zip(auditchain.FIELDS, row, strict=True))
        previous = auditchain.link(previous, seq, fields)
        bind.execute(
            audit.update().where(audit.c.id == fields['id']).values(chain_seq=seq, chain_hash=previous)
        )


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('chain_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_chain_seq'), ['chain_seq'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lockouts', sa.Integer(), nullable=False, server_default='0'))

    _chain_existing_rows()
    # After the batch operations: on SQLite they rebuild the table, which would drop the triggers.
    for statement in _PG_TRIGGERS if op.get_bind().dialect.name == 'postgresql' else _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_events_no_truncate ON audit_events')
        op.execute('DROP TRIGGER audit_events_append_only ON audit_events')
        op.execute('DROP FUNCTION audit_events_append_only()')
    else:
        op.execute('DROP TRIGGER audit_events_no_update')
        op.execute('DROP TRIGGER audit_events_no_delete')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('lockouts')

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_chain_seq'), type_='unique')
        batch_op.drop_column('chain_hash')
        batch_op.drop_column('chain_seq')
