"""Issue 16.11 and 16.13: login throttles per (account, source) and per account, replacing the lock on the
user row; random public verification codes for certificates.

- login_throttles: failures, delays in a row and the delay's end for one account (or one login that names
  no account) from one source, or from every source ("*"); the sources the owner logged in from. The
  users' failed_logins / locked_until / lockouts go: a lock on the account itself let anyone lock its
  owner out, and only existing accounts could be locked, which told which ones exist.
- applications.certificate_code: 192 random bits per certificate, the QR's key. Existing certificates get
  one here (the old codes were 40 bits derived from the number and the secret key, and stop working: the
  holder downloads the certificate again for a QR with the new code).

Revision ID: 0017
Revises: 0019
Create Date: 2026-12-10 08:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_throttles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=80), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('lockouts', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.Column('last_failure_at', sa.DateTime(), nullable=True),
        sa.Column('last_success_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('failures >= 0 AND lockouts >= 0', name=op.f('ck_login_throttles_counts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles')),
        sa.UniqueConstraint('account', 'source', name=op.f('uq_login_throttles_account')),
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('lockouts')

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_code', sa.String(length=43), nullable=True))
    applications = sa.table(
        'applications', sa.column('id', sa.Integer()), sa.column('certificate_code', sa.String(43))
    )
    connection = op.get_bind()
    certified = connection.execute(
        sa.text('SELECT id FROM applications WHERE certificate_no IS NOT NULL ORDER BY id')
    ).scalars().all()
    for application_id in certified:
        connection.execute(
            applications.update()
            .where(applications.c.id == application_id)
            .values(certificate_code=secrets.token_urlsafe(24))
        )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f('uq_applications_certificate_code'), ['certificate_code']
        )
        batch_op.create_check_constraint(
            'certificate_has_code', 'certificate_no IS NULL OR certificate_code IS NOT NULL'
        )


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_applications_certificate_has_code'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_applications_certificate_code'), type_='unique')
        batch_op.drop_column('certificate_code')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lockouts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
    op.drop_table('login_throttles')
