"""Voiding a self-registered account no unit attached (ACC-04): the bureau admin's record of it — who, when,
why (at most 500 characters, checked by the database on both engines) and the name, ID number and mobile as
registered. The account row stays (audit rows name it), disabled, and gives up its ID number and mobile
(unique columns) so the person can register again or be given an account by their unit's HR.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-05 14:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'registration_voids',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('bureau_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('id_number', sa.String(length=18), nullable=False),
        sa.Column('phone', sa.String(length=11), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('voided_by_id', sa.Integer(), nullable=False),
        sa.Column('voided_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('length(reason) <= 500', name=op.f('ck_registration_voids_reason_length')),
        sa.ForeignKeyConstraint(['bureau_id'], ['organisations.id'], name=op.f('fk_registration_voids_bureau_id_organisations')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_registration_voids_user_id_users')),
        sa.ForeignKeyConstraint(['voided_by_id'], ['users.id'], name=op.f('fk_registration_voids_voided_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_voids')),
        sa.UniqueConstraint('user_id', name=op.f('uq_registration_voids_user_id')),
    )
    with op.batch_alter_table('registration_voids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_voids_bureau_id'), ['bureau_id'], unique=False)
    # The bureau admin's list reads the accounts registered with the bureau.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_registered_with_id'), ['registered_with_id'], unique=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_registered_with_id'))
    with op.batch_alter_table('registration_voids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_voids_bureau_id'))
    op.drop_table('registration_voids')
