"""CHAN-01's exception (003 四: one committee per person, level and year "原则上", in principle): the bureau
admin records, for one application, why it may go to a committee although the person already applied at
this level this year. One row per application: the reason (at most 500 characters, checked by the
database on both engines), who recorded it and when, and the other application it was weighed against.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05 11:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'committee_exceptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('other_application_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('length(reason) <= 500', name=op.f('ck_committee_exceptions_reason_length')),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_committee_exceptions_application_id_applications')),
        sa.ForeignKeyConstraint(['other_application_id'], ['applications.id'], name=op.f('fk_committee_exceptions_other_application_id_applications')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_committee_exceptions_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_exceptions')),
        sa.UniqueConstraint('application_id', name=op.f('uq_committee_exceptions_application_id')),
    )


def downgrade():
    op.drop_table('committee_exceptions')
