"""Several instances, one database (issue 19 point 5), driven like people would: every scenario against
the deployment of conftest.py (PostgreSQL, Redis, moto's S3 server, two gunicorn instances with their
workers, nginx in front). The journeys run in order; the last kills an instance.
"""

from __future__ import annotations

import hashlib
import re
import signal
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from e2e.helpers import act_in_queue, log_in
from portal.models import Application, AuditEvent, Job, JobKind, Material, Notice, StoredFile, User
from portal.services.submissions import new_token
from scaleout.conftest import LOGIN_LIMIT, Deployment
from tests.imaging import pdf

expect.set_options(timeout=20_000)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
DEMO_PASSWORD = "Demo@2026"
SOE_HANDLER, SOE_LEADER = "13870700006", "13870700007"  # 黄丽华, 曾宪明
DEPT_HANDLERS = ("13870700004", "13870700010")  # 谢晓燕, 钟敏
DRAFTING_APPLICANT = "13970700011"  # 陈思远, a draft


class Browserless:
    """One person over HTTP: logged in on one instance, sending forms with their CSRF token."""

    def __init__(self, base: str, phone: str) -> None:
        self.http = requests.Session()
        page = self.http.get(f"{base}/login", timeout=20)
        answer = self.http.post(
            f"{base}/login",
            data={"csrf_token": _token(page.text), "login": phone, "password": DEMO_PASSWORD},
            allow_redirects=False,
            timeout=20,
        )
        assert answer.status_code == 303, answer.text[:300]
        self.csrf = _token(self.http.get(f"{base}/inbox", timeout=20).text)


def _token(html: str) -> str:
    found = TOKEN.search(html)
    assert found, html[:300]
    return found.group(1)


