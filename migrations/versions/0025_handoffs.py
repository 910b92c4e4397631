"""Hand-offs to the provincial systems (issue 23): the parts of a hand-off export built so far (one per
application, so a job cut short resumes where it stopped), the results spreadsheets imported back and the
provincial certificate number or result recorded per application; the hand-off export job kind.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-10 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

KINDS_BEFORE = ('package_batch', 'certificate_export', 'account_import', 'close_notices', 'corrections',
                'sweep', 'email')
KINDS_AFTER = ('package_batch', 'certificate_export', 'account_import', 'handoff_export', 'close_notices',
               'corrections', 'sweep', 'email')


def _kinds(kinds):
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_jobs_kind'), type_='check')
        batch_op.create_check_constraint('kind', _kinds(KINDS_AFTER))

    op.create_table('handoff_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_handoff_parts_application_id_applications')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_handoff_parts_file_id_stored_files')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_handoff_parts_job_id_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_parts')),
    sa.UniqueConstraint('job_id', 'application_id', name='uq_handoff_parts_job_application')
    )
    with op.batch_alter_table('handoff_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_parts_job_id'), ['job_id'], unique=False)

    op.create_table('handoff_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=10), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('matched_rows', sa.Integer(), nullable=False),
    sa.Column('applied_rows', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('applied_by_id', sa.Integer(), nullable=True),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('checked', 'applied')", name=op.f('ck_handoff_imports_status')),
    sa.ForeignKeyConstraint(['applied_by_id'], ['users.id'], name=op.f('fk_handoff_imports_applied_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_handoff_imports_created_by_id_users')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_handoff_imports_file_id_stored_files')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_handoff_imports_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_imports'))
    )
    with op.batch_alter_table('handoff_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_imports_org_id'), ['org_id'], unique=False)

    op.create_table('handoff_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('certificate_no', sa.String(length=60), nullable=True),
    sa.Column('certified_on', sa.Date(), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("outcome IN ('passed', 'failed')", name=op.f('ck_handoff_results_outcome')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_handoff_results_application_id_applications')),
    sa.ForeignKeyConstraint(['import_id'], ['handoff_imports.id'], name=op.f('fk_handoff_results_import_id_handoff_imports')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_handoff_results_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_results')),
    sa.UniqueConstraint('application_id', 'target', name='uq_handoff_results_application_target')
    )
    with op.batch_alter_table('handoff_results', schema=None) as batch_op:
        batch_op.create_index('uq_handoff_results_target_number', ['target', 'certificate_no'], unique=True)


def downgrade():
    with op.batch_alter_table('handoff_results', schema=None) as batch_op:
        batch_op.drop_index('uq_handoff_results_target_number')
    op.drop_table('handoff_results')
    with op.batch_alter_table('handoff_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_imports_org_id'))
    op.drop_table('handoff_imports')
    with op.batch_alter_table('handoff_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_parts_job_id'))
    op.drop_table('handoff_parts')
    op.execute("DELETE FROM jobs WHERE kind = 'handoff_export'")
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_jobs_kind'), type_='check')
        batch_op.create_check_constraint('kind', _kinds(KINDS_BEFORE))
