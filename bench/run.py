"""`make bench`: seed N applications (default 100,000) on SQLite and on a PostgreSQL server, run every
benchmark against its floor measured in the same run, and print one table.

    python -m bench.run [--applications N] [--sqlite] [--postgresql ADMIN_URL] [--load-seconds S]

Benchmarks report; they never assert (targets are printed next to the ratios). bench/README.md says how
to read the table and keeps the last run.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url

from bench.floors import COUNTS_SQL, naive_utc, queue_floor, queue_sql
from bench.seed import seed, staff_of, top_up_certificates
from portal import create_app
from portal.extensions import db
from portal.models import Membership
from portal.services import auth, queues
from portal.services.actors import actor_for
from portal.web.poll_shortcut import SEEN

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-that-is-long-enough-for-the-benchmarks"
SHANGHAI = ZoneInfo("Asia/Shanghai")
HX = {"HX-Request": "true", "HX-Target": "queue"}
REPS = int(os.environ.get("BENCH_REPS", "25"))


@dataclass
class Result:
    engine: str
    name: str
    ours: str
    floor: str = "—"
    ratio: str = "—"
    target: str = ""
    peak: str = ""


def p50(fn: Callable[[], object], reps: int = REPS, warm: int = 3) -> float:
    """Median wall time in milliseconds, after a few warm-up calls (caches, pools, compiled SQL)."""
    for _ in range(warm):
        fn()
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def traced_peak_mb(fn: Callable[[], object]) -> float:
    """Peak Python allocation of one call (tracemalloc), in MB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def ratio(ours: float, floor: float) -> str:
    return f"{ours / floor:.2f}×" if floor else "—"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Statements:
    """Counts the SQL statements the app sends (the no-N+1 check)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any) -> None:
        self.count += 1


GROUPS = ("queue", "load", "export", "upload", "package", "handoff")


def run_engine(
    engine: str, url: str, applications: int, load_seconds: int, only: frozenset[str] = frozenset(GROUPS)
) -> list[Result]:
    results: list[Result] = []
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": SECRET, "PORTAL_LOGIN_RATE_LIMIT": "1000000 per minute"}
    )
    now = datetime.now(UTC)
    with app.app_context():
        upgrade()
        summary = seed(db.session, applications, now)
        db.session.commit()
        if engine == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        results.append(
            Result(
                engine, f"bench-seed {summary.applications:,} applications (bulk)", f"{summary.seconds:.1f} s"
            )
        )
        bureau = summary.largest_bureau_id
        handler, _ = staff_of(db.session, bureau)
        membership = db.session.scalars(select(Membership).where(Membership.user_id == handler.id)).one()
        token = auth.start_session(db.session, handler, now)
        db.session.commit()
        actor = actor_for(handler, membership)
        membership_id = membership.id

    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = token
        cookie["_fresh"] = True
        cookie["membership_id"] = membership_id

    if "queue" in only:
        results += queue_benchmarks(engine, app, client, bureau, actor)
    if "load" in only:
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        results += load_benchmark(engine, url, client, cookie_name, bureau, load_seconds)
    if "export" in only:
        results += top_up(engine, app, bureau)
        results += export_benchmarks(engine, url, app, bureau, token, membership_id)
    if "upload" in only:
        results += upload_benchmark(engine, url, app)
    if "package" in only:
        results += package_benchmark(engine, url, bureau)
    if "handoff" in only:
        results += handoff_benchmark(engine)
    with app.app_context():
        db.engine.dispose()
    return results


def queue_benchmarks(engine: str, app: Any, client: FlaskClient, bureau: int, actor: Any) -> list[Result]:
    """Requests run outside any app context of ours, each with its own session, as under a server (on
    SQLite every transaction takes the write lock, so a session left open would block the floor)."""
    with app.app_context():
        sql_engine = db.engine
    return _queue_benchmarks(engine, app, sql_engine, client, bureau, actor)


def _queue_benchmarks(
    engine: str, app: Any, sql_engine: Any, client: FlaskClient, bureau: int, actor: Any
) -> list[Result]:
    results: list[Result] = []
    statements = Statements()
    event.listen(sql_engine, "before_cursor_execute", statements)
    setup = sql_engine.connect()
    total = setup.scalar(
        text(
            "SELECT count(*) FROM applications"
            " WHERE bureau_id = :b AND reached_level >= 2 AND status <> 'draft'"
        ),
        {"b": bureau},
    )
    pages = max(1, (int(total or 0) + 49) // 50)
    deep = min(1000, pages)
    moment, ident = None, None
    if deep > 1:
        moment, ident = setup.execute(
            text(
                "SELECT status_changed_at, id FROM applications WHERE bureau_id = :b AND reached_level >= 2 "
                "AND status <> 'draft' ORDER BY status_changed_at, id LIMIT 1 OFFSET :o"
            ),
            {"b": bureau, "o": (deep - 1) * 50 - 1},
        ).one()
        if isinstance(moment, str):  # SQLite hands back text from a raw statement
            moment = datetime.fromisoformat(moment)
    cursor = queues._encode(moment.replace(tzinfo=UTC), ident) if moment is not None else ""
    setup.close()

    cases = [
        ("page 1", "/review/queue?tab=all", queue_sql("all"), {"bureau": bureau}),
        (
            f"page {deep:,} (keyset, of {pages:,})",
            f"/review/queue?tab=all&after={cursor}",
            queue_sql("all", after=bool(cursor)),
            {
                "bureau": bureau,
                "moment": naive_utc(moment.replace(tzinfo=UTC)) if moment else None,
                "ident": ident,
            },
        ),
        (
            "filtered 工程/中级, page 1",
            "/review/queue?tab=all&series=工程&level=中级",
            queue_sql("all", filtered=True),
            {"bureau": bureau, "series": "工程", "level": "中级"},
        ),
        ("待初审 tab, page 1", "/review/queue?tab=handler", queue_sql("handler"), {"bureau": bureau}),
    ]
    if not cursor:
        cases[1] = (cases[1][0], "/review/queue?tab=all", queue_sql("all"), {"bureau": bureau})
    counts_per_request: list[int] = []
    page1_ms = 0.0
    for label, path, sql, params in cases:

        def ours(path: str = path) -> None:
            response = client.get(path, headers=HX)
            assert response.status_code == 200, (path, response.status_code)

        def floor(sql: str = sql, params: dict[str, Any] = params) -> None:
            with sql_engine.connect() as connection:
                queue_floor(connection, sql, params)

        ms = p50(ours)
        statements.count = 0
        ours()
        counts_per_request.append(statements.count)
        floor_ms = p50(floor)
        if label == "page 1":
            page1_ms = ms
        results.append(
            Result(
                engine,
                f"queue fragment, 50 rows, {label}",
                f"{ms:.1f} ms",
                f"{floor_ms:.1f} ms",
                ratio(ms, floor_ms),
                "≤1.5×",
                f"{traced_peak_mb(ours):.1f} MB",
            )
        )
        if label.startswith("page ") and label != "page 1":
            results.append(
                Result(
                    engine,
                    f"queue fragment, {label} vs page 1",
                    f"{ms:.1f} ms",
                    f"{page1_ms:.1f} ms",
                    ratio(ms, page1_ms),
                    "≤1.0× (no slower)",
                )
            )
    results.append(
        Result(
            engine,
            "SQL statements per fragment request (each case above)",
            " / ".join(str(n) for n in counts_per_request),
            target="constant",
        )
    )

    def full_page() -> None:
        assert client.get("/review/queue?tab=all").status_code == 200

    ms = p50(full_page, reps=max(5, REPS // 3))
    statements.count = 0
    full_page()
    results.append(
        Result(
            engine,
            "full queue page (tabs, counts, filter options), in process",
            f"{ms:.1f} ms",
            target=f"{statements.count} statements",
            peak=f"{traced_peak_mb(full_page):.1f} MB",
        )
    )

    def poll() -> None:
        etag = client.get("/review/queue?tab=all", headers=HX).headers["ETag"]
        assert client.get("/review/queue?tab=all", headers={**HX, "If-None-Match": etag}).status_code == 304

    def ours_counts() -> None:
        with app.app_context():
            queues.counts(db.session, actor, queues.Filters(), datetime.now(UTC))
            db.session.remove()

    def floor_counts() -> None:
        with sql_engine.connect() as connection:
            connection.execute(text(COUNTS_SQL), {"bureau": bureau}).all()

    statements.count = 0
    ours_counts()
    n = statements.count
    ms, floor_ms = p50(ours_counts), p50(floor_counts)
    results.append(
        Result(
            engine,
            f"queue counts, 5 tabs ({n} statements sent, BEGIN included)",
            f"{ms:.1f} ms",
            f"{floor_ms:.1f} ms",
            ratio(ms, floor_ms),
            "≤2×",
        )
    )
    event.remove(sql_engine, "before_cursor_execute", statements)
    poll()
    return results


WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_P99 = re.compile(r"^\s*99%\s+([\d.]+)(us|ms|s)", re.M)
WRK_BAD = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def _serve(module: str, env: dict[str, str], workers: int = 2) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            module,
        ],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn {module} did not start")


def _worker_peak_mb(master: int, field: str = "VmHWM") -> float:
    """The largest `field` (VmHWM: high-water resident size; VmRSS: resident now) over the workers."""
    peak = 0.0
    children = Path(f"/proc/{master}/task/{master}/children")
    for pid in children.read_text().split() if children.exists() else []:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                peak = max(peak, int(line.split()[1]) / 1024)
    return peak


def _wrk(url: str, seconds: int, headers: dict[str, str]) -> tuple[float, float, int, str]:
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(WRK_RPS.search(out).group(1))  # type: ignore[union-attr]
    match = WRK_P99.search(out)
    p99 = 0.0
    if match:
        p99 = float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
    bad = WRK_BAD.search(out)
    return rps, p99, int(bad.group(1)) if bad else 0, out


def _fresh_cookie(client: FlaskClient, cookie_name: str) -> str:
    """The login cookie with its idle clock set to now, as the app re-signs it once a minute."""
    with client.session_transaction() as cookie:
        cookie[SEEN] = int(time.time())
    fresh = client.get_cookie(cookie_name)
    assert fresh is not None
    return fresh.value


def _cookie_header(client: FlaskClient, cookie_name: str) -> str:
    return f"{cookie_name}={_fresh_cookie(client, cookie_name)}"


def load_benchmark(
    engine: str, url: str, client: FlaskClient, cookie_name: str, bureau: int, seconds: int
) -> list[Result]:
    if not shutil.which("wrk"):
        return [Result(engine, "full queue page under load (wrk)", "skipped: wrk not installed")]
    cookie = client.get_cookie(cookie_name)
    assert cookie is not None
    env = {
        "DATABASE_URL": url,
        "PORTAL_SECRET_KEY": SECRET,
        "BENCH_BUREAU": str(bureau),
        "PORTAL_LOGIN_RATE_LIMIT": "1000000 per minute",
    }
    ours_cookie = {"Cookie": f"{cookie_name}={cookie.value}"}
    etag = client.get("/review/queue?tab=all", headers=HX).headers["ETag"]
    poll = {**ours_cookie, **HX, "If-None-Match": etag}  # the header's value, quotes included
    figures: dict[str, tuple[float, float, int, float]] = {}
    runs = (  # name, server, path, headers, the status a first request must answer
        ("ours", "app:app", "/review/queue?tab=all", ours_cookie, 200),
        ("floor", "bench.floor_app:app", "/floor", {}, 200),
        ("ours-poll", "app:app", "/review/queue?tab=all", poll, 304),
        ("floor-poll", "bench.floor_app:app", "/poll", {"If-None-Match": '"floor-unchanged"'}, 304),
        ("ours-fragment", "app:app", "/review/queue?tab=all", {**ours_cookie, **HX}, 200),
    )
    steps: list[Step] = []
    for module in ("app:app", "bench.floor_app:app"):  # one server each, its runs back to back
        process, port = _serve(module, env)
        try:
            for name, server, path, headers, status in runs:
                if server != module:
                    continue
                if name == "ours-poll":
                    # A browser polling every 15 s holds a cookie whose idle clock the app re-signed
                    # within the minute; an unchanged poll with such a cookie is answered before Flask
                    # (portal/web/poll_shortcut.py). wrk keeps one cookie: give it a fresh clock.
                    headers = {**headers, "Cookie": f"{cookie_name}={_fresh_cookie(client, cookie_name)}"}
                target = f"http://127.0.0.1:{port}{path}"
                request = urllib.request.Request(target, headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:
                        answered = answer.status
                        assert status != 200 or b"queue" in answer.read(), name
                except urllib.error.HTTPError as error:  # urllib raises on a 304
                    answered = error.code
                assert answered == status, (name, answered)
                rps, p99, bad, _ = _wrk(target, seconds, headers)
                figures[name] = (rps, p99, bad, _worker_peak_mb(process.pid))
            if module == "app:app":
                target = f"http://127.0.0.1:{port}/review/queue?tab=all"
                # Each step's polls carry a cookie re-signed within the minute, as a polling browser's
                # is (it keeps what the app re-signs once a minute); a step lasts `seconds` (< 60).
                fresh = functools.partial(_cookie_header, client, cookie_name)
                steps = _capacity_steps(target, fresh, etag, seconds)
        finally:
            process.terminate()
            process.wait(timeout=30)
    ours, floor = figures["ours"], figures["floor"]
    note = f", {ours[2]} non-2xx" if ours[2] else ""
    results = [
        Result(
            engine,
            f"full queue page under load, gunicorn -w 2, wrk 16 conns {seconds}s (req/s)",
            f"{ours[0]:.0f}/s{note}",
            f"{floor[0]:.0f}/s",
            ratio(ours[0], floor[0]),
            "≥0.6×",
            f"{ours[3]:.0f} MB worker",
        ),
        Result(
            engine,
            "  the same run, p99 latency",
            f"{ours[1]:.0f} ms",
            f"{floor[1]:.0f} ms",
            ratio(ours[1], floor[1]),
            "≤1.5×",
        ),
    ]
    polls, bare = figures["ours-poll"], figures["floor-poll"]
    fragment = figures["ours-fragment"]
    results += [
        Result(
            engine,
            "unchanged poll (304, list fragment) under load, same set-up (req/s)",
            f"{polls[0]:.0f}/s",
            f"{bare[0]:.0f}/s",
            ratio(bare[0], polls[0]),
            "≤1.5× (floor/ours)",
        ),
        Result(
            engine,
            "  the same run, p99 latency",
            f"{polls[1]:.1f} ms",
            f"{bare[1]:.1f} ms",
            ratio(polls[1], bare[1]),
            "reported",
        ),
        Result(
            engine,
            "list fragment (200, 50 rows) under load, same set-up (req/s)",
            f"{fragment[0]:.0f}/s",
            target="reported",
            peak=f"p99 {fragment[1]:.0f} ms",
        ),
    ]
    results.append(_capacity(engine, polls, fragment))
    results.append(_bounded_capacity(engine, steps))
    return results


# The bounded capacity run: an open-loop client (asyncio, in this process) offers the rate of N reviewers —
# each polling the list and the tabs every 15 s, one poll in 1/CHANGED_SHARE rendering (no If-None-Match: a
# 200), the others answered 304 — with Poisson arrivals, for N in CAPACITY_STEPS until one is not held: a
# p99 over 300 ms or a failed request. Latency runs from the moment a request was due, not from when it
# could be sent, so a server falling behind shows in it (wrk's own delay() counts the wait between requests
# as latency when the server closes each connection, as gunicorn's sync workers do).
CAPACITY_STEPS = (500, 1000, 1500, 2000, 2500, 3000, 4000, 5000)


@dataclass(frozen=True)
class Step:
    reviewers: int
    offered: float  # requests per second
    answered: float
    p99: float  # ms
    failed: int

    @property
    def held(self) -> bool:
        return self.p99 <= 300 and self.failed == 0


async def _timed_request(host: str, port: int, payload: bytes, due: float) -> float:
    """One request on its own connection; milliseconds from when it was due to the whole answer."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(payload)
    await writer.drain()
    answer = await reader.read()  # to the end: the request asks the server to close
    writer.close()
    status = answer[9:12]
    if status not in (b"200", b"304"):
        raise RuntimeError(f"answered {status!r}")
    return (asyncio.get_running_loop().time() - due) * 1000


