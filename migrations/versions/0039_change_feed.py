"""PostgreSQL tells every instance what changed (issue 20: the poll shortcut, services/change_feed.py).

Triggers send `NOTIFY portal_change` as a write of the rows an unchanged queue poll depends on commits
(notifications go out at commit and only then; a rolled-back write sends none):

- versions (insert or update): `v<name>=<value>`, the counter's new value;
- auth_sessions (delete, or a change of its token, user or creation time): `s<token hash>` of the old row;
- users (a change of is_active, or a delete): `u<id>`.

Each process's feed keeps what it heard and vouches for a remembered poll answer until one of its rows
changes, so an unchanged poll costs no statement. Notifications are per row (a sweep of expired sessions
sends one per row; they are tiny) and identical ones within a transaction are sent once.

SQLite needs nothing: its feed reads `PRAGMA data_version`, which every commit by another connection
moves.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-06 06:20:00

"""
from alembic import op


revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION portal_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'versions' THEN
        PERFORM pg_notify('portal_change', 'v' || NEW.name || '=' || NEW.value);
    ELSIF TG_TABLE_NAME = 'auth_sessions' THEN
        PERFORM pg_notify('portal_change', 's' || OLD.token_hash);
    ELSIF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('portal_change', 'u' || OLD.id);
    END IF;
    RETURN NULL;
END
$$
"""

TRIGGERS = {
    'versions_notify_change': 'AFTER INSERT OR UPDATE OF value ON versions',
    'auth_sessions_notify_change': (
        'AFTER DELETE OR UPDATE OF token_hash, user_id, created_at ON auth_sessions'
    ),
    'users_notify_change': 'AFTER DELETE OR UPDATE OF is_active ON users',
}


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(FUNCTION)
    for name, when in TRIGGERS.items():
        op.execute(f'CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION portal_notify_change()')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, when in TRIGGERS.items():
        table = when.split(' ON ')[-1]
        op.execute(f'DROP TRIGGER IF EXISTS {name} ON {table}')
    op.execute('DROP FUNCTION IF EXISTS portal_notify_change()')
