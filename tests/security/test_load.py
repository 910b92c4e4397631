"""T-LOAD-01: a bounded load smoke against the real server — slowdowns and leaks, not a benchmark.

20 concurrent clients send the plan's mix to `flask run` (threaded werkzeug, a child process): 70% the
public notice page (no login, as people scanning the wall poster's QR code), 20% an authenticated list
(a reviewer's queue page), 10% small uploads (applicants adding a photo to a checklist slot of their
draft). Pass: no failed request at all, and the server's resident memory after the run within 50 MB of
where it was after a warm-up.

Response times are reported (p50/p95 per kind, printed and attached to the test's record), never
asserted: the house rule keeps timings out of tests (a busy 2-core CI machine is not the product);
`make bench` measures speed as ratios. `make test` sends 600 requests; `PORTAL_TEST_PROFILE=full`
(make test-full) sends the plan's 5,000.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import select

from portal import create_app
from portal.domain.workflow import Status
from portal.extensions import db
from portal.models import Notice, StoredFile
from portal.services import notices
from portal.services.submissions import new_token
from portal.storage.local import LocalStorage
from tests.dbsetup import database_url
from tests.factories import STEPS_TO, make_application, make_world
from tests.factories import STORAGE as FACTORY_STORAGE
from tests.security.live import ROOT, Person, Server

FULL = os.environ.get("PORTAL_TEST_PROFILE") == "full"
REQUESTS = 5000 if FULL else 600
CLIENTS = 20
APPLICANTS = 16 if FULL else 4  # the materials quota is 40 files per applicant
NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
SECRET = "load-test-secret-key-" + "k" * 32
RSS_GROWTH_LIMIT_KB = 50 * 1024


def _photo(seed: int) -> bytes:
    """A small phone-photo-like JPEG (about 30 KB), different every time so each is a new file."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (120, 90), rng.randbytes(120 * 90 * 3)).resize((480, 360))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@dataclass
class Site:
    env: dict[str, str]
    notice_path: str
    notice_status: int  # 200 while the page names people; 410 once it only says the notice has ended
    reviewer_phone: str
    applicants: list[tuple[str, int]]  # (phone, draft application id)


@pytest.fixture
def site(tmp_path: Path, worker_id: str) -> Iterator[Site]:
    url = database_url(f"portal_load_{worker_id}", tmp_path)
    store = tmp_path / "files"
    app = create_app(
        {"TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": url, "PORTAL_STORAGE_DIR": str(store)}
    )
    with app.app_context():
        upgrade()
        session = db.session
        world = make_world(session)
        in_notice = [
            make_application(session, world, NOW, steps=STEPS_TO[Status.IN_NOTICE]) for _ in range(3)
        ]
        drafts = [make_application(session, world, NOW) for _ in range(APPLICANTS)]
        server_store = LocalStorage(store)
        for stored in session.scalars(select(StoredFile)):  # the factories' scans live in their own store
            server_store.put(FACTORY_STORAGE.get(stored.sha256))
        notice = session.scalars(select(Notice).order_by(Notice.id)).first()
        assert notice and all(a.status == Status.IN_NOTICE.value for a in in_notice)
        token = notice.public_token
        # The server runs on the real clock, the data on NOW: past its public days (issue 16.15) the page
        # is the "公示已结束" one, which is what the load test has been reading on any later date.
        public = notices.is_public(session, notice, datetime.now(UTC))
        session.commit()
        built = Site(
            env={
                **os.environ,
                "DATABASE_URL": url,
                "PORTAL_SECRET_KEY": SECRET,
                "PORTAL_STORAGE_DIR": str(store),
                "PORTAL_LOGIN_RATE_LIMIT": "100000 per minute",
                "PORTAL_PROFILE": "development",
                "PYTHONPATH": str(ROOT),
            },
            notice_path=f"/public/notices/{token}",
            notice_status=200 if public else 410,
            reviewer_phone=world.enterprise.handler.phone,
            applicants=[(d.applicant.phone, d.id) for d in drafts],
        )
    built.env.pop("FLASK_DEBUG", None)
    yield built
    with app.app_context():
        db.engine.dispose()


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, call: Callable[[], tuple[int, str]], expected: int) -> None:
        started = time.perf_counter()
        try:
            status, detail = call()
        except Exception as error:  # a refused connection or a timeout is a failed request too
            status, detail = 0, repr(error)
        elapsed = time.perf_counter() - started
        with self.lock:
            self.times.setdefault(kind, []).append(elapsed)
            if status != expected:
                self.failures.append(f"{kind}: {status} {detail[:200]}")

    def report(self) -> str:
        lines = []
        for kind, values in sorted(self.times.items()):
            ordered = sorted(values)
            p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
            lines.append(
                f"{kind}: {len(values)} requests, p50 {statistics.median(values) * 1000:.0f} ms, "
                f"p95 {p95 * 1000:.0f} ms"
            )
        return "; ".join(lines)


