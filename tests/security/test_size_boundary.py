"""T-UP-05: the request-size boundary on a real server. The app runs under werkzeug's server on a loopback
port (not the test client, which never meets a socket); a public objection with a PDF attachment is
posted so that the request body is exactly MAX_CONTENT_LENGTH bytes (accepted: the objection and its file
are stored) and one byte more (refused before the body is read: 413 with the Chinese page, or the page's
fragment for htmx, no stack trace, no row and nothing new on disk)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask_migrate import upgrade
from pypdf import PdfWriter
from sqlalchemy import func, select
from werkzeug.serving import make_server

from portal import create_app
from portal.domain.workflow import Status
from portal.extensions import db
from portal.models import Objection, StaffRole
from portal.services import notices
from portal.services.submissions import new_token
from tests.dbsetup import database_url
from tests.factories import STEPS_TO, make_application, make_world

NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
LIMIT = 300_000  # bytes of request body; small, so the test is quick, and far below the 10 MB file cap


@pytest.fixture
def served(tmp_path: Path, worker_id: str) -> Iterator[tuple[str, Flask, Path]]:
    files = tmp_path / "files"
    app = create_app(
        {
            "TESTING": False,  # errors are answered as in production, not raised
            "SECRET_KEY": "x" * 40,
            "DATABASE_URL": database_url(f"portal_size_{worker_id}", tmp_path),
            "PORTAL_STORAGE_DIR": str(files),
            "PORTAL_CLOCK": lambda: NOW,
            "MAX_CONTENT_LENGTH": LIMIT,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
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
        token = notice.public_token
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/public/notices/{token}/objections", app, files
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


def pdf_of(size: int) -> bytes:
    """A real, complete PDF of exactly `size` bytes (the padding is a metadata string)."""
    pad = max(size - 1000, 0)
    for _ in range(5):
        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        writer.add_metadata({"/Subject": "A" * pad})
        buffer = io.BytesIO()
        writer.write(buffer)
        data = buffer.getvalue()
        if len(data) == size:
            return data
        pad += size - len(data)
    raise AssertionError(f"could not make a PDF of {size} bytes")


def body_of(pdf: bytes) -> tuple[bytes, str]:
    fields = {"name": "张三", "contact": "13900000000", "text": "学历存疑", "form_token": new_token()}
    prepared = requests.Request(
        "POST", "http://x/", data=fields, files={"attachment": ("证明.pdf", pdf, "application/pdf")}
    ).prepare()
    assert isinstance(prepared.body, bytes)
    return prepared.body, prepared.headers["Content-Type"]


def request_of_size(total: int) -> tuple[bytes, str]:
    """A multipart objection whose whole body is exactly `total` bytes."""
    overhead = len(body_of(pdf_of(2000))[0]) - 2000
    body, content_type = body_of(pdf_of(total - overhead))
    assert len(body) == total, (len(body), total)
    return body, content_type


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def objections(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Objection)) or 0)


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_the_limit_is_accepted_and_one_byte_more_is_refused_in_chinese(
    served: tuple[str, Flask, Path], htmx: bool
) -> None:
    url, app, files = served
    headers = {"HX-Request": "true"} if htmx else {}

    body, content_type = request_of_size(LIMIT + 1)
    before_files, before_rows = stored_files(files), objections(app)
    refused = requests.post(
        url, data=body, headers={**headers, "Content-Type": content_type}, timeout=30, allow_redirects=False
    )
    assert refused.status_code == 413
    assert "文件太大" in refused.text and "超过了大小限制" in refused.text
    assert "Traceback" not in refused.text and "RequestEntityTooLarge" not in refused.text
    assert ("<html" in refused.text) is not htmx  # htmx gets the page's fragment, a plain post the page
    assert stored_files(files) == before_files and objections(app) == before_rows

    body, content_type = request_of_size(LIMIT)
    accepted = requests.post(
        url, data=body, headers={**headers, "Content-Type": content_type}, timeout=30, allow_redirects=False
    )
    assert accepted.status_code in (200, 303), accepted.text[:300]
    assert objections(app) == before_rows + 1
    assert len(stored_files(files)) > len(before_files)
