"""Every state held to its enum (issue 18, item 4): an application's `awaiting` (whose move it is) and
`returned_from` (the stage a return resumes at) get the CHECK constraints every other state column has.

The other state columns (corrections, import batches, notices, their entries and objections, transfers,
audit outcomes) already had theirs; their values are now StrEnums whose titles live in the glossary.

On SQLite the table is rebuilt (batch mode); its one partial index is dropped first and made again after,
so its WHERE clause is not lost in the copy.

Revision ID: 0019
Revises: 0011
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0011'
branch_labels = None
depends_on = None

OPEN = "status NOT IN ('abandoned', 'certified', 'rejected', 'withdrawn')"
AWAITING = "awaiting IS NULL OR awaiting IN ('applicant', 'handler', 'leader')"
RETURNED_FROM = (
    "returned_from IS NULL OR returned_from IN ('bureau_review', 'dept_review', 'submitted', 'unit_review')"
)


def _drop_partial_index():
    op.drop_index('uq_applications_open_per_person', table_name='applications')


def _create_partial_index():
    op.create_index(
        'uq_applications_open_per_person',
        'applications',
        ['applicant_id', 'series', 'level'],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def upgrade():
    _drop_partial_index()
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_check_constraint('awaiting', AWAITING)
        batch_op.create_check_constraint('returned_from', RETURNED_FROM)
    _create_partial_index()


def downgrade():
    _drop_partial_index()
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_applications_returned_from'), type_='check')
        batch_op.drop_constraint(op.f('ck_applications_awaiting'), type_='check')
    _create_partial_index()
