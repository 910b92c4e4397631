"""Applicants who register their own account (ACC-04, Kunming 004 一(二)): users.registered_with_id names
the bureau whose profile allowed it (NULL for accounts staff opened). Such an account without an employer
waits for its unit's HR, who attach it instead of opening a second one.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05 11:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_with_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_users_registered_with_id_organisations'), 'organisations', ['registered_with_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_registered_with_id_organisations'), type_='foreignkey')
        batch_op.drop_column('registered_with_id')
