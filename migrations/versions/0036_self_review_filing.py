"""A self-review unit's window and its written filing (SCOPE-13, WIN-02 001 一): policy_windows gains
filed_on, filed_with and filing_ref, NULL until the bureau admin records that the unit filed its dates in
writing with the title office of its level; a filing is dated before its window opens. Existing rows are
shared or regional windows, which need no filing: NULL is right for them.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-05 14:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('policy_windows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('filed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('filed_with', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('filing_ref', sa.String(length=200), nullable=True))
        batch_op.create_check_constraint(
            'filed_before_opens',
            'filed_on IS NULL OR (filed_on < opens AND filed_with IS NOT NULL AND filing_ref IS NOT NULL)',
        )


def downgrade():
    with op.batch_alter_table('policy_windows', schema=None) as batch_op:
        batch_op.drop_constraint('filed_before_opens', type_='check')
        batch_op.drop_column('filing_ref')
        batch_op.drop_column('filed_with')
        batch_op.drop_column('filed_on')
