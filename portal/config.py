"""Settings, read once from the environment (PORTAL_* and DATABASE_URL).

SQLite under instance/ is the embedded default; DATABASE_URL points at PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from portal import filemodes
from portal.domain.passwords import PasswordPolicy, PasswordPolicyError, make_policy

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _optional_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else None


def _optional_flag(name: str) -> bool | None:
    return _flag(name, False) if os.environ.get(name, "").strip() else None


def _profile() -> str:
    return os.environ.get("PORTAL_PROFILE", "development").strip().lower()


def _secret_key() -> str:
    """The key from the environment, else (outside production) one kept in instance/ so restarts keep
    sessions. Production must be given one: the startup guard refuses to run without it."""
    if key := os.environ.get("PORTAL_SECRET_KEY"):
        return key
    if _profile() == "production":
        return ""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        # 0600 from its first byte; a second worker starting at the same moment keeps the first one's key.
        filemodes.create_once(path, secrets.token_urlsafe(48))
    return path.read_text().strip()


@dataclass
class Settings:
    """Everything the app reads from its environment, as typed values."""

    profile: str = field(default_factory=_profile)
    database_url: str = field(
        default_factory=lambda: (
            os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'portal.sqlite3'}"
        )
    )
    secret_key: str = field(default_factory=_secret_key)
    secure_cookies: bool = field(default_factory=lambda: _flag("PORTAL_SECURE_COOKIES", False))
    htmx_url: str | None = field(default_factory=lambda: os.environ.get("PORTAL_HTMX_URL") or None)
    idle_minutes: int = field(default_factory=lambda: _int("PORTAL_IDLE_MINUTES", 30))
    absolute_hours: int = field(default_factory=lambda: _int("PORTAL_ABSOLUTE_HOURS", 12))
    # An unchanged queue poll answered before Flask (portal/web/poll_shortcut.py); off: every poll via Flask.
    poll_shortcut: bool = field(default_factory=lambda: _flag("PORTAL_POLL_SHORTCUT", True))
    change_feed: bool = field(default_factory=lambda: _flag("PORTAL_CHANGE_FEED", True))
    lockout_attempts: int = field(default_factory=lambda: _int("PORTAL_LOCKOUT_ATTEMPTS", 5))
    lockout_minutes: int = field(default_factory=lambda: _int("PORTAL_LOCKOUT_MINUTES", 15))
    # Failures of one account from every source together before sources the owner has not logged in
    # from (within PORTAL_KNOWN_SOURCE_DAYS) wait too; PORTAL_LOCKOUT_ATTEMPTS counts per source.
    lockout_account_attempts: int = field(default_factory=lambda: _int("PORTAL_LOCKOUT_ACCOUNT_ATTEMPTS", 10))
    known_source_days: int = field(default_factory=lambda: _int("PORTAL_KNOWN_SOURCE_DAYS", 90))
    max_upload_mb: int = field(default_factory=lambda: _int("PORTAL_MAX_UPLOAD_MB", 20))  # per uploaded file
    # Per stored material file: photos are compressed to fit (the Jiangxi system caps files at 2 MB).
    material_file_limit_kb: int = field(default_factory=lambda: _int("PORTAL_MATERIAL_FILE_LIMIT_KB", 2048))
    # Every upload (portal/services/uploads.py): a PDF of more pages, an image of more pixels is refused.
    max_pdf_pages: int = field(default_factory=lambda: _int("PORTAL_MAX_PDF_PAGES", 300))
    max_image_pixels: int = field(default_factory=lambda: _int("PORTAL_MAX_IMAGE_PIXELS", 40_000_000))
    # Password policy (portal/domain/passwords.py): a profile, `dengbao` (default) or `asvs`, and any of
    # its values overridden one by one; unset means "as the profile says".
    password_profile: str = field(
        default_factory=lambda: os.environ.get("PORTAL_PASSWORD_PROFILE", "dengbao")
    )
    password_min_length: int | None = field(
        default_factory=lambda: _optional_int("PORTAL_PASSWORD_MIN_LENGTH")
    )
    password_min_classes: int | None = field(
        default_factory=lambda: _optional_int("PORTAL_PASSWORD_MIN_CLASSES")
    )
    password_required_classes: str | None = field(
        default_factory=lambda: os.environ.get("PORTAL_PASSWORD_REQUIRED_CLASSES")
    )
    password_forbid_personal: bool | None = field(
        default_factory=lambda: _optional_flag("PORTAL_PASSWORD_FORBID_PERSONAL")
    )
    password_history: int | None = field(default_factory=lambda: _optional_int("PORTAL_PASSWORD_HISTORY"))
    password_max_age_days: int | None = field(
        default_factory=lambda: _optional_int("PORTAL_PASSWORD_MAX_AGE_DAYS")
    )
    smtp_host: str = field(default_factory=lambda: os.environ.get("PORTAL_SMTP_HOST", ""))
    smtp_port: int = field(default_factory=lambda: _int("PORTAL_SMTP_PORT", 587))
    smtp_sender: str = field(default_factory=lambda: os.environ.get("PORTAL_SMTP_SENDER", ""))
    smtp_username: str = field(default_factory=lambda: os.environ.get("PORTAL_SMTP_USERNAME", ""))
    smtp_password: str = field(default_factory=lambda: os.environ.get("PORTAL_SMTP_PASSWORD", ""))
    # STARTTLS before sending (on by default); off only for a relay on the same host or a test server.
    smtp_starttls: bool = field(default_factory=lambda: _flag("PORTAL_SMTP_STARTTLS", True))
    # How often one account may ask for its verification e-mail again (a Flask-Limiter limit).
    email_resend_limit: str = field(
        default_factory=lambda: os.environ.get("PORTAL_EMAIL_RESEND_LIMIT", "3 per hour")
    )
    base_url: str = field(default_factory=lambda: os.environ.get("PORTAL_BASE_URL", ""))
    trusted_hosts: list[str] = field(
        default_factory=lambda: [
            h.strip() for h in os.environ.get("PORTAL_TRUSTED_HOSTS", "").split(",") if h.strip()
        ]
    )
    # Redis, for a deployment of several instances: the task queue and the rate limits live there.
    redis_url: str = field(default_factory=lambda: os.environ.get("PORTAL_REDIS_URL", ""))
    # The rate limits' store: Redis when PORTAL_REDIS_URL is set, else a SQLite file every worker of
    # this machine shares (portal/ratelimit.py); memory:// only on request (one process only).
    ratelimit_storage_url: str = field(
        default_factory=lambda: os.environ.get("PORTAL_RATELIMIT_STORAGE_URL", "")
    )
    # The task queue's SQLite file when there is no Redis (one machine).
    queue_path: str = field(
        default_factory=lambda: os.environ.get("PORTAL_QUEUE_PATH") or str(INSTANCE_DIR / "queue.sqlite3")
    )
    # A running job silent for this long lost its worker and is run again (portal/services/jobs.py).
    job_stale_seconds: int = field(default_factory=lambda: _int("PORTAL_JOB_STALE_SECONDS", 300))
    # Where uploaded files live: local (PORTAL_STORAGE_DIR) or s3 (an S3-compatible bucket, boto3).
    storage: str = field(default_factory=lambda: os.environ.get("PORTAL_STORAGE", "local").strip().lower())
    s3_bucket: str = field(default_factory=lambda: os.environ.get("PORTAL_S3_BUCKET", ""))
    s3_endpoint_url: str = field(default_factory=lambda: os.environ.get("PORTAL_S3_ENDPOINT_URL", ""))
    s3_region: str = field(default_factory=lambda: os.environ.get("PORTAL_S3_REGION", ""))
    s3_prefix: str = field(default_factory=lambda: os.environ.get("PORTAL_S3_PREFIX", ""))
    # Behind nginx: how many proxies set X-Forwarded-For / -Proto (exactly one in deploy/; 0 = none).
    proxy_count: int = field(default_factory=lambda: _int("PORTAL_PROXY_COUNT", 0))
    # This instance's name, sent as X-Portal-Instance on every response (which instance answered).
    instance: str = field(default_factory=lambda: os.environ.get("PORTAL_INSTANCE", ""))
    # Who may read /metrics besides loopback (comma-separated addresses or networks).
    metrics_allow: str = field(default_factory=lambda: os.environ.get("PORTAL_METRICS_ALLOW", ""))
    login_rate_limit: str = field(
        default_factory=lambda: os.environ.get("PORTAL_LOGIN_RATE_LIMIT", "20 per minute;200 per hour")
    )
    storage_dir: str = field(
        default_factory=lambda: os.environ.get("PORTAL_STORAGE_DIR") or str(INSTANCE_DIR / "files")
    )
    # Batch package ZIPs being built (deleted a day later); beside the file store unless set.
    package_dir: str = field(default_factory=lambda: os.environ.get("PORTAL_PACKAGE_DIR", ""))

    def ratelimit_storage_uri(self) -> str:
        """PORTAL_RATELIMIT_STORAGE_URL if given; else Redis when PORTAL_REDIS_URL is set; else the SQLite
        file beside the queue's, shared by every worker on this machine (issue 16 item 12)."""
        if self.ratelimit_storage_url:
            return self.ratelimit_storage_url
        if self.redis_url:
            return self.redis_url
        return "portal+sqlite:///" + str(Path(self.queue_path).with_name("ratelimits.sqlite3")).lstrip("/")

    def flask_config(self) -> dict[str, object]:
        return {
            "PORTAL_PROFILE": self.profile,
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.database_url,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            # __Host-: the browser keeps it only when Secure, Path=/ and no Domain (ASVS 3.4.4).
            "SESSION_COOKIE_NAME": "__Host-portal_session" if self.secure_cookies else "portal_session",
            "TRUSTED_HOSTS": self.trusted_hosts or None,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri(),
            "PORTAL_REDIS_URL": self.redis_url,
            "PORTAL_QUEUE_PATH": self.queue_path,
            "PORTAL_JOB_STALE_SECONDS": self.job_stale_seconds,
            "PORTAL_STORAGE": self.storage,
            "PORTAL_S3_BUCKET": self.s3_bucket,
            "PORTAL_S3_ENDPOINT_URL": self.s3_endpoint_url,
            "PORTAL_S3_REGION": self.s3_region,
            "PORTAL_S3_PREFIX": self.s3_prefix,
            "PORTAL_PROXY_COUNT": self.proxy_count,
            "PORTAL_METRICS_ALLOW": self.metrics_allow,
            "PORTAL_INSTANCE": self.instance,
            "RATELIMIT_HEADERS_ENABLED": False,
            "PORTAL_LOGIN_RATE_LIMIT": self.login_rate_limit,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SECURE": self.secure_cookies,
            "PORTAL_HTMX_URL": self.htmx_url,
            "PORTAL_IDLE_MINUTES": self.idle_minutes,
            "PORTAL_ABSOLUTE_HOURS": self.absolute_hours,
            "PORTAL_POLL_SHORTCUT": self.poll_shortcut,
            "PORTAL_CHANGE_FEED": self.change_feed,
            "PORTAL_LOCKOUT_ATTEMPTS": self.lockout_attempts,
            "PORTAL_LOCKOUT_MINUTES": self.lockout_minutes,
            "PORTAL_LOCKOUT_ACCOUNT_ATTEMPTS": self.lockout_account_attempts,
            "PORTAL_KNOWN_SOURCE_DAYS": self.known_source_days,
            # A request may carry several photos to combine; each file is checked against the per-file limit.
            "MAX_CONTENT_LENGTH": self.max_upload_mb * 3 * 1024 * 1024,
            "PORTAL_MAX_UPLOAD_MB": self.max_upload_mb,
            "PORTAL_MATERIAL_FILE_LIMIT_KB": self.material_file_limit_kb,
            "PORTAL_MAX_PDF_PAGES": self.max_pdf_pages,
            "PORTAL_MAX_IMAGE_PIXELS": self.max_image_pixels,
            "PORTAL_PASSWORD_PROFILE": self.password_profile,
            "PORTAL_PASSWORD_MIN_LENGTH": self.password_min_length,
            "PORTAL_PASSWORD_MIN_CLASSES": self.password_min_classes,
            "PORTAL_PASSWORD_REQUIRED_CLASSES": self.password_required_classes,
            "PORTAL_PASSWORD_FORBID_PERSONAL": self.password_forbid_personal,
            "PORTAL_PASSWORD_HISTORY": self.password_history,
            "PORTAL_PASSWORD_MAX_AGE_DAYS": self.password_max_age_days,
            "PORTAL_STORAGE_DIR": self.storage_dir,
            "PORTAL_PACKAGE_DIR": self.package_dir or str(Path(self.storage_dir).parent / "packages"),
            "PORTAL_SMTP_HOST": self.smtp_host,
            "PORTAL_SMTP_PORT": self.smtp_port,
            "PORTAL_SMTP_SENDER": self.smtp_sender,
            "PORTAL_SMTP_USERNAME": self.smtp_username,
            "PORTAL_SMTP_PASSWORD": self.smtp_password,
            "PORTAL_SMTP_STARTTLS": self.smtp_starttls,
            "PORTAL_EMAIL_RESEND_LIMIT": self.email_resend_limit,
            "PORTAL_BASE_URL": self.base_url,
            "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the (revocable) session
            "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        }


def password_policy(config: dict[str, object]) -> PasswordPolicy:
    """The password policy the PORTAL_PASSWORD_* settings describe; PasswordPolicyError names a bad one."""

    def number(name: str) -> int | None:
        value = config.get(name)
        return None if value is None else int(value)  # type: ignore[call-overload]

    forbid = config.get("PORTAL_PASSWORD_FORBID_PERSONAL")
    required = config.get("PORTAL_PASSWORD_REQUIRED_CLASSES")
    return make_policy(
        str(config.get("PORTAL_PASSWORD_PROFILE") or "dengbao"),
        min_length=number("PORTAL_PASSWORD_MIN_LENGTH"),
        min_classes=number("PORTAL_PASSWORD_MIN_CLASSES"),
        required_classes=None if required is None else str(required),
        forbid_personal=None if forbid is None else bool(forbid),
        history=number("PORTAL_PASSWORD_HISTORY"),
        max_age_days=number("PORTAL_PASSWORD_MAX_AGE_DAYS"),
    )


# ASVS 5.0 6.2.1's floor: a production policy shorter than this is refused whatever the profile.
MIN_PRODUCTION_PASSWORD_LENGTH = 8
MIN_SECRET_KEY_LENGTH = 32
# Keys that have been in this repository, its tests or its docs: never acceptable in production.
KNOWN_SECRET_KEYS = {
    "dev",
    "change-me",
    "changeme",
    "secret",
    "test-secret-key-that-is-long-enough-for-tests",
}


def production_problems(config: dict[str, object]) -> list[str]:
    """What makes this configuration unsafe for production, each naming the setting to fix (T-CFG-01)."""
    problems = []
    key = str(config.get("SECRET_KEY") or "")
    if len(key) < MIN_SECRET_KEY_LENGTH or key in KNOWN_SECRET_KEYS or len(set(key)) < 8:
        problems.append(f"PORTAL_SECRET_KEY 未设置、过短（少于{MIN_SECRET_KEY_LENGTH}个字符）或为已公开的值")
    if config.get("DEBUG"):
        problems.append("FLASK_DEBUG / DEBUG 已开启（调试器可执行任意代码）")
    if config.get("TESTING"):
        problems.append("TESTING 已开启")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("PORTAL_SECURE_COOKIES 未开启（会话 Cookie 须为 Secure）")
    if not config.get("SESSION_COOKIE_HTTPONLY"):
        problems.append("SESSION_COOKIE_HTTPONLY 未开启")
    if config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        problems.append("SESSION_COOKIE_SAMESITE 须为 Lax 或 Strict")
    if config.get("WTF_CSRF_ENABLED") is False:
        problems.append("WTF_CSRF_ENABLED 已关闭")
    if not config.get("MAX_CONTENT_LENGTH"):
        problems.append("PORTAL_MAX_UPLOAD_MB / MAX_CONTENT_LENGTH 未设置上传大小上限")
    if not config.get("TRUSTED_HOSTS"):
        problems.append("PORTAL_TRUSTED_HOSTS 未设置（允许访问的域名）")
    try:
        policy = password_policy(config)
    except PasswordPolicyError as bad:
        problems.append(str(bad))
    else:
        if policy.min_length < MIN_PRODUCTION_PASSWORD_LENGTH:
            problems.append(f"PORTAL_PASSWORD_MIN_LENGTH 少于{MIN_PRODUCTION_PASSWORD_LENGTH}位")
    return problems
