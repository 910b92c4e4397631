"""What a web worker would otherwise build in its first requests, built once in gunicorn's master before
the workers fork (gunicorn.conf.py `when_ready`, with `preload_app`): the web templates compiled, the
policy profiles parsed, the working-day calendar computed. Forked workers share them, so a new worker —
at start, after `kill -HUP`, or each time `max_requests` recycles one — answers its first queue page as
fast as its thousandth.

Measured (issue 20, bench/README.md "a new worker's first requests"): without it a new worker's first list
fragment took 156 ms and its first full page 279 ms against 18 ms later on, most of it compiling templates
and parsing the five profiles; under the bench's bounded load every recycle showed as a latency spike.
"""

from __future__ import annotations

from flask import Flask

from portal.extensions import db
from portal.services import calendar, policies

# Where the app keeps its warm-up (register_web): gunicorn.conf.py calls what it finds there, and a server of
# another app (the bench's floor) finds nothing.
WARM_UP = "portal.warm_up"

# Printed documents have an environment of their own (portal/documents/rendering.py, warmed there).
_ELSEWHERE = "documents/"


def _web_template(name: str) -> bool:
    return name.endswith(".html") and not name.startswith(_ELSEWHERE)


def warm_up(app: Flask) -> int:
    """Compile every web template into the app's template cache, parse the policy profiles and build the
    calendar the database holds; returns the number of templates compiled. Leaves no database connection
    open: whatever the master opened is disposed of, so no connection crosses the fork."""
    env = app.jinja_env
    names = env.list_templates(filter_func=_web_template)
    for name in names:
        env.get_template(name)
    policies.profiles()
    with app.app_context():
        try:
            calendar.work_calendar(db.session)
        finally:
            db.session.remove()
            db.engine.dispose()
    return len(names)
