"""Use cases: (session, actor, input, now) -> result. Each checks permission, applies the domain rule,
writes an audit event, and flushes; the web layer commits once per request."""

# Registers the after_flush hook that bumps the queues' change counters (issue 20) in every process
# that writes through a service: the web app, the worker, the CLI.
from portal.services import versions as _versions  # noqa: F401
