"""Change counters (issue 20): a per-organisation version bumped by every write to its applications, so
an unchanged queue poll answers 304 from one indexed read.

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-04 13:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('versions',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_versions_value_not_negative')),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_versions'))
    )


def downgrade():
    op.drop_table('versions')
