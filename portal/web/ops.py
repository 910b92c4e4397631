"""Operators' endpoints: /healthz (the process answers), /readyz (database, file storage, task queue and
rate-limit store reachable) and /metrics (Prometheus text format: request latency, queue depth, jobs).

With gunicorn the metrics of every worker are summed (prometheus_client's multiprocess mode, switched on
by PROMETHEUS_MULTIPROC_DIR, which gunicorn.conf.py sets); the job and queue figures are read at scrape
time from the database and the queue, so every instance reports the same deployment-wide numbers.
/metrics answers loopback and the networks in PORTAL_METRICS_ALLOW only (nginx does not pass it on).
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.core import GaugeMetricFamily

from portal import health, jobs
from portal.extensions import db, limiter
from portal.models import JobStatus
from portal.services import jobs as service
from portal.storage import setting_of

bp = Blueprint("ops", __name__)

REQUEST_SECONDS = Histogram(
    "portal_request_duration_seconds",
    "Time to answer a request, by endpoint, method and status class.",
    ["endpoint", "method", "status"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
_OPS = {"ops.healthz", "ops.readyz", "ops.metrics"}


def register_metrics(app: Flask) -> None:
    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.teardown_request
    def _observe(_error: BaseException | None) -> None:
        started = g.get("request_started")
        if started is None or request.endpoint in _OPS:
            return
        status = g.get("response_status", 500)
        REQUEST_SECONDS.labels(request.endpoint or "unmatched", request.method, f"{status // 100}xx").observe(
            time.perf_counter() - started
        )

    @app.after_request
    def _status(response: Response) -> Response:
        g.response_status = response.status_code
        return response


@bp.get("/healthz")
def healthz() -> Response:
    """The process is alive and answers; nothing else is checked (a liveness probe)."""
    return Response("ok\n", mimetype="text/plain")


def readiness() -> list[health.Check]:
    config = current_app.config
    from portal.web.storage import storage

    return [
        health.check_database(db.engine, db.session),
        health.check_storage(storage(), setting_of(config)),
        health.check_queue(jobs.queue_setting(config)),
        health.check_ratelimit(
            limiter, "PORTAL_REDIS_URL" if config.get("PORTAL_REDIS_URL") else "PORTAL_RATELIMIT_STORAGE_URL"
        ),
    ]


@bp.get("/readyz")
def readyz() -> Response:
    """Ready to serve: every part a request may need answers. 503 names the part that does not."""
    checks = readiness()
    ready = all(c.ok for c in checks)
    response = jsonify(
        ready=ready, checks={c.part: {"ok": c.ok, "setting": c.setting, "detail": c.detail} for c in checks}
    )
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.is_loopback:
        return True
    allowed = [n.strip() for n in str(current_app.config.get("PORTAL_METRICS_ALLOW") or "").split(",")]
    return any(ip in ipaddress.ip_network(n, strict=False) for n in allowed if n)


class DeploymentCollector:
    """Figures read at scrape time from the database and the queue (the same on every instance), kept
    out of prometheus_client's per-process files."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily("portal_queue_depth", "Messages waiting in the task queue.")
        try:
            depth.add_metric([], jobs.queue_depth())
        except Exception:
            depth.add_metric([], float("nan"))
        yield depth
        counts = GaugeMetricFamily(
            "portal_jobs",
            "Background jobs by kind and status (failed: retries spent).",
            labels=["kind", "status"],
        )
        tally = service.tally(db.session)
        for (kind, status), number in tally.items():
            counts.add_metric([kind, status], number)
        yield counts
        failed = sum(n for (_kind, status), n in tally.items() if status == JobStatus.FAILED.value)
        yield GaugeMetricFamily(
            "portal_job_failures", "Jobs whose every retry failed (shown to the admin).", value=failed
        )


@bp.get("/metrics")
def metrics() -> Response:
    if not _allowed(request.remote_addr or ""):
        abort(404)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        prometheus_multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(DeploymentCollector())  # type: ignore[arg-type]
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
