"""`make scaleout-test`: the portal as a province would run it, all on this machine's loopback.

One throwaway PostgreSQL cluster (scripts/pg.sh), Debian's redis-server (the queue and the rate limits),
moto's standalone S3 server (the file store, through boto3 as a MinIO or cloud bucket would be), two
instances — each gunicorn with gunicorn.conf.py plus its own huey worker, exactly as the systemd units in
deploy/ start them — and nginx in front with deploy/nginx/portal-locations.conf, the same rules as the
production site. The demo data is loaded once; the journeys in test_scaleout.py then drive it with
Playwright (Debian's chromium) and HTTP.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright
from sqlalchemy import create_engine, text

from tests.jobs.processes import (
    BIN,
    ROOT,
    Child,
    answers,
    consumer,
    free_port,
    gunicorn,
    portal_env,
    wait_until,
)

SECRET = "scaleout-secret-key-" + "s" * 40
BUCKET = "portal-scaleout"
LOGIN_LIMIT = 15  # per minute and client address, in Redis: shared by both instances
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")


@dataclass
class Instance:
    name: str
    url: str
    web: Child
    worker: Child


@dataclass
class Deployment:
    nginx: str
    instances: dict[str, Instance]
    env: dict[str, str]
    database_url: str
    tmp: Path
    children: list[Child] = field(default_factory=list)

    def flask(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A `flask --app app …` command against this deployment (what an operator would run)."""
        return subprocess.run(
            [str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=self.env, capture_output=True,
            text=True, timeout=600,
        )  # fmt: skip


def _nginx_conf(tmp: Path, port: int, upstreams: list[str]) -> Path:
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    servers = "\n".join(f"        server {u} max_fails=1 fail_timeout=10s;" for u in upstreams)
    user = "user root;" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    conf.write_text(f"""
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log info;
events {{ worker_connections 256; }}
http {{
    {mime}
    default_type application/octet-stream;
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    upstream portal {{
{servers}
        keepalive 8;
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
        set $portal_root {ROOT}/portal;
        include {ROOT}/deploy/nginx/portal-locations.conf;
    }}
}}
""")
    return conf


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    tmp = tmp_path_factory.mktemp("scaleout")
    children: list[Child] = []
    # Directly under /tmp: the server runs as the postgres user, who cannot enter pytest's own folders.
    pg_dir = Path(tempfile.mkdtemp(prefix="portal-scaleout-pg."))
    pg_port = free_port()
    subprocess.run(["bash", "scripts/pg.sh", "start", str(pg_dir), str(pg_port)], cwd=ROOT, check=True)
    try:
        admin = create_engine(
            f"postgresql+psycopg://portal@127.0.0.1:{pg_port}/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(text('CREATE DATABASE "portal"'))
        admin.dispose()
        database_url = f"postgresql+psycopg://portal@127.0.0.1:{pg_port}/portal"

        redis_port, s3_port = free_port(), free_port()
        redis_command = ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "",
                         "--appendonly", "no", "--dir", str(tmp)]  # fmt: skip
        redis = Child(redis_command, {**os.environ}, tmp / "redis.log")
        moto = Child([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)], {**os.environ},
                     tmp / "moto.log")  # fmt: skip
        for child in (redis, moto):
            child.start()
            children.append(child)
        s3 = f"http://127.0.0.1:{s3_port}"
        wait_until(lambda: answers(s3), seconds=60, what="moto's S3 server")
        credentials = {"AWS_ACCESS_KEY_ID": "portal-scaleout", "AWS_SECRET_ACCESS_KEY": "scaleout-secret"}
        boto3.client("s3", endpoint_url=s3, region_name="us-east-1", aws_access_key_id="portal-scaleout",
                     aws_secret_access_key="scaleout-secret").create_bucket(Bucket=BUCKET)  # fmt: skip

        env = portal_env(
            DATABASE_URL=database_url,
            PORTAL_SECRET_KEY=SECRET,
            PORTAL_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            PORTAL_STORAGE="s3",
            PORTAL_S3_BUCKET=BUCKET,
            PORTAL_S3_ENDPOINT_URL=s3,
            PORTAL_S3_REGION="us-east-1",
            PORTAL_PROXY_COUNT="1",
            PORTAL_LOGIN_RATE_LIMIT=f"{LOGIN_LIMIT} per minute",
            PORTAL_PACKAGE_DIR=str(tmp / "packages"),
            PORTAL_STORAGE_DIR=str(tmp / "unused-local-files"),
            **credentials,
        )
        deployment = Deployment("", {}, env, database_url, tmp, children)
        for step in (("db", "upgrade"), ("seed-demo",)):
            done = deployment.flask(*step)
            assert done.returncode == 0, done.stdout + done.stderr

        upstreams = []
        for name in ("a", "b"):
            port = free_port()
            own = {**env, "PORTAL_INSTANCE": name, "PROMETHEUS_MULTIPROC_DIR": str(tmp / f"metrics-{name}")}
            web = gunicorn(own, tmp / f"web-{name}.log", port, workers=2)
            worker = consumer(own, tmp / f"worker-{name}.log")
            for child in (web, worker):
                child.start()
                children.append(child)
            url = f"http://127.0.0.1:{port}"
            deployment.instances[name] = Instance(name, url, web, worker)
            upstreams.append(f"127.0.0.1:{port}")
        for instance in deployment.instances.values():
            wait_until(lambda i=instance: answers(f"{i.url}/healthz"), seconds=120,
                       what=f"instance {instance.name}\n{instance.web.output()[-2000:]}")  # fmt: skip

        nginx_port = free_port()
        for part in ("nginx-body", "nginx-proxy", "nginx-fastcgi", "nginx-uwsgi", "nginx-scgi"):
            (tmp / part).mkdir()
        nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
        conf = _nginx_conf(tmp, nginx_port, upstreams)
        nginx = Child([nginx_bin, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"], {**os.environ},
                      tmp / "nginx.log")  # fmt: skip
        nginx.start()
        children.append(nginx)
        deployment.nginx = f"http://127.0.0.1:{nginx_port}"
        wait_until(lambda: answers(f"{deployment.nginx}/healthz"), seconds=60,
                   what=f"nginx\n{nginx.output()[-2000:]}")  # fmt: skip
        yield deployment
    finally:
        for child in reversed(children):
            child.stop()
        subprocess.run(["bash", "scripts/pg.sh", "stop", str(pg_dir)], cwd=ROOT, check=False)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
        headless=True,
    )
    yield browser
    browser.close()


def pytest_report_header() -> str:
    return f"scale-out on 127.0.0.1 (python {sys.version.split()[0]})"
