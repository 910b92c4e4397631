"""What a new user trips over (issue 17): one-time tokens of the public forms (17.2: a replayed or
double-clicked objection makes one record, the token's uniqueness enforced here), and length limits on
free text in the database as in the models and forms (17.5).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-10 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


# 17.5: every free-text column has a maximum the database enforces (portal.domain.text.LIMITS): VARCHAR(n)
# on PostgreSQL and a CHECK on length() that SQLite enforces too. (table, column, limit, nullable).
BOUNDED = [
    ('account_transfers', 'reason', 500, False),
    ('account_transfers', 'decision_note', 500, False),
    ('applications', 'warnings_acknowledgement', 2000, False),
    ('applications', 'work_summary', 4000, False),
    ('applications', 'achievements', 4000, False),
    ('applications', 'certificate_revoked_reason', 500, False),
    ('integrity_records', 'reason', 500, False),
    ('endorsements', 'revoke_reason', 500, False),
    ('notice_entries', 'outcome_note', 2000, False),
    ('objections', 'text', 2000, False),
    ('objections', 'handling', 2000, False),
    ('paper_items', 'remark', 500, False),
    ('policy_windows', 'note', 500, False),
    ('correction_items', 'reason', 500, False),
]


def _tables():
    tables = {}
    for table, column, limit, nullable in BOUNDED:
        tables.setdefault(table, []).append((column, limit, nullable))
    return tables


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
        batch.create_check_constraint(op.f('ck_correction_items_response_length'), 'length(response) <= 500')
    for table, columns in _tables().items():
        with op.batch_alter_table(table) as batch:
            for column, limit, nullable in columns:
                batch.alter_column(
                    column, type_=sa.String(length=limit), existing_type=sa.Text(), existing_nullable=nullable
                )
                batch.create_check_constraint(
                    op.f(f'ck_{table}_{column}_length'), f'length({column}) <= {limit}'
                )


def downgrade():
    for table, columns in _tables().items():
        with op.batch_alter_table(table) as batch:
            for column, limit, nullable in columns:
                batch.drop_constraint(op.f(f'ck_{table}_{column}_length'), type_='check')
                batch.alter_column(
                    column, type_=sa.Text(), existing_type=sa.String(length=limit), existing_nullable=nullable
                )
    with op.batch_alter_table('correction_items') as batch:
        batch.drop_constraint(op.f('ck_correction_items_response_length'), type_='check')
        batch.drop_column('response')
    op.drop_table('form_submissions')
