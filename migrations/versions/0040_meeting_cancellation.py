"""A review meeting planned by mistake (a wrong date, a duplicate) can be cancelled by the committee office
before it is filed with the bureau: meetings gain the status 'cancelled' (the CHECK rebuilt on both
engines, SQLite by batch copy) and who cancelled it, when and why. Existing meetings were never cancelled:
NULL and '' are right for them.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-06 09:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None

STATUSES_BEFORE = ('planned', 'filed', 'accepted', 'refused', 'voting', 'tallied', 'confirmed', 'published')
STATUSES_AFTER = STATUSES_BEFORE + ('cancelled',)


def _statuses(statuses):
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_meetings_status'), type_='check')
        batch_op.create_check_constraint('status', _statuses(STATUSES_AFTER))
        batch_op.add_column(sa.Column('cancelled_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('cancel_reason', sa.String(length=500), nullable=False, server_default='')
        )
        batch_op.create_check_constraint('cancel_reason_length', 'length(cancel_reason) <= 500')
        batch_op.create_foreign_key(
            batch_op.f('fk_meetings_cancelled_by_id_users'), 'users', ['cancelled_by_id'], ['id']
        )


def downgrade():
    # A cancelled meeting has no state before this revision: it goes back to being prepared (its agenda
    # and panel were released when it was cancelled).
    op.execute("UPDATE meetings SET status = 'planned' WHERE status = 'cancelled'")
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meetings_cancelled_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(op.f('ck_meetings_cancel_reason_length'), type_='check')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('cancelled_by_id')
        batch_op.drop_constraint(op.f('ck_meetings_status'), type_='check')
        batch_op.create_check_constraint('status', _statuses(STATUSES_BEFORE))