async def _offer(host: str, port: int, payloads: tuple[bytes, bytes], rate: float, seconds: int) -> Step:
    loop = asyncio.get_running_loop()
    rng = random.Random(20)
    every = round(1 / CHANGED_SHARE)
    start, at, sent = loop.time(), 0.0, 0
    tasks = []
    while True:
        at += rng.expovariate(rate)
        if at > seconds:
            break
        await asyncio.sleep(max(0.0, start + at - loop.time()))
        sent += 1
        payload = payloads[1] if sent % every == 0 else payloads[0]
        tasks.append(asyncio.create_task(_timed_request(host, port, payload, start + at)))
    done = await asyncio.gather(*tasks, return_exceptions=True)
    latencies = sorted(value for value in done if isinstance(value, float))
    failed = len(done) - len(latencies)
    elapsed = loop.time() - start
    p99 = latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("inf")
    return Step(0, rate, len(latencies) / elapsed, p99, failed)


def _capacity_steps(target: str, cookie: Callable[[], str], etag: str, seconds: int) -> list[Step]:
    url = urlsplit(target)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    steps: list[Step] = []
    for reviewers in CAPACITY_STEPS:
        head = (
            f"GET {url.path}?{url.query} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie()}\r\n"
            "HX-Request: true\r\nHX-Target: queue\r\nConnection: close\r\n"
        )
        unchanged = (head + f"If-None-Match: {etag}\r\n\r\n").encode()
        changed = (head + "\r\n").encode()
        found = asyncio.run(_offer(host, port, (unchanged, changed), reviewers * 2 / 15, seconds))
        steps.append(replace(found, reviewers=reviewers))
        if not steps[-1].held:
            break
    return steps


