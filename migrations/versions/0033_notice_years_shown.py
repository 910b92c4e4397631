"""The 公示表's 专业工作年限 fixed at publication (CUT-06): notice_entries.years_shown holds the figure the
eligibility check counted when the notice was published, so the posted sheet reads as it was posted and its
public page counts nothing per row. NULL for drafts and for notices published before this column (their
sheet counts the years when shown, as before).

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-05 12:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notice_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('years_shown', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('notice_entries', schema=None) as batch_op:
        batch_op.drop_column('years_shown')
