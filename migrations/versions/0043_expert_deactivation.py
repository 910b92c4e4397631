"""A committee office takes an expert out of its pool (停用评审专家) with a reason, and may restore them:
experts gain who deactivated them, when and why. The column ``active`` was already there; no service set it
False before, so existing rows are active and NULL and '' are right for them.

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-06 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deactivated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('deactivation_reason', sa.String(length=500), nullable=False, server_default='')
        )
        batch_op.create_check_constraint('deactivation_reason_length', 'length(deactivation_reason) <= 500')
        batch_op.create_foreign_key(
            batch_op.f('fk_experts_deactivated_by_id_users'), 'users', ['deactivated_by_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_experts_deactivated_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(op.f('ck_experts_deactivation_reason_length'), type_='check')
        batch_op.drop_column('deactivation_reason')
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('deactivated_by_id')
