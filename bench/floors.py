"""The floors: what the hardware allows for the same work, measured in the same run as our figures.

Each floor does the same job as the product with nothing around it: one hand-written SQL statement
rendered by a bare Jinja template (no Flask, no ORM, no session, no scoping helper), a bare COUNT ... GROUP
BY, raw xlsxwriter in constant_memory mode. A ratio to the floor cancels out a slow or busy machine.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from jinja2 import Template
from sqlalchemy import Connection, text

QUEUE_SQL = """
SELECT a.id, u.name, o.name AS unit, a.series, a.specialty, a.level, a.status, a.status_changed_at, a.version
FROM applications a
JOIN users u ON u.id = a.applicant_id
JOIN organisations o ON o.id = a.enterprise_id
WHERE a.bureau_id = :bureau AND a.reached_level >= 2 AND {tab} {extra}
ORDER BY a.status_changed_at, a.id
LIMIT 51
"""
TABS = {"all": "a.status <> 'draft'", "handler": "a.current_org_id = :bureau AND a.awaiting = 'handler'"}

TEMPLATE = Template(
    """<div id="queue"><table class="table queue"><tbody>
{%- for r in rows %}
<tr id="application-{{ r.id }}"><td><input type="checkbox" name="ids" value="{{ r.id }}"></td>
<td><a href="/review/applications/{{ r.id }}">{{ r.name }}</a></td><td>{{ r.unit }}</td>
<td>{{ r.series }} / {{ r.specialty }}</td><td>{{ r.level }}</td><td>{{ r.status }}</td>
<td>{{ r.status_changed_at }}</td><td><form method="post" action="/review/applications/{{ r.id }}/act">
<input type="hidden" name="version" value="{{ r.version }}"><button>通过</button></form></td></tr>
{%- endfor %}</tbody></table></div>""",
    autoescape=True,
)


def queue_sql(tab: str = "all", *, filtered: bool = False, after: bool = False) -> str:
    extra = ""
    if filtered:
        extra += " AND a.series = :series AND a.level = :level"
    if after:
        extra += " AND (a.status_changed_at, a.id) > (:moment, :ident)"
    return QUEUE_SQL.format(tab=TABS[tab], extra=extra)


def queue_floor(connection: Connection, sql: str, params: dict[str, Any]) -> str:
    rows = connection.execute(text(sql), params).mappings().all()
    return TEMPLATE.render(rows=rows[:50])


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


COUNTS_SQL = (
    "SELECT status, count(*) FROM applications"
    " WHERE bureau_id = :bureau AND reached_level >= 2 GROUP BY status"
)

EXPORT_SQL = """
SELECT u.name, u.document_type, u.id_number, e.name AS unit, a.series, a.specialty, a.level, a.certificate_no,
       a.certified_at, b.name AS authority, a.certificate_revoked_at
FROM applications a
JOIN users u ON u.id = a.applicant_id
JOIN organisations e ON e.id = a.enterprise_id
JOIN organisations b ON b.id = a.bureau_id
WHERE a.bureau_id = :bureau AND a.reached_level >= 2 AND a.certificate_no IS NOT NULL {extra}
ORDER BY a.certified_at DESC, a.id DESC
"""
