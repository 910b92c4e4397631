"""gunicorn with the checked-in gunicorn.conf.py, as `make run` and the systemd unit start it: it serves
with several sync workers, its access log carries each request's id, `kill -HUP` swaps the workers
without refusing a request, the login throttle counts across all workers (issue 16 item 12: with four
workers and the old per-process memory store, 60 wrong logins over new connections all went through),
a memory store with several workers is warned about, and a start with a part missing stops with one
line naming its setting. On SQLite, or PostgreSQL with TEST_DATABASE_URL.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from tests.dbsetup import database_url
from tests.factories import PASSWORD, make_world
from tests.jobs.processes import Child, answers, free_port, gunicorn, portal_env, wait_until

SECRET = "gunicorn-test-secret-key-" + "g" * 32
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Deployment:
    env: dict[str, str]
    tmp: Path
    phone: str


@pytest.fixture
def deployment(tmp_path: Path, worker_id: str) -> Iterator[Deployment]:
    url = database_url(f"portal_gunicorn_{worker_id}", tmp_path)
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": url})
    with app.app_context():
        upgrade()
        world = make_world(db.session)
        phone = world.enterprise.handler.phone
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    env = portal_env(
        DATABASE_URL=url,
        PORTAL_SECRET_KEY=SECRET,
        PORTAL_STORAGE_DIR=str(tmp_path / "files"),
        PORTAL_QUEUE_PATH=str(tmp_path / "queue.sqlite3"),
        PORTAL_LOGIN_RATE_LIMIT="10 per minute",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    )
    yield Deployment(env, tmp_path, phone)


def _serve(deployment: Deployment, name: str, *, workers: int, **extra: str) -> tuple[Child, str]:
    port = free_port()
    server = gunicorn({**deployment.env, **extra}, deployment.tmp / f"{name}.log", port, workers=workers)
    server.start()
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: answers(f"{base}/healthz"), seconds=90, what=f"gunicorn\n{server.output()[-2000:]}")
    return server, base


def _worker_pids(server: Child) -> set[str]:
    return set(re.findall(r"Booting worker with pid: (\d+)", server.output()))


def test_gunicorn_serves_logs_request_ids_and_reloads_on_hup_without_refusing_a_request(
    deployment: Deployment,
) -> None:
    server, base = _serve(deployment, "web", workers=2)
    try:
        page = requests.get(f"{base}/login", headers={"X-Request-Id": "trace-me-123"}, timeout=10)
        assert page.status_code == 200 and page.headers["X-Request-Id"] == "trace-me-123"
        wait_until(lambda: "rid=trace-me-123" in server.output(), seconds=10, what="the access log line")
        line = next(x for x in server.output().splitlines() if "rid=trace-me-123" in x)
        assert '"GET /login HTTP/1.1" 200' in line
        # The second worker may log its boot after the first has answered (a loaded machine).
        wait_until(lambda: len(_worker_pids(server)) == 2, seconds=30, what="both workers booted")
        before = _worker_pids(server)
        assert "app preloaded, gc frozen" in server.output()
        assert "templates compiled before the workers fork" in server.output()
        server.signal(signal.SIGHUP)  # systemctl reload: new workers, old ones finish and go
        answered = []
        wait_until(
            lambda: (
                answered.append(requests.get(f"{base}/healthz", timeout=10).status_code) is None
                and len(_worker_pids(server) - before) >= 2
            ),
            seconds=60,
            what="new workers after HUP",
        )
        assert set(answered) == {200}  # no request refused while the workers were swapped
        assert requests.get(f"{base}/readyz", timeout=10).json()["ready"] is True
    finally:
        server.stop()


def _wrong_login(base: str, phone: str) -> int:
    """A wrong password from a new browser: its own connection, cookie and CSRF token."""
    with requests.Session() as browser:
        token = TOKEN.search(browser.get(f"{base}/login", timeout=10).text)
        assert token is not None
        answer = browser.post(
            f"{base}/login",
            data={"csrf_token": token.group(1), "login": phone, "password": "wrong-" + PASSWORD},
            headers={"Connection": "close"},
            timeout=20,
        )
        return answer.status_code


def test_the_login_throttle_counts_across_all_workers(deployment: Deployment) -> None:
    server, base = _serve(deployment, "throttle", workers=4)
    try:
        answers_ = [_wrong_login(base, f"1390000{n:04d}") for n in range(30)]  # unknown logins: no lockout
    finally:
        server.stop()
    assert answers_.count(429) == 20 and answers_.count(422) == 10, answers_


def test_a_memory_store_with_several_workers_is_warned_about(deployment: Deployment) -> None:
    server, _ = _serve(deployment, "memory", workers=2, PORTAL_RATELIMIT_STORAGE_URL="memory://")
    server.stop()
    assert "each worker counts login attempts on its own" in server.output()
    assert "登录限流使用进程内存" in server.output()


def test_a_start_with_a_part_missing_stops_with_one_line_naming_its_setting(deployment: Deployment) -> None:
    port = free_port()
    env = {**deployment.env, "PORTAL_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}  # nobody listens
    server = gunicorn(env, deployment.tmp / "refused.log", port, workers=2)
    server.start()
    assert server.process is not None and server.process.wait(timeout=120) != 0
    refusals = [line for line in server.output().splitlines() if "cannot start" in line]
    assert refusals and all("PORTAL_REDIS_URL" in line for line in refusals), server.output()[-2000:]
    assert not answers(f"http://127.0.0.1:{port}/healthz")
