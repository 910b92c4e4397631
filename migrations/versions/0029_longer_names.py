"""A person's name up to 100 characters (users.name was 50): a passport holder's full name as the passport
and the work permit write it, e.g. MARIA GARCIA LOPEZ DE LA FUENTE Y ALVAREZ-MONTENEGRO (52), was refused.
An endorsement keeps its handler's name as it was (endorsements.handler_name): widened with it.

PostgreSQL widens the VARCHAR in place (no rewrite). SQLite does not enforce a VARCHAR's length; the
column's declared type is changed all the same (a table copy under batch mode) so the schema matches the
models on both engines.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 09:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('name', existing_type=sa.String(length=50), type_=sa.String(length=100))
    with op.batch_alter_table('endorsements', schema=None) as batch_op:
        batch_op.alter_column('handler_name', existing_type=sa.String(length=50), type_=sa.String(length=100))


def downgrade():
    # A name longer than 50 characters does not fit the old column: it is cut, as the old form would have
    # refused it (the downgrade's purpose is a rollback of the code, not keeping such names).
    op.execute("UPDATE users SET name = substr(name, 1, 50) WHERE length(name) > 50")
    op.execute("UPDATE endorsements SET handler_name = substr(handler_name, 1, 50) WHERE length(handler_name) > 50")
    with op.batch_alter_table('endorsements', schema=None) as batch_op:
        batch_op.alter_column('handler_name', existing_type=sa.String(length=100), type_=sa.String(length=50))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('name', existing_type=sa.String(length=100), type_=sa.String(length=50))
