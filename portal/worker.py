"""The background worker: `huey_consumer portal.worker.huey` (make run starts it beside gunicorn; deploy/
has its systemd unit). Importing this module builds the app from the environment, checks that the
database, file store, queue and rate-limit store answer (one line naming the setting, exit 1 if not),
and registers the tasks, so huey's consumer finds them."""

from portal import create_app
from portal.health import exit_unless_ready
from portal.jobs import huey
from portal.jobs import tasks as _tasks  # noqa: F401  (registers the tasks and the periodic schedule)

app = create_app()
exit_unless_ready(app, "worker")

__all__ = ["app", "huey"]