@pytest.fixture(scope="module")
def database(deployment: Deployment) -> Iterator[Session]:
    engine = create_engine(deployment.database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Any]:
    """Pages whose console errors and uncaught exceptions fail the journey."""
    contexts, problems = [], []

    def make(base: str) -> Page:
        context = browser.new_context(base_url=base, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()

        def on_console(message: ConsoleMessage) -> None:
            # A failed load is reported below with its URL (the browser's own favicon request aside).
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                problems.append(f"{page.url}: {message.text}")

        def on_response(response: Any) -> None:
            if response.status >= 400 and not response.url.endswith("/favicon.ico"):
                problems.append(f"{response.status} {response.request.method} {response.url}")

        page.on("console", on_console)
        page.on("response", on_response)
        page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert problems == []


def _application_of(database: Session, phone: str) -> Application:
    database.expire_all()
    application = database.scalars(
        select(Application).join(User, User.id == Application.applicant_id).where(User.phone == phone)
    ).first()
    assert application is not None
    return application


@pytest.fixture(scope="module")
def ended_notice(deployment: Deployment, database: Session) -> int:
    """A notice whose period ended last week, published before the instances started looking: the
    scheduled job on each instance's worker must close it, exactly once between them."""
    from portal import create_app
    from portal.extensions import db
    from portal.models import Membership, StaffRole
    from portal.services import notices
    from portal.services.actors import actor_for

    app = create_app(
        {"DATABASE_URL": deployment.database_url, "SECRET_KEY": "x" * 40,
         "PORTAL_REDIS_URL": deployment.env["PORTAL_REDIS_URL"]}
    )  # fmt: skip
    with app.app_context():
        session = db.session

        def actor(phone: str):  # type: ignore[no-untyped-def]
            user = session.scalars(select(User).where(User.phone == phone)).one()
            membership = session.scalars(select(Membership).where(Membership.user_id == user.id)).first()
            assert membership is not None and membership.role in (
                StaffRole.HANDLER.value,
                StaffRole.LEADER.value,
            )
            return actor_for(user, membership)

        applicant = session.scalars(select(User).where(User.name == "孙嘉怡")).one()
        application = session.scalars(
            select(Application).where(Application.applicant_id == applicant.id)
        ).one()
        then = datetime.now(UTC) - timedelta(days=21)
        data = notices.NoticeInput(
            "公示", "一楼公示栏", "人事部 0797-1234567", (then + timedelta(days=1)).date().isoformat()
        )
        notice = notices.draft_notice(session, actor(SOE_HANDLER), data, [application.id], then)
        notices.publish_notice(session, actor(SOE_LEADER), notice.id, then)
        session.commit()
        notice_id = notice.id
        db.session.remove()
        db.engine.dispose()
    return notice_id


def test_a_clerk_logs_in_on_one_instance_and_finishes_the_review_on_the_other(
    deployment: Deployment, new_page: Any, ended_notice: int
) -> None:
    a, b = deployment.instances["a"].url, deployment.instances["b"].url
    page: Page = new_page(a)
    log_in(page, SOE_HANDLER)  # the session is made on instance a ...
    response = page.goto(f"{b}/review/queue")  # ... and opens the queue on instance b
    assert response is not None and response.headers["x-portal-instance"] == "b"
    act_in_queue(page, "待初审", "李静怡", "经办人初审通过")
    assert page.url.startswith(b)


def test_a_file_uploaded_through_one_instance_comes_down_through_the_other_with_its_hash(
    deployment: Deployment, database: Session
) -> None:
    a, b = deployment.instances["a"].url, deployment.instances["b"].url
    application = _application_of(database, DRAFTING_APPLICANT)
    person = Browserless(a, DRAFTING_APPLICANT)
    scan = pdf(3)
    uploaded = person.http.post(
        f"{a}/me/applications/{application.id}/materials",
        # An upload form carries a one-time token (portal/web/once.py): a fresh one, as each rendering.
        data={"csrf_token": person.csrf, "form_token": new_token(), "slot": "other", "kind": "original"},
        files={"files": ("毕业证书.pdf", scan, "application/pdf")},
        allow_redirects=False,
        timeout=60,
    )
    assert uploaded.status_code == 303 and uploaded.headers["X-Portal-Instance"] == "a", uploaded.text[:300]
    database.expire_all()
    material = database.scalars(
        select(Material).where(Material.application_id == application.id).order_by(Material.id.desc())
    ).first()
    assert material is not None
    stored = database.get(StoredFile, material.file_id)
    assert stored is not None
    back = person.http.get(
        f"{b}/files/applications/{application.id}/materials/{material.id}?download=1", timeout=60
    )
    assert back.status_code == 200 and back.headers["X-Portal-Instance"] == "b"
    assert hashlib.sha256(back.content).hexdigest() == stored.sha256  # the key it was stored under


def test_eight_concurrent_approvals_over_both_instances_one_wins(
    deployment: Deployment, database: Session
) -> None:
    a, b = deployment.instances["a"].url, deployment.instances["b"].url
    application = database.scalars(
        select(Application).join(User, User.id == Application.applicant_id).where(User.name == "王子涵")
    ).one()
    reviewers = [(Browserless(a, DEPT_HANDLERS[0]), a), (Browserless(b, DEPT_HANDLERS[1]), b)]
    before = database.scalar(select(func.max(AuditEvent.id)))
    start, results, lock = threading.Barrier(8), [], threading.Lock()

    def approve(person: Browserless, base: str) -> None:
        start.wait()
        answer = person.http.post(
            f"{base}/review/applications/{application.id}/act",
            # Ganzhou's department confirms its check of work experience and achievements (EXP-03).
            data={"csrf_token": person.csrf, "action": "handler_approve", "verified": "1"},
            headers={"HX-Request": "true"},
            allow_redirects=False,
            timeout=60,
        )
        with lock:
            results.append((answer.status_code, answer.headers.get("X-Portal-Instance")))

    threads = [threading.Thread(target=approve, args=reviewers[n % 2]) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    codes = sorted(code for code, _ in results)
    assert {where for _, where in results} == {"a", "b"} and len(results) == 8
    # The loser either lost the compare-and-set (409 已被他人处理) or came after the winner's commit and
    # found the action no longer open (422): either way refused, never a second approval.
    assert codes.count(200) == 1 and all(code in (409, 422) for code in codes if code != 200), results
    database.expire_all()
    approvals = database.scalar(
        select(func.count()).where(
            AuditEvent.object_type == "application",
            AuditEvent.object_id == application.id,
            AuditEvent.action == "handler_approve",
            AuditEvent.outcome == "ok",
            AuditEvent.id > before,
        )
    )
    assert approvals == 1


def test_a_logout_on_one_instance_ends_the_polls_answered_from_memory_on_the_other(
    deployment: Deployment,
) -> None:
    """An unchanged queue poll is answered from each worker's memory while the change feed (PostgreSQL's
    NOTIFY, services/change_feed.py) hears nothing: a logout on instance a must reach every worker of b."""
    a, b = deployment.instances["a"].url, deployment.instances["b"].url
    person = Browserless(a, SOE_LEADER)
    queue, hx = f"{b}/review/queue?tab=all", {"HX-Request": "true", "HX-Target": "queue"}
    first = person.http.get(queue, headers=hx, timeout=20)
    assert first.status_code == 200 and first.headers["X-Portal-Instance"] == "b"
    tag = {**hx, "If-None-Match": first.headers["ETag"]}
    # Enough polls for each of b's workers to answer one through Flask and the next from memory.
    assert {person.http.get(queue, headers=tag, timeout=20).status_code for _ in range(20)} == {304}
    cookies = person.http.cookies.copy()  # what a second copy of the cookie (another tab) still holds
    out = person.http.post(f"{a}/logout", data={"csrf_token": person.csrf}, allow_redirects=False, timeout=20)
    assert out.status_code == 303
    time.sleep(0.5)  # the notification's way to b's workers (milliseconds; a poll comes every 15 s)
    after = [requests.get(queue, headers=tag, cookies=cookies, timeout=20) for _ in range(20)]
    assert all(answer.status_code != 304 for answer in after), [a.status_code for a in after]
    assert all("/login" in answer.headers.get("HX-Redirect", "") for answer in after)


def test_the_login_limit_counts_attempts_across_both_instances(deployment: Deployment) -> None:
    bases = [deployment.instances["a"].url, deployment.instances["b"].url]
    codes = []
    for n in range(LOGIN_LIMIT + 10):
        base = bases[n % 2]
        with requests.Session() as browser:
            # One client behind the proxy (a documentation address in X-Forwarded-For, which the one
            # trusted proxy hop reports), its attempts spread over both instances.
            forwarded = {"X-Forwarded-For": "203.0.113.7"}
            page = browser.get(f"{base}/login", headers=forwarded, timeout=20)
            answer = browser.post(
                f"{base}/login",
                data={"csrf_token": _token(page.text), "login": "13900000000", "password": "wrong-Pass1"},
                headers=forwarded,
                timeout=20,
            )
            codes.append(answer.status_code)
    assert codes.count(422) == LOGIN_LIMIT and codes.count(429) == 10, codes


def test_a_notice_that_ended_is_closed_exactly_once_by_the_two_workers(
    deployment: Deployment, database: Session, ended_notice: int
) -> None:
    def closed() -> bool:
        database.expire_all()
        notice = database.get(Notice, ended_notice)
        return notice is not None and notice.status == "closed"

    from tests.jobs.processes import wait_until

    wait_until(closed, seconds=150, what="the notice closed by a worker's scheduled job", interval=1)
    closes = database.scalar(
        select(func.count()).where(
            AuditEvent.action == "close_notice",
            AuditEvent.object_type == "notice",
            AuditEvent.object_id == ended_notice,
        )
    )
    assert closes == 1
    runs = database.execute(
        select(Job.slot, func.count()).where(Job.kind == JobKind.CLOSE_NOTICES.value).group_by(Job.slot)
    ).all()
    assert runs and all(count == 1 for _, count in runs)  # one run per minute between both workers
    logs = [i.worker.output() for i in deployment.instances.values()]
    assert all("close_notices_every_minute" in log for log in logs)  # both workers tried each minute


def _unit_opinion_recorded(database: Session, name: str) -> None:
    """The unit's opinion (基层单位意见, EXP-04), which its leader's signature waits for, recorded by the
    enterprise's handler through the service, as the demo's own walk does."""
    from portal.demo import DEMO_OPINION
    from portal.demo_committee import _actor_in
    from portal.models import Organisation, StaffRole
    from portal.services import unit_opinions

    application = database.scalars(
        select(Application).join(User, User.id == Application.applicant_id).where(User.name == name)
    ).one()
    enterprise = database.get(Organisation, application.enterprise_id)
    assert enterprise is not None
    handler = _actor_in(database, enterprise, StaffRole.HANDLER)
    if unit_opinions.opinion_of(database, application.id) is None:
        unit_opinions.record_opinion(database, handler, application.id, DEMO_OPINION, datetime.now(UTC))
    database.commit()


def test_an_instance_killed_mid_journey_the_user_carries_on_through_nginx(
    deployment: Deployment, database: Session, new_page: Any
) -> None:
    _unit_opinion_recorded(database, "李静怡")
    page: Page = new_page(deployment.nginx)
    log_in(page, SOE_LEADER)
    page.get_by_role("link", name="审核队列").click()
    page.get_by_role("link", name="待签批").click()
    expect(page.get_by_role("link", name="李静怡", exact=True)).to_be_visible()
    doomed = deployment.instances["a"]
    for child in (doomed.web, doomed.worker):  # the whole instance: web and worker, without warning
        assert child.process is not None
        import os

        os.killpg(child.process.pid, signal.SIGKILL)
        child.process.wait(timeout=30)
    act_in_queue(page, "待签批", "李静怡", "领导签批通过")
    served = page.goto("/review/queue")
    assert served is not None and served.ok and served.headers["x-portal-instance"] == "b"
    ready = requests.get(f"{deployment.nginx}/readyz", timeout=20)
    assert ready.status_code == 200 and ready.json()["ready"] is True
    database.expire_all()
    leader = database.scalar(
        select(func.count()).where(
            AuditEvent.action == "leader_approve",
            AuditEvent.object_id == _application_of(database, "13970700012").id,
        )
    )
    assert leader == 1
    # Nothing lost: the audit chain and every stored file's hash verify.
    audit = deployment.flask("audit", "verify")
    assert audit.returncode == 0 and "校验通过" in audit.stdout, audit.stdout + audit.stderr
    files = deployment.flask("storage", "verify")
    assert files.returncode == 0 and "校验通过" in files.stdout, files.stdout + files.stderr
    engine = create_engine(deployment.database_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM jobs WHERE status = 'failed'")).scalar() == 0
    engine.dispose()
