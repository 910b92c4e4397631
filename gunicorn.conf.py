"""gunicorn settings for the portal (`gunicorn -c gunicorn.conf.py portal.wsgi:app`): `make run`, the
systemd unit in deploy/ and `make scaleout-test` all use this file. Every value can be overridden from
the environment (PORTAL_BIND, PORTAL_WEB_WORKERS, …) or on gunicorn's command line.

- sync workers, two per core plus one (gunicorn's rule of thumb; the portal's requests are short: long
  work runs in the worker process, portal/jobs), at most 8 unless PORTAL_WEB_WORKERS says otherwise;
- preload: the app is imported once in the master, its start-up checks run once (a missing part stops
  the start with one line naming its setting), then workers fork; `gc.freeze()` after the import moves
  everything loaded so far out of the collector's reach, so forked workers keep sharing those pages
  instead of copying them when the collector touches them;
- the workers' templates, profiles and calendar are built in the master before they fork (`when_ready`,
  portal/web/warm.py), so a new or recycled worker's first request costs what its later ones do;
- max_requests with jitter recycles workers now and then (a slow leak never grows unbounded, and not
  all workers restart at once); timeouts: 60 s for a request (uploads of several photos, a package PDF),
  30 s to finish in-flight requests on a graceful stop or reload;
- `kill -HUP <master>` (systemctl reload) starts new workers and retires the old ones gracefully, with
  these settings read again but the *same code*: the app is preloaded in the master and new workers fork
  from it. An upgrade restarts the service (docs/operations.md "Upgrading");
- the access log carries the request id (nginx's X-Request-Id, or the one the app made), the same id
  the error page shows as 错误编号 and the audit rows record;
- Prometheus metrics of all workers are summed (prometheus_client's multiprocess mode, in a private
  directory emptied at start).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PORTAL_WEB_WORKERS") or min(multiprocessing.cpu_count() * 2 + 1, 8))
worker_class = "sync"
preload_app = True
# Counted in requests, and most requests are 15-second polls answered in a fraction of a millisecond:
# at 2,000 a worker was recycled every few seconds under the bench's load, each recycle a latency spike
# (bench/README.md, "a new worker's first requests"). 20,000 is still a bound on a slow leak.
max_requests = int(os.environ.get("PORTAL_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
timeout = int(os.environ.get("PORTAL_REQUEST_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Requests arrive from nginx on the same machine (deploy/nginx.conf): trust its forwarded headers only
# from there; the app's ProxyFix (PORTAL_PROXY_COUNT=1) reads the client address from them.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# One control socket per instance (two instances on one machine must not share gunicorn's default one).
control_socket_disable = True
accesslog = os.environ.get("PORTAL_ACCESS_LOG", "-")
errorlog = os.environ.get("PORTAL_ERROR_LOG", "-")
loglevel = os.environ.get("PORTAL_LOG_LEVEL", "info")
# The request id: nginx's (X-Request-Id header) when it sent one, else the one the app answered with.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s pid=%(p)s "%(a)s"'
proc_name = os.environ.get("PORTAL_PROC_NAME", "portal-web")

# Metrics of every worker in one place: the directory must exist (and be empty) before prometheus_client
# is imported, which happens when the app is preloaded below.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="portal-metrics-")
shutil.rmtree(_metrics_dir, ignore_errors=True)
Path(_metrics_dir).mkdir(parents=True, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def _memory_store_with_several_workers() -> bool:
    """Rate limits counted in one process's memory while several workers answer (issue 16 item 12)."""
    uri = os.environ.get("PORTAL_RATELIMIT_STORAGE_URL", "")
    return uri.startswith("memory://") and workers > 1


def on_starting(server: Any) -> None:
    if _memory_store_with_several_workers():
        server.log.warning(
            "PORTAL_RATELIMIT_STORAGE_URL=memory:// with %s workers: each worker counts login attempts "
            "on its own, so the limit is %s times looser. Unset it (a file all workers share) or set "
            "PORTAL_REDIS_URL for several instances.",
            workers,
            workers,
        )
        print(
            f"警告：登录限流使用进程内存（memory://），{workers} 个 worker 各自计数；"
            "请删除 PORTAL_RATELIMIT_STORAGE_URL 或配置 PORTAL_REDIS_URL",
            file=sys.stderr,
        )


def when_ready(server: Any) -> None:
    # The app is loaded: build what its workers would build in their first requests (templates,
    # profiles, calendar) so every worker, new or recycled, starts warm (portal/web/warm.py)...
    extensions = getattr(server.app.wsgi(), "extensions", {}) if server.cfg.preload_app else {}
    if (warm := extensions.get("portal.warm_up")) is not None:
        server.log.info("portal: %s templates compiled before the workers fork", warm())
    # ...then freeze what is there now so forked workers share it copy-free.
    gc.freeze()
    server.log.info("portal: %s sync workers on %s, app preloaded, gc frozen", workers, bind)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
