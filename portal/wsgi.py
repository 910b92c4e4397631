"""The web app for gunicorn (`gunicorn -c gunicorn.conf.py portal.wsgi:app`): built from the environment,
then checked — database reachable and migrated, file store, queue and rate-limit store answering — so a
missing part stops the start with one line naming its setting and exit status 1, before any request."""

from portal import create_app
from portal.health import exit_unless_ready
from portal.jobs import tasks as _tasks  # noqa: F401  (the web enqueues these tasks by name)

app = create_app()
exit_unless_ready(app, "web")
