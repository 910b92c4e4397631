"""Issue 16.13: the public certificate check.

- The QR's verification code is random (192 bits), stored with the certificate and carried by the QR of
  the certificate PDF; a guessed code, an old 10-character HMAC code or another certificate's code finds
  nothing. Existing certificates get a code from the migration.
- Both ways of checking share one per-address rate limit (Flask-Limiter, as the login); the empty form
  costs nothing.
- The answer holds only what the certificate itself shows, and whether it is valid: never why it was
  revoked, nor the holder's ID number, phone or employer.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from portal import backup, create_app
from portal.domain.workflow import Status
from portal.extensions import db
from portal.models import Application, StaffRole
from portal.services import auth, certificates
from portal.services.submissions import new_token
from tests.conftest import Clock
from tests.dbsetup import database_url
from tests.factories import STEPS_TO, World, make_application, make_world


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def certified(session: Session, world: World, clock: Clock) -> Application:
    return make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])


def qr_link(pdf: bytes) -> str:
    """The URL the certificate's QR code leads to (the QR is also a link in the electronic certificate)."""
    links = {
        str(annotation.get_object()["/A"]["/URI"])
        for page in PdfReader(io.BytesIO(pdf)).pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    }
    assert len(links) == 1
    return links.pop()


def test_the_qr_carries_a_random_stored_code_and_nothing_else_opens_the_check(
    session: Session, world: World, clock: Clock, client: FlaskClient, login_as: Any
) -> None:
    first, second = certified(session, world, clock), certified(session, world, clock)
    code = first.certificate_code
    assert code and len(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))) * 8 >= 128
    assert code != second.certificate_code and first.certificate_no not in code
    pdf = login_as(first.applicant, membership_id=0).get(f"/me/applications/{first.id}/certificate.pdf")
    link = qr_link(pdf.data)
    assert link.endswith(f"/public/certificates/{first.certificate_no}/{code}")
    assert "证书有效" in client.get(link.split("localhost", 1)[1]).text
    for guess in ("0000000000", certificates_hmac(first.certificate_no), second.certificate_code, code[:-1]):
        page = client.get(f"/public/certificates/{first.certificate_no}/{guess}")
        assert "查无此证书" in page.text and first.level not in page.text.split("按编号查验")[0]


def check_by_form(client: FlaskClient, number: str, name: str, **options: Any) -> TestResponse:
    """The number + name form: a POST (the name stays out of URLs) carrying its one-time token."""
    form = {"number": number, "name": name, "form_token": new_token()}
    return client.post("/public/certificates", data=form, **options)


def certificates_hmac(number: str) -> str:
    """The code the QR used to carry: 40 bits of HMAC-SHA256 over the number with the app's secret key."""
    import hashlib
    import hmac

    key = b"test-secret-key-that-is-long-enough-for-tests"
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()[:10]


def test_both_ways_of_checking_share_one_rate_limit_per_address(
    session: Session, world: World, clock: Clock, client: FlaskClient, tight_limit: None
) -> None:
    application = certified(session, world, clock)
    number, name = application.certificate_no, application.applicant.name
    by_qr = f"/public/certificates/{number}/{application.certificate_code}"
    answers = [client.get(by_qr), check_by_form(client, number, name), client.get(by_qr)]
    assert [page.status_code for page in answers] == [200, 200, 200]
    refused = check_by_form(client, number, name)
    assert refused.status_code == 429 and "操作太频繁" in refused.text
    assert client.get(f"/public/certificates/{number}/0000000000").status_code == 429
    assert client.get("/public/certificates").status_code == 200  # the empty form asks nothing
    elsewhere = client.get(by_qr, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert elsewhere.status_code == 200 and "证书有效" in elsewhere.text


def test_the_answer_holds_only_what_the_certificate_shows(
    session: Session, world: World, clock: Clock, client: FlaskClient
) -> None:
    application = certified(session, world, clock)
    holder = application.applicant
    reason = "学历证书系伪造（经学信网核验不符）"
    certificates.revoke_certificate(
        session, world.bureau.actor(StaffRole.LEADER), application.id, reason, "002 五(三)", clock.now
    )
    number = application.certificate_no
    pages = [
        client.get(f"/public/certificates/{number}/{application.certificate_code}"),
        check_by_form(client, number, holder.name),
        check_by_form(client, number, f" {holder.name[0]} {holder.name[1:]} "),
    ]
    for page in pages:
        assert "证书已撤销" in page.text
        for private in (reason, "学历证书系伪造", holder.id_number, holder.id_number[-6:], holder.phone):
            assert private not in page.text
        assert application.enterprise.name not in page.text  # on the certificate, but not asked about
        shown = page.text.split("按编号查验")[0]
        for printed in (number, application.level, application.specialty, application.bureau.name):
            assert printed in shown


def test_the_migration_gives_every_existing_certificate_a_random_code(tmp_path: Path, worker_id: str) -> None:
    url = database_url(f"portal_cert_codes_{worker_id}", tmp_path)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x" * 40})
    with app.app_context():
        upgrade()
        world = make_world(db.session)
        from datetime import UTC, datetime

        now = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
        for _ in range(3):
            make_application(db.session, world, now, steps=STEPS_TO[Status.CERTIFIED])
        make_application(db.session, world, now)  # a draft: no certificate, no code
        auth.start_session(db.session, world.admin, now)  # a row that ON DELETE CASCADE would take along
        db.session.commit()
        # The queues' change counters (0024, after 0011) are a cache: going below 0011 drops them, and
        # they start again from zero (the next poll of each queue renders once).
        before = {t: n for t, n in backup.row_counts(db.engine).items() if t != "versions"}
        db.session.remove()
        downgrade(revision="0011")  # before the codes existed
        upgrade()
        # SQLite rebuilt the users and applications tables: nothing that refers to them went with them.
        # (The unit's opinions are a table after 0011: going below it drops them by design; the 申报表's
        # rows come back from the summary columns.)
        # The change counters (0024) are rebuilt as writes happen, so they are not compared either.
        dropped = {"unit_opinions", "versions"}
        after = {t: n for t, n in backup.row_counts(db.engine).items() if t not in dropped}
        assert after == {t: n for t, n in before.items() if t not in dropped}
        rows = db.session.execute(select(Application.certificate_no, Application.certificate_code)).all()
        codes = [code for number, code in rows if number is not None]
        assert len(codes) == 3 and len(set(codes)) == 3 and all(len(code) == 32 for code in codes)
        assert [code for number, code in rows if number is None] == [None]
        db.session.remove()
        db.engine.dispose()
