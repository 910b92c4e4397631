"""What the portal needs from outside itself — the database, the file storage, the task queue and the
rate-limit store — checked at start (one line naming the setting, exit non-zero), on /readyz, and on
every request that meets a missing part (a friendly 503 with the request's error id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text


@dataclass(frozen=True)
class Check:
    part: str  # database | storage | queue | ratelimit
    setting: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        state = "ok" if self.ok else f"FAILED: {self.detail}"
        return f"{self.part} ({self.setting}): {state}"


def _short(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".splitlines()[0][:300]


def check_database(engine: Any, session: Any = None) -> Check:
    """SELECT 1 through the request's session when there is one (its connection, as any query would),
    else a connection of its own (at start)."""
    try:
        if session is not None:
            session.execute(text("SELECT 1"))
            session.rollback()
        else:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
    except Exception as error:
        return Check("database", "DATABASE_URL", False, _short(error))
    return Check("database", "DATABASE_URL", True)


def check_storage(storage: Any, setting: str) -> Check:
    try:
        storage.check()
    except Exception as error:
        return Check("storage", setting, False, _short(error))
    return Check("storage", setting, True)


def check_queue(setting: str) -> Check:
    from portal import jobs

    try:
        jobs.queue_depth()
    except Exception as error:
        return Check("queue", setting, False, _short(error))
    return Check("queue", setting, True)


def check_ratelimit(limiter: Any, setting: str) -> Check:
    try:
        storage = limiter.storage
        healthy = storage.check()
    except Exception as error:
        return Check("ratelimit", setting, False, _short(error))
    return Check("ratelimit", setting, bool(healthy), "" if healthy else "storage check failed")


def check_migrated(engine: Any) -> Check:
    """The database is at the newest migration (the code and the schema agree)."""
    from pathlib import Path

    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    root = Path(__file__).resolve().parent.parent / "migrations"
    config = Config()
    config.set_main_option("script_location", str(root))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:
        return Check("database", "DATABASE_URL", False, _short(error))
    if current != heads:
        have = ",".join(sorted(current)) or "empty"
        return Check(
            "database", "DATABASE_URL", False, f"schema at {have}, code needs {','.join(sorted(heads))}: "
            "run `flask --app app db upgrade` first"
        )  # fmt: skip
    return Check("database", "DATABASE_URL", True)


def startup_checks(app: Any) -> list[Check]:
    """Everything a server or worker needs before it takes work (the same as /readyz, plus migrations)."""
    from portal import jobs
    from portal.extensions import db, limiter
    from portal.storage import from_config, setting_of

    with app.app_context():
        database = check_database(db.engine)
        checks = [database if not database.ok else check_migrated(db.engine)]
        try:
            storage = from_config(app.config)
        except Exception as error:
            checks.append(Check("storage", setting_of(app.config), False, _short(error)))
        else:
            checks.append(check_storage(storage, setting_of(app.config)))
        checks.append(check_queue(jobs.queue_setting(app.config)))
        limiter_setting = (
            "PORTAL_REDIS_URL" if app.config.get("PORTAL_REDIS_URL") else "PORTAL_RATELIMIT_STORAGE_URL"
        )
        checks.append(check_ratelimit(limiter, limiter_setting))
        db.engine.dispose()  # connections made before a fork must not be shared with the workers
    return checks


def exit_unless_ready(app: Any, role: str) -> None:
    """At start: one line per missing part, naming its setting, then exit 1 (systemd shows the line)."""
    import sys

    failed = [c for c in startup_checks(app) if not c.ok]
    for check in failed:
        print(f"portal {role}: cannot start: {check.setting}: {check.part} — {check.detail}", file=sys.stderr)
    if failed:
        raise SystemExit(1)
