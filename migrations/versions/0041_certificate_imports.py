"""The province's certificate-number sheet of a meeting (issue 22.6) gets a row of its own,
certificate_imports: which meeting a kept file was checked for, who uploaded it, and who applied it and
when. The upload's POST now redirects to a preview page (a GET that re-reads the file), so the browser's
Back and reload no longer post the file again; the row lets that page, and the apply, open a file only
through its own meeting. A new table: no existing row changes.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-06 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'certificate_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('applied_by_id', sa.Integer(), nullable=True),
        sa.Column('applied_at', sa.DateTime(), nullable=True),
        sa.Column('applied_rows', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_certificate_imports_meeting_id_meetings')),
        sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_certificate_imports_file_id_stored_files')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_certificate_imports_created_by_id_users')),
        sa.ForeignKeyConstraint(['applied_by_id'], ['users.id'], name=op.f('fk_certificate_imports_applied_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_imports')),
        sa.UniqueConstraint('file_id', name=op.f('uq_certificate_imports_file_id')),
    )
    with op.batch_alter_table('certificate_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_imports_meeting_id'), ['meeting_id'], unique=False)


def downgrade():
    with op.batch_alter_table('certificate_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_imports_meeting_id'))
    op.drop_table('certificate_imports')