def _tracebacks(log: Path) -> str:
    """The server's tracebacks, for the failure message (the log goes with the test's temporary folder)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    start = text.find("Traceback")
    return text[start : start + 6000] if start >= 0 else text[-2000:]


def test_twenty_clients_of_the_mixed_load_get_no_error_and_the_server_does_not_grow(
    site: Site, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    server = Server(site.env, tmp_path / "server.log")
    server.start()
    try:
        reviewer = Person(server, site.reviewer_phone, landing="/review/queue")
        applicants = [
            (Person(server, phone, landing=f"/me/applications/{draft}"), draft)
            for phone, draft in site.applicants
        ]
        anonymous = requests.Session()  # the public page: no login, a fresh browser
        for person in [reviewer, *(p for p, _ in applicants)]:  # one connection per client thread
            person.http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=CLIENTS))
        anonymous.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=CLIENTS))

        def notice() -> tuple[int, str]:
            answer = anonymous.get(server.url + site.notice_path, timeout=30)
            return answer.status_code, answer.text if answer.status_code != site.notice_status else ""

        def queue() -> tuple[int, str]:
            answer = reviewer.http.get(f"{server.url}/review/queue", timeout=30)
            return answer.status_code, answer.text if answer.status_code != 200 else ""

        uploads = iter(range(10**6))
        upload_lock = threading.Lock()

        def upload() -> tuple[int, str]:
            with upload_lock:
                number = next(uploads)
            person, draft = applicants[number % len(applicants)]
            answer = person.http.post(
                f"{server.url}/me/applications/{draft}/materials",
                data={
                    "csrf_token": person.csrf,
                    "slot": "other",
                    "kind": "original",
                    "form_token": new_token(),
                },
                files={"files": (f"照片{number}.jpg", _photo(number), "image/jpeg")},
                allow_redirects=False,
                timeout=60,
            )
            return answer.status_code, answer.text

        # Warm-up: every kind once, so imports, templates and pools are in place before the baseline.
        warm = Tally()
        warm.timed("notice", notice, site.notice_status)
        warm.timed("queue", queue, 200)
        warm.timed("upload", upload, 303)
        assert not warm.failures, warm.failures
        baseline = server.resident_kb()

        rng = random.Random(1)
        plan = rng.choices(["notice", "queue", "upload"], weights=[70, 20, 10], k=REQUESTS)
        calls = {"notice": (notice, site.notice_status), "queue": (queue, 200), "upload": (upload, 303)}
        tally = Tally()
        cursor = iter(plan)
        cursor_lock = threading.Lock()

        def client() -> None:
            while True:
                with cursor_lock:
                    kind = next(cursor, None)
                if kind is None:
                    return
                call, expected = calls[kind]
                tally.timed(kind, call, expected)

        threads = [threading.Thread(target=client, name=f"client-{n}", daemon=True) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        grown_kb = server.resident_kb() - baseline
        report = f"{tally.report()}; RSS growth {grown_kb / 1024:.1f} MB"
        record_property("load", report)
        print(f"\nT-LOAD-01 ({REQUESTS} requests, {CLIENTS} clients): {report}")

        assert sum(len(v) for v in tally.times.values()) == REQUESTS
        assert tally.failures == [], (tally.failures[:10], _tracebacks(tmp_path / "server.log"))
        assert grown_kb < RSS_GROWTH_LIMIT_KB, report
    finally:
        server.stop()
