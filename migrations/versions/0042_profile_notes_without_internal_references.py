"""Committees and their 受理范围 rows loaded from a policy profile before the profiles were cleaned (the
Zhenjiang profile's notes ended "（policy-spec §8 #17）") kept that internal reference in their stored
note, which the committee's page shows to staff and applicants. The profiles now keep such references in
TOML comments; this removes the parenthesised references from notes already stored. Only a parenthesis
naming the policy spec or the design document goes; the rest of the note is kept as it is.

The downgrade restores nothing: the removed text was never meant to be shown.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-06 16:30:00

"""

import re

from alembic import op
import sqlalchemy as sa


revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None

# Full-width or ASCII parentheses around "policy-spec …" or "DESIGN …" (up to the closing parenthesis).
INTERNAL = re.compile(r"\s*[（(]\s*(?:policy-spec|DESIGN)\b[^）)]*[）)]")


def upgrade():
    connection = op.get_bind()
    for table in ("committees", "committee_scopes"):
        rows = connection.execute(
            sa.text(f"SELECT id, note FROM {table} WHERE note LIKE '%policy-spec%' OR note LIKE '%DESIGN%'")  # noqa: S608 - a fixed table name
        ).all()
        for row_id, note in rows:
            cleaned = INTERNAL.sub("", note)
            if cleaned != note:
                connection.execute(
                    sa.text(f"UPDATE {table} SET note = :note WHERE id = :id"),  # noqa: S608 - a fixed table name
                    {"note": cleaned, "id": row_id},
                )


def downgrade():
    pass
