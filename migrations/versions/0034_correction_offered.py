"""What a return could name when it was made (REV-03, 一次性告知): corrections.offered holds the keys its
form offered (sections, fields, the rows and the material slots the checklist showed then), so a later
return by the same organisation is warned only about items this one could have listed; a slot that became
required afterwards (a changed education row asking for a new certificate) is a fair new finding. NULL on
returns made before this column: their material slots are not taken as listable then (unknown), the rest
as before.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-05 14:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offered', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.drop_column('offered')
