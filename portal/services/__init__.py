"""Use cases: (session, actor, input, now) -> result. Each checks permission, applies the domain rule,
writes an audit event, and flushes; the web layer commits once per request."""
