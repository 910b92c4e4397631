"""A certifying authority's year-end report to the city title office (REP-01, Ganzhou 001 四(七)):
year_end_reports holds, per bureau, profile authority and year, who recorded that the 批复 and the
certificate Excel were sent, and when. A new table: no existing row changes.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-05 18:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'year_end_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('bureau_id', sa.Integer(), nullable=False),
        sa.Column('authority_code', sa.String(length=40), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('reported_by_id', sa.Integer(), nullable=False),
        sa.Column('reported_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_year_end_reports_year_in_range')),
        sa.ForeignKeyConstraint(['bureau_id'], ['organisations.id'], name=op.f('fk_year_end_reports_bureau_id_organisations')),
        sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_year_end_reports_reported_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_year_end_reports')),
        sa.UniqueConstraint('bureau_id', 'authority_code', 'year', name='uq_year_end_reports_authority_year'),
    )
    with op.batch_alter_table('year_end_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_year_end_reports_bureau_id'), ['bureau_id'], unique=False)


def downgrade():
    with op.batch_alter_table('year_end_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_year_end_reports_bureau_id'))
    op.drop_table('year_end_reports')
