"""What a new user trips over (issue 17): one-time tokens of the public forms (17.2: a replayed or
double-clicked objection makes one record, the token's uniqueness enforced here), and length limits on
free text in the database as in the models and forms (17.5).

Revision ID: 0018
Revises: 0011
Create Date: 2026-12-10 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_submissions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=40), nullable=False),
        sa.Column('object_type', sa.String(length=40), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_form_submissions')),
        sa.UniqueConstraint('token', name=op.f('uq_form_submissions_token')),
    )
    # 17.1: the applicant's reason for leaving a returned item as it is.
    with op.batch_alter_table('correction_items') as batch:
        batch.add_column(sa.Column('response', sa.String(length=500), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('correction_items') as batch:
        batch.drop_column('response')
    op.drop_table('form_submissions')