def _bounded_capacity(engine: str, steps: list[Step]) -> Result:
    held = [s for s in steps if s.held]
    best = held[-1] if held else None
    beyond = steps[-1] if steps and not steps[-1].held else None
    shown = "none held"
    if best is not None:
        shown = f"{best.reviewers:,} (p99 {best.p99:.0f} ms at {best.answered:.0f} req/s)"
    if beyond is not None:
        shown += f"; {beyond.reviewers:,}: {beyond.answered:.0f} of {beyond.offered:.0f} req/s"
        shown += f", p99 {beyond.p99:.0f} ms, {beyond.failed} failed"
    return Result(
        engine,
        "capacity, bounded run: reviewers held (their poll rate offered open-loop, p99 from when due)",
        shown,
        target="≥2,000 (p99 ≤ 300 ms, PostgreSQL)",
    )


CHANGED_SHARE = 0.1  # of polls that find something changed and render (capacity's mixed figure)


def _capacity(
    engine: str, polls: tuple[float, float, int, float], fragment: tuple[float, float, int, float]
) -> Result:
    """An estimate of the reviewers one instance holds, each polling the list and the counts every 15 s:
    from the measured throughputs (16 connections saturate both workers), with 1 poll in CHANGED_SHARE
    rendering the list (a 200) and the rest unchanged (304; the counts poll costs about a 304). Valid only
    where the runs' p99 stayed within 300 ms; otherwise reported as not held (the bounded run measures it)."""
    per_poll = (1 - CHANGED_SHARE) / polls[0] + CHANGED_SHARE / fragment[0]  # seconds of the instance
    reviewers = int(15 / (2 * per_poll))
    held = polls[1] <= 300 and fragment[1] <= 300
    return Result(
        engine,
        f"capacity estimate: reviewers polling every 15 s (list + counts, {CHANGED_SHARE:.0%} changed)",
        f"{reviewers:,}" if held else f"{reviewers:,} (p99 over 300 ms)",
        target="≥2,000 (p99 ≤ 300 ms, PostgreSQL)",
    )


