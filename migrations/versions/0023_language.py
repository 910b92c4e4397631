"""The interface language each user chose (issue 24): users.language, a Babel locale identifier of
portal.domain.i18n.Language or NULL (none chosen: the cookie and Accept-Language decide).

Revision ID: 0023
Revises: 0025
Create Date: 2026-12-14 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0025'
branch_labels = None
depends_on = None

# The values of portal.domain.i18n.Language when this migration was written (a migration never imports
# the app's enums: they may change after it).
LANGUAGES = ('zh_Hans_CN', 'en')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
        batch_op.create_check_constraint(
            'language',
            'language IS NULL OR language IN (' + ', '.join(f"'{value}'" for value in LANGUAGES) + ')',
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_language'), type_='check')
        batch_op.drop_column('language')
