"""Issue 16 item 8: caps and "none may overlap" rules hold under concurrency. Each rule that counts rows and
then writes one runs under a transaction lock (portal.services.locks), so requests racing through a barrier
into the real app, on a database of its own whose transactions really commit, store no more than the rule
allows: 16 objections at once from one address against a cap of 5 store 5 (they stored 9-15 on PostgreSQL
before); the same objection form posted twice at once stores one (issue 17.2); two overlapping windows
entered at once store one. Every request gets an answer, never a 500."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import func, select

from portal import create_app
from portal.domain.workflow import Status
from portal.extensions import db
from portal.models import FormSubmission, Objection, PolicyWindow, StaffRole, User
from portal.services import notices
from portal.services.submissions import new_token
from tests.dbsetup import database_url
from tests.factories import PASSWORD, STEPS_TO, make_application, make_world

NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)


@pytest.fixture
def instance(tmp_path: Path, worker_id: str) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 40,
            "WTF_CSRF_ENABLED": False,
            "PORTAL_LOGIN_RATE_LIMIT": "100000 per minute",
            "DATABASE_URL": database_url(f"portal_caps_{worker_id}", tmp_path),
            "PORTAL_STORAGE_DIR": str(tmp_path / "files"),
            "PORTAL_CLOCK": lambda: NOW,
        }
    )
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def race(posts: list[Callable[[], Any]]) -> list[int]:
    """Run every post at once (a barrier releases them together); every one must get an answer < 500."""
    barrier = threading.Barrier(len(posts))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(post: Callable[[], Any]) -> None:
        barrier.wait(timeout=60)
        try:
            statuses.append(post().status_code)
        except BaseException as error:  # a crash in the app must fail the test, not vanish in a thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(p,)) for p in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert errors == [] and len(statuses) == len(posts), (errors, statuses)
    assert all(status < 500 for status in statuses), statuses
    return statuses


def published_notice(app: Flask) -> str:
    with app.app_context():
        world = make_world(db.session)
        application = make_application(db.session, world, NOW, steps=STEPS_TO[Status.UNIT_APPROVED])
        notice = notices.draft_notice(
            db.session,
            world.enterprise.actor(StaffRole.HANDLER),
            notices.NoticeInput("公示", "一楼公示栏", "人事部 0797-1234567", "2026-09-28"),
            [application.id],
            NOW,
        )
        notices.publish_notice(db.session, world.enterprise.actor(StaffRole.LEADER), notice.id, NOW)
        db.session.commit()
        return notice.public_token


def objection_post(app: Flask, token: str, form_token: str, address: str) -> Callable[[], Any]:
    client = app.test_client()
    form = {"name": "钱多多", "contact": "13912340000", "text": "业绩不实", "form_token": form_token}
    return lambda: client.post(
        f"/public/notices/{token}/objections", data=form, environ_base={"REMOTE_ADDR": address}
    )


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_sixteen_objections_at_once_from_one_address_store_the_cap(instance: Flask) -> None:
    token = published_notice(instance)
    posts = [objection_post(instance, token, new_token(), "10.1.2.3") for _ in range(16)]
    statuses = race(posts)
    assert count(instance, Objection) == notices.OBJECTIONS_PER_IP_PER_DAY
    assert statuses.count(303) == notices.OBJECTIONS_PER_IP_PER_DAY and statuses.count(422) == 11


def test_the_same_objection_form_twice_at_once_stores_one(instance: Flask) -> None:
    token = published_notice(instance)
    form_token = new_token()
    statuses = race([objection_post(instance, token, form_token, "10.1.2.4") for _ in range(2)])
    assert count(instance, Objection) == 1 and count(instance, FormSubmission) == 1
    assert statuses == [303, 303]  # the replay is answered as the first: filed


def test_two_overlapping_windows_entered_at_once_store_one(instance: Flask) -> None:
    with instance.app_context():
        world = make_world(db.session, policy_profile="ganzhou-2026")
        admin: User = world.admin
        db.session.commit()
        login = admin.phone
    clients: list[FlaskClient] = []
    for _ in range(2):
        client = instance.test_client()
        assert client.post("/login", data={"login": login, "password": PASSWORD}).status_code == 303
        clients.append(client)
    forms = [
        {
            "batch_id": f"2027-{n}",
            "batch_name": f"2027年第{n}批",
            "authority": "",
            "levels": ["初级", "中级"],
            "opens": "2027-03-01",
            "closes": "2027-03-31",
            "citation": "赣市人社字〔2027〕1号",
        }
        for n in (1, 2)
    ]
    race(
        [
            lambda c=c, f=f: c.post("/admin/policy/windows", data=f)
            for c, f in zip(clients, forms, strict=True)
        ]
    )
    with instance.app_context():
        rows = db.session.scalars(select(PolicyWindow).where(PolicyWindow.opens >= NOW.date())).all()
    assert len(rows) == 1


def test_the_same_file_window_filed_twice_at_once_stores_one_row(
    instance: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A self-review unit's window written in the profile's file is filed on a row the first filing makes
    (WIN-02 001 一): two filings at once make one row (the bureau's window lock, then the unique batch)."""
    from portal.services import policies
    from tests.services.test_self_review import GZ, with_unit_batch

    with instance.app_context():
        world = make_world(db.session, policy_profile="ganzhou-2026")
        assert world.enterprise.org.uscc is not None
        patched = {**policies.profiles(), "ganzhou-2026": with_unit_batch(GZ, world.enterprise.org.uscc)}
        login = world.admin.phone
        db.session.commit()
    monkeypatch.setattr(policies, "profiles", lambda: patched)
    clients: list[FlaskClient] = []
    for _ in range(2):
        client = instance.test_client()
        assert client.post("/login", data={"login": login, "password": PASSWORD}).status_code == 303
        clients.append(client)
    form = {
        "batch_id": "own-file",
        "authority": "gz-own",
        "filed_on": "2026-09-25",
        "filed_with": "赣州市职称工作办公室",
        "filing_ref": "某企〔2026〕2号",
    }
    statuses = race([lambda c=c: c.post("/admin/policy/filings", data=form) for c in clients])
    with instance.app_context():
        rows = db.session.scalars(select(PolicyWindow).where(PolicyWindow.batch_id == "own-file")).all()
    assert len(rows) == 1 and rows[0].filing_ref == "某企〔2026〕2号" and statuses == [303, 303]