def _probe(mode: str, url: str, bureau: int, token: str, membership: int, since: str) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.export_probe",
            mode,
            url,
            SECRET,
            str(bureau),
            token,
            str(membership),
            since,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


EXPORT_ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "100000"))


def top_up(engine: str, app: Any, bureau: int) -> list[Result]:
    """The export is measured at 100,000 certificate rows (issue 8): after the queue and load benchmarks,
    which keep the realistic spread, the largest bureau gets certified applications until it has them."""
    with app.app_context():
        started = time.perf_counter()
        added = top_up_certificates(db.session, bureau, EXPORT_ROWS, datetime.now(UTC))
        db.session.commit()
        if engine == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE applications"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        seconds = time.perf_counter() - started
    if not added:
        return []
    return [
        Result(
            engine,
            f"top-up: {added:,} certified applications to {EXPORT_ROWS:,} certificates",
            f"{seconds:.1f} s",
        )
    ]


def export_benchmarks(
    engine: str, url: str, app: Any, bureau: int, token: str, membership: int
) -> list[Result]:
    with app.app_context():
        total = int(
            db.session.scalar(
                text("SELECT count(*) FROM applications WHERE bureau_id = :b AND certificate_no IS NOT NULL"),
                {"b": bureau},
            )
            or 0
        )
        tenth = db.session.execute(
            text(
                "SELECT certified_at FROM applications WHERE bureau_id = :b AND certificate_no IS NOT NULL "
                "ORDER BY certified_at DESC LIMIT 1 OFFSET :o"
            ),
            {"b": bureau, "o": max(total // 10 - 1, 0)},
        ).scalar()
        db.session.rollback()
    if isinstance(tenth, str):
        tenth = datetime.fromisoformat(tenth)
    since = (
        (tenth.replace(tzinfo=UTC).astimezone(SHANGHAI).date() + timedelta(days=1)).isoformat()
        if tenth
        else ""
    )
    results: list[Result] = []
    figures = {}
    for label, cut in (("all", ""), ("tenth", since)):
        ours = _probe("ours", url, bureau, token, membership, cut)
        floor = _probe("floor", url, bureau, token, membership, cut)
        figures[label] = (ours, floor)
    ours, floor = figures["all"]
    small, _ = figures["tenth"]
    results.append(
        Result(
            engine,
            f"certificate Excel export, {total:,} rows (background job, then download)",
            f"{ours['seconds']:.2f} s",
            f"{floor['seconds']:.2f} s",
            ratio(ours["seconds"], floor["seconds"]),
            "≤1.3×",
            f"+{ours['growth_mb']:.1f} MB (floor +{floor['growth_mb']:.1f})",
        )
    )
    results.append(
        Result(
            engine,
            "  peak RSS growth: all rows vs about a tenth",
            f"+{ours['growth_mb']:.1f} MB",
            f"+{small['growth_mb']:.1f} MB",
            f"{ours['growth_mb'] - small['growth_mb']:+.1f} MB",
            "within 10 MB",
        )
    )
    return results


PACKAGE_PAGES = 30


def package_benchmark(engine: str, url: str, bureau: int) -> list[Result]:
    """The package PDF of an application with 30 scanned pages (bench/package_probe.py, a fresh process
    each): ours builds it through the service in a worker whose PDF rendering is set up (as a preloading
    server does at start), cold as the first PDF of a fresh process; the floor only joins the same scans
    with pypdf."""
    figures = {}
    for mode in ("floor", "ours", "cold"):
        out = subprocess.run(
            [sys.executable, "-m", "bench.package_probe", mode, url, str(bureau), str(PACKAGE_PAGES)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        figures[mode] = json.loads(out.strip().splitlines()[-1])
    ours, floor, cold = figures["ours"], figures["floor"], figures["cold"]
    return [
        Result(
            engine,
            f"package PDF, {PACKAGE_PAGES} scanned pages ({ours['pages']} pages bound, "
            f"{ours['bytes'] / 1024 / 1024:.1f} MB), rendering set up",
            f"{ours['seconds']:.2f} s",
            f"{floor['seconds']:.2f} s",
            ratio(ours["seconds"], floor["seconds"]),
            "≤ 2 s, ≤ +60 MB",
            f"+{ours['growth_mb']:.0f} MB (floor +{floor['growth_mb']:.0f})",
        ),
        Result(
            engine,
            "  the same, first PDF of a fresh process (WeasyPrint imported, fonts loaded)",
            f"{cold['seconds']:.2f} s",
            target="reported",
            peak=f"+{cold['growth_mb']:.0f} MB",
        ),
    ]


def handoff_benchmark(engine: str) -> list[Result]:
    """The JX hand-off of an application with a 30-page scan and a 12-megapixel photo (bench/
    handoff_probe.py, a fresh process each): every file brought under 2 MB; the floor re-saves them."""
    figures = {}
    for mode in ("floor", "ours"):
        out = subprocess.run(
            [sys.executable, "-m", "bench.handoff_probe", mode],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        figures[mode] = json.loads(out.strip().splitlines()[-1])
    ours, floor = figures["ours"], figures["floor"]
    return [
        Result(
            engine,
            f"JX hand-off, 30 scanned pages + 12 MP photo ({ours['files']} files, largest "
            f"{ours['largest_bytes'] / 1024 / 1024:.2f} MB)",
            f"{ours['seconds']:.2f} s",
            f"{floor['seconds']:.2f} s",
            ratio(ours["seconds"], floor["seconds"]),
            "reported",
            f"+{ours['growth_mb']:.0f} MB (floor +{floor['growth_mb']:.0f})",
        )
    ]


UPLOAD_MB = 20


def _scan_pdf(megabytes: float, pages: int = 2, seed: int = 7) -> bytes:
    """A PDF of phone-photo-like pages (noise compresses badly, like a real scan) of about `megabytes`."""
    import io
    import random

    from PIL import Image

    rng = random.Random(seed)
    side = int((megabytes * 1024 * 1024 / pages / 1.18) ** 0.5)  # JPEG q95 of noise: ~1.18 bytes a pixel
    images = [Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3)) for _ in range(pages)]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], quality=95, resolution=200)
    return out.getvalue()


def _multipart(fields: dict[str, str], filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "----portal-bench-" + os.urandom(8).hex()
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    body = b"".join(parts) + head + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The upload's answer is its 303; the page it points to is the browser's next request, not the upload."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _post(url: str, body: bytes, content_type: str, cookie: str) -> tuple[int, float]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": content_type, "Cookie": cookie}
    )
    opener = urllib.request.build_opener(_NoRedirect)
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=300) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as answered:  # a 303 not followed arrives here too
        answered.read()
        status = answered.code
    return status, time.perf_counter() - started


