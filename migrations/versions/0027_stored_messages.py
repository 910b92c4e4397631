"""Messages kept in the database in each reader's language (issue 24): an inbox notification and a job's
progress message keep their msgid and parameters (portal.domain.i18n.to_record) beside the Chinese text,
so the English interface translates them when it shows them. NULL on the rows written before: those are
shown as they were stored, marked as Chinese.

Revision ID: 0027
Revises: 0023
Create Date: 2026-12-04 17:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    # add_column alone (no batch rebuild): neither table carries 0014's triggers, and SQLite adds a
    # nullable column in place.
    op.add_column('notifications', sa.Column('message_record', sa.JSON(), nullable=True))
    op.add_column('jobs', sa.Column('message_record', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('message_record')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('message_record')
