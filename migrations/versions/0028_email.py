"""E-mail that goes out (issue 21 point 6): users.email_verified_at (an address gets notices only once its
owner opened the signed link) and email_opt_outs, the topics of notices a person switched off.

Addresses stored before this revision were never verified: they stay, unverified, and their owners are
asked to verify them on the account's e-mail page before anything is mailed.

Revision ID: 0028
Revises: 0021
Create Date: 2026-12-04 20:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0028'
down_revision = '0021'
branch_labels = None
depends_on = None

# The values of portal.domain.mail.EmailTopic when this migration was written.
TOPICS = ('corrections', 'decisions', 'progress', 'work', 'staff')


def upgrade():
    # A nullable column: SQLite adds it in place (ALTER TABLE ADD COLUMN), no table copy, triggers kept.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(), nullable=True))
    op.create_table(
        'email_opt_outs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            'topic IN (' + ', '.join(f"'{value}'" for value in TOPICS) + ')', name=op.f('ck_email_opt_outs_topic')
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_email_opt_outs_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_email_opt_outs')),
        sa.UniqueConstraint('user_id', 'topic', name=op.f('uq_email_opt_outs_user_id')),
    )
    with op.batch_alter_table('email_opt_outs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_opt_outs_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('email_opt_outs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_opt_outs_user_id'))
    op.drop_table('email_opt_outs')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