def _reset_worker_peaks(master: int) -> None:
    """Start each worker's high-water mark afresh (Linux: 5 > clear_refs), so one upload's peak is its own."""
    children = Path(f"/proc/{master}/task/{master}/children")
    for pid in children.read_text().split() if children.exists() else []:
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def _worker_pid(master: int) -> int:
    return int(Path(f"/proc/{master}/task/{master}/children").read_text().split()[0])


UPLOAD_SIZES = (5, 10, 20)  # MB: the growth must be flat across them (issue 20)
UPLOAD_REPS = int(os.environ.get("BENCH_UPLOAD_REPS", "3"))  # distinct files of each size


def upload_benchmark(engine: str, url: str, app: Any) -> list[Result]:
    """Scanned PDFs of 5, 10 and 20 MB into an applicant's checklist slot under gunicorn (one worker),
    against a bare route receiving the same upload (both servers up, taking turns): the time to the
    upload's answer (its 303; the page it redirects to is not followed), the median of UPLOAD_REPS
    distinct files, and the worker's resident-size growth (VmRSS just before the upload, VmHWM after it,
    the mark reset before each; the largest of the repetitions). A small upload first warms both
    (imports, templates, pools). With BENCH_PROFILE=DIR, py-spy records the worker during one more
    upload of the largest size into DIR/upload-<engine>.svg (a flame graph; bench/profiles/ keeps them)."""
    from portal.models import Application, User
    from portal.services.submissions import new_token

    with app.app_context():
        draft = db.session.scalars(
            select(Application).where(Application.status == "draft").order_by(Application.id).limit(1)
        ).first()
        if draft is None:
            return [Result(engine, f"{UPLOAD_MB} MB upload", "skipped: no draft application in the data")]
        applicant = db.session.get(User, draft.applicant_id)
        assert applicant is not None
        token = auth.start_session(db.session, applicant, datetime.now(UTC))
        db.session.commit()
        target = f"/me/applications/{draft.id}/materials"
        page = f"/me/applications/{draft.id}"
    client = app.test_client()
    with client.session_transaction() as session_cookie:
        session_cookie["_user_id"] = token
        session_cookie["_fresh"] = True
    html = client.get(page).get_data(as_text=True)
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', html)
    cookie_value = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if csrf is None or cookie_value is None:
        return [Result(engine, f"{UPLOAD_MB} MB upload", "skipped: could not log in as the applicant")]
    cookie = f"{app.config['SESSION_COOKIE_NAME']}={cookie_value.value}"
    # Distinct files (a new hash each), the same bytes to ours and to the floor.
    scans = {
        (mb, rep): _scan_pdf(mb, seed=100 * mb + rep) for mb in UPLOAD_SIZES for rep in range(UPLOAD_REPS)
    }
    small = _scan_pdf(0.2, pages=1)
    fields = {"csrf_token": csrf.group(1), "slot": "other", "kind": "original"}
    times: dict[tuple[str, int], list[float]] = {}
    growths: dict[tuple[str, int], list[float]] = {}
    profile_dir = os.environ.get("BENCH_PROFILE", "")
    with tempfile.TemporaryDirectory(prefix="portal-bench-files-") as store:
        env = {
            "DATABASE_URL": url,
            "PORTAL_SECRET_KEY": SECRET,
            "PORTAL_STORAGE_DIR": store,
            "BENCH_UPLOAD_DIR": store,
            "PORTAL_MAX_UPLOAD_MB": str(UPLOAD_MB + 5),
            "PORTAL_MATERIAL_FILE_LIMIT_KB": str((UPLOAD_MB + 5) * 1024),
            "PORTAL_LOGIN_RATE_LIMIT": "1000000 per minute",
        }
        servers = {
            name: (*_serve(module, env, workers=1), path)
            for name, module, path in (
                ("ours", "app:app", target),
                ("floor", "bench.floor_app:app", "/upload"),
            )
        }
        try:

            def upload(name: str, label: str, data: bytes) -> tuple[float, float]:
                process, port, path = servers[name]
                # A fresh one-time token each time, as each rendering of the upload form has (issue 17.2).
                body, content_type = _multipart({**fields, "form_token": new_token()}, label, data)
                _reset_worker_peaks(process.pid)
                before = _worker_peak_mb(process.pid, "VmRSS")
                status, seconds = _post(f"http://127.0.0.1:{port}{path}", body, content_type, cookie)
                assert status in (200, 303), (name, label, status)
                return seconds, _worker_peak_mb(process.pid) - before

            for name in servers:
                upload(name, "warm.pdf", small)
            # Ours and the floor take turns, so a busy moment of the machine falls on both alike.
            for (mb, rep), data in scans.items():
                for name in servers:
                    seconds, growth = upload(name, f"scan-{mb}-{rep}.pdf", data)
                    times.setdefault((name, mb), []).append(seconds)
                    growths.setdefault((name, mb), []).append(growth)
            if profile_dir:  # one more upload of the largest size, under py-spy (not timed)
                process = servers["ours"][0]
                graph = Path(profile_dir) / f"upload-{engine}.svg"
                spy = subprocess.Popen(
                    [str(Path(sys.executable).parent / "py-spy"), "record", "--rate", "500",
                     "--pid", str(_worker_pid(process.pid)), "--output", str(graph)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
                time.sleep(1.0)  # py-spy attaches
                upload("ours", "profiled.pdf", _scan_pdf(max(UPLOAD_SIZES), seed=1))
                spy.send_signal(2)  # SIGINT: py-spy writes the flame graph and exits
                spy.wait(timeout=60)
        finally:
            for process, _, _ in servers.values():
                process.terminate()
                process.wait(timeout=30)
    figures = {
        key: (statistics.median(times[key]), max(growths[key])) for key in times
    }  # time: the median; growth: the largest of the repetitions
    largest = max(UPLOAD_SIZES)
    ours, floor = figures[("ours", largest)], figures[("floor", largest)]
    size = f"{len(scans[(largest, 0)]) / 1024 / 1024:.1f} MB"
    results = [
        Result(
            engine,
            f"{size} scanned PDF upload, gunicorn -w 1 (time, median of {UPLOAD_REPS})",
            f"{ours[0] * 1000:.0f} ms",
            f"{floor[0] * 1000:.0f} ms",
            ratio(ours[0], floor[0]),
            "≤1.3×",
        )
    ]
    for mb in UPLOAD_SIZES:
        ours, floor = figures[("ours", mb)], figures[("floor", mb)]
        results.append(
            Result(
                engine,
                f"  worker RSS growth, {len(scans[(mb, 0)]) / 1024 / 1024:.1f} MB upload",
                f"+{ours[1]:.1f} MB",
                f"+{floor[1]:.1f} MB",
                f"{ours[1] - floor[1]:+.1f} MB",
                "≤ +10 MB, flat",
            )
        )
    return results


def domain_benchmarks() -> list[Result]:
    """Pure functions: per-call time only (they have no floor but themselves)."""
    from portal.domain.eligibility import Facts, check
    from portal.domain.policy import load_profiles
    from portal.domain.workdays import WorkCalendar

    results = []
    calendar = WorkCalendar.default()
    days = [date(2026, 1, 1) + timedelta(days=i % 340) for i in range(5000)]  # 2026 is in the package

    def periods() -> None:
        for day in days:
            calendar.notice_period(day, 5)

    ms = p50(periods, reps=5, warm=1)
    results.append(
        Result(
            "any",
            "notice period (5 working days), per call",
            f"{ms * 1000 / len(days):.1f} µs",
            target="reported",
        )
    )
    profile = load_profiles()["ganzhou-2026"]
    facts = Facts.from_json(ELIGIBILITY_FACTS)

    def checks() -> None:
        for _ in range(500):
            check(profile, facts)

    ms = p50(checks, reps=5, warm=1)
    results.append(
        Result(
            "any",
            "eligibility check (ganzhou-2026, 认定 中级), per call",
            f"{ms * 1000 / 500:.0f} µs",
            target="reported",
        )
    )
    return results


ELIGIBILITY_FACTS: dict[str, Any] = {
    "pathway": "认定",
    "series": "工程技术",
    "specialty": "机械工程",
    "level": "中级",
    "cutoff": "2026-06-30",
    "employer": {"ownership": "国有", "region": "章贡区"},
    "employment_type": "劳动合同",
    "education": [{"level": "本科", "degree": "学士", "major": "机械工程", "graduated_on": "2020-06-30"}],
    "major_matches": True,
    "work": [{"from": "2020-07-01", "to": None, "professional": True, "internship": False}],
    "current_title": {"level": "助理级", "obtained_on": "2021-09-01"},
    "qualifications": [],
    "social_insurance": {"months": 60, "unit_matches": True},
    "continuing_education_hours": {"2023": 90},
}


def table(results: list[Result]) -> str:
    head = ("engine", "benchmark", "ours", "floor", "ratio", "target", "peak memory")
    rows = [head] + [(r.engine, r.name, r.ours, r.floor, r.ratio, r.target, r.peak) for r in results]
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + "---|" * len(head))
    return "\n".join(lines)


def machine() -> str:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"nproc {os.cpu_count()}, CPU {model or platform.processor()}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--applications", type=int, default=int(os.environ.get("BENCH_APPLICATIONS", "100000"))
    )
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--postgresql", default="", help="an admin URL; a bench database is created on it")
    parser.add_argument("--load-seconds", type=int, default=int(os.environ.get("BENCH_LOAD_SECONDS", "10")))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "last-run.md")
    parser.add_argument(
        "--only",
        default=os.environ.get("BENCH_ONLY", ",".join(GROUPS)),
        help=f"comma-separated benchmark groups to run after seeding (of {', '.join(GROUPS)}; default all)",
    )
    args = parser.parse_args()
    only = frozenset(group.strip() for group in args.only.split(",") if group.strip())
    if only - set(GROUPS):
        parser.error(f"unknown group(s) {sorted(only - set(GROUPS))}; choose from {', '.join(GROUPS)}")
    started = time.perf_counter()
    results: list[Result] = []
    if args.sqlite:
        with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
            results += run_engine(
                "sqlite", f"sqlite:///{folder}/bench.sqlite3", args.applications, args.load_seconds, only
            )
    if args.postgresql:
        name = f"portal_bench_{os.getpid()}"
        admin = create_engine(args.postgresql, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(args.postgresql).set(database=name).render_as_string(hide_password=False)
        try:
            results += run_engine("postgresql", url, args.applications, args.load_seconds, only)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    if only == set(GROUPS):
        results += domain_benchmarks()
    report = (
        f"{machine()}; {args.applications:,} applications; run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{(time.perf_counter() - started) / 60:.1f} min\n\n{table(results)}\n"
    )
    print("\n" + report)
    if only == set(GROUPS):  # a partial run is printed, never written over the full table
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
