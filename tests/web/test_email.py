"""E-mail that goes out (issue 21 point 6), against a real SMTP server (aiosmtpd, tests/mailserver.py):
the address is added and verified through the signed link, the e-mails are in the reader's language and
carry the link back, and only a verified address gets the notices its owner chose."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.i18n import T_
from portal.domain.mail import EmailTopic
from portal.domain.workflow import Status
from portal.models import AuditEvent, EmailOptOut, User
from portal.services import email_addresses, notifications
from tests.conftest import Clock, run_periodic, run_queued
from tests.factories import STEPS_TO, make_application, make_user, make_world
from tests.mailserver import Inbox, body_of, link_in

pytestmark = pytest.mark.usefixtures("queue")


def _add_address(app: Flask, browser: Any, address: str) -> Any:
    response = browser.post("/account/email", data={"email": address})
    assert response.status_code == 303, response.text
    run_queued(app)
    return response


def _verified(session: Session, user: User, address: str, clock: Clock) -> None:
    user.email, user.email_verified_at = address, clock.now
    session.flush()


def test_an_added_address_gets_a_verification_link_in_its_owners_language_that_verifies_once(
    app: Flask, session: Session, clock: Clock, login_as: Any, smtp: Inbox
) -> None:
    user = make_user(session, "王芳")
    user.language = "en"
    browser = login_as(user)
    page = browser.get("/account/email")
    assert page.status_code == 200 and "E-mail" in page.text
    _add_address(app, browser, " Wang.Fang@Example.CN ")
    session.refresh(user)
    assert user.email == "Wang.Fang@example.cn" and user.email_verified_at is None
    [message] = smtp.to("Wang.Fang@example.cn")
    assert message["Subject"] == "Please verify your e-mail address"
    assert "Dear 王芳" in body_of(message) and "within 3 days" in body_of(message)
    link = link_in(message)
    assert link.startswith("https://portal.example/account/email/verify/")
    path = urlsplit(link).path
    # The link works logged out: its GET only asks (a mail scanner that opens it verifies nothing).
    anonymous = app.test_client()
    shown = anonymous.get(path)
    assert shown.status_code == 200 and "Wang.Fang@example.cn" in shown.text
    session.refresh(user)
    assert user.email_verified_at is None
    done = anonymous.post(path)
    assert done.status_code == 303
    session.refresh(user)
    assert user.email_verified_at == clock.now
    again = anonymous.post(path)
    assert again.status_code == 400 and "此链接已使用过" in again.text
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "user", AuditEvent.object_id == user.id)
    ).all()
    assert "change_email" in actions and "verify_email" in actions
    assert "Verified" in browser.get("/account/email").text


def test_an_expired_a_tampered_or_a_superseded_link_is_refused_with_its_reason(
    app: Flask, session: Session, clock: Clock, login_as: Any, smtp: Inbox
) -> None:
    user = make_user(session)
    browser = login_as(user)
    _add_address(app, browser, "first@example.cn")
    first = urlsplit(link_in(smtp.to("first@example.cn")[0])).path
    tampered = first[:-3] + ("AAA" if not first.endswith("AAA") else "BBB")
    refused = app.test_client().get(tampered)
    assert refused.status_code == 400 and "验证链接无效：链接不完整或已被改动" in refused.text
    assert app.test_client().post(tampered).status_code == 400
    clock.advance(days=3, minutes=1)
    expired = app.test_client().post(first)
    assert expired.status_code == 400 and "验证链接已过期（有效期3天）" in expired.text
    session.refresh(user)
    assert user.email_verified_at is None
    # A newer address makes the older link useless even before it expires.
    browser = login_as(user)  # (three days idle ended the login)
    _add_address(app, browser, "second@example.cn")
    second = urlsplit(link_in(smtp.to("second@example.cn")[0])).path
    _add_address(app, browser, "third@example.cn")
    superseded = app.test_client().post(second)
    assert superseded.status_code == 400 and "此链接对应的邮箱地址已更改" in superseded.text


def test_a_malformed_address_is_refused_at_the_field_and_nothing_changes(
    app: Flask, session: Session, login_as: Any, smtp: Inbox
) -> None:
    user = make_user(session)
    browser = login_as(user)
    bad = browser.post("/account/email", data={"email": "zhang@@example"})
    assert bad.status_code == 422 and "电子邮箱地址格式不正确" in bad.text
    assert 'value="zhang@@example"' in bad.text  # what was typed stays, to be corrected
    run_queued(app)
    session.refresh(user)
    assert user.email is None and smtp.messages == []


def test_an_unverified_address_gets_nothing_but_its_verification(
    app: Flask, session: Session, clock: Clock, login_as: Any, smtp: Inbox
) -> None:
    world = make_world(session)
    handler = world.department.handler
    _add_address(app, login_as(handler), "unverified@example.cn")
    assert len(smtp.to("unverified@example.cn")) == 1  # the verification
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])  # new work for them
    session.commit()
    run_queued(app)
    run_periodic(app, "email")
    assert len(smtp.to("unverified@example.cn")) == 1
    assert notifications.pending_emails(session) == []


def test_a_verified_address_gets_its_notices_in_its_language_once_and_not_the_topics_switched_off(
    app: Flask, session: Session, clock: Clock, login_as: Any, smtp: Inbox
) -> None:
    world = make_world(session)
    handler = world.department.handler
    handler.language = "en"
    _verified(session, handler, "xie@example.cn", clock)
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    session.commit()  # the commit queues the sending (no need to wait for the sweep)
    assert run_queued(app) >= 1
    [message] = smtp.to("xie@example.cn")
    assert message["Subject"] == "Notice from the professional title application portal"
    body = body_of(message)
    assert "New work (Handler)" in body and "https://portal.example/review/applications/" in body
    run_periodic(app, "email")  # the sweep finds nothing left: each notice goes out once
    assert len(smtp.to("xie@example.cn")) == 1
    # Switched off on the page: the next new work is in the inbox but not mailed.
    browser = login_as(handler)
    topics = [t.value for t in EmailTopic if t is not EmailTopic.WORK]
    assert browser.post("/account/email/notices", data={"topics": topics}).status_code == 303
    assert session.scalars(select(EmailOptOut.topic).where(EmailOptOut.user_id == handler.id)).all() == [
        "work"
    ]
    page = browser.get("/account/email").text
    assert 'value="work" checked' not in page and 'value="decisions" checked' in page
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    session.commit()
    run_queued(app)
    clock.advance(minutes=5)
    run_periodic(app, "email")
    assert len(smtp.to("xie@example.cn")) == 1
    assert notifications.unread_count(session, handler.id) == 2


def test_a_chinese_readers_notice_is_in_chinese(
    app: Flask, session: Session, clock: Clock, smtp: Inbox
) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    applicant = application.applicant
    _verified(session, applicant, "applicant@example.cn", clock)
    text = T_("您的申报已认定发证，证书编号 %(number)s。", number="X1")
    notifications.notify(
        session, [applicant.id], "certified", text, f"/me/applications/{application.id}", clock.now
    )
    session.commit()
    run_queued(app)
    [message] = smtp.to("applicant@example.cn")
    assert message["Subject"] == "职称申报服务平台通知"
    assert "您的申报已认定发证，证书编号 X1。" in body_of(message)
    assert f"https://portal.example/me/applications/{application.id}" in body_of(message)


def test_removing_the_address_is_audited_and_stops_the_mail(
    app: Flask, session: Session, clock: Clock, login_as: Any, smtp: Inbox
) -> None:
    user = make_user(session)
    _verified(session, user, "gone@example.cn", clock)
    browser = login_as(user)
    assert "删除邮箱地址" in browser.get("/account/email").text
    assert browser.post("/account/email/remove").status_code == 303
    session.refresh(user)
    assert user.email is None
    assert session.scalar(
        select(AuditEvent.detail).where(AuditEvent.action == "remove_email", AuditEvent.object_id == user.id)
    ) == {"from": "gone@example.cn"}


def test_sending_the_verification_again_is_rate_limited(
    app: Flask, session: Session, clock: Clock, login_as: Any, smtp: Inbox
) -> None:
    user = make_user(session)
    browser = login_as(user)
    _add_address(app, browser, "again@example.cn")
    for _ in range(3):
        assert browser.post("/account/email/resend").status_code == 303
    assert browser.post("/account/email/resend").status_code == 429
    run_queued(app)
    assert len(smtp.to("again@example.cn")) == 4  # the first and three more
    links = {link_in(m) for m in smtp.to("again@example.cn")}
    assert all(app.test_client().get(urlsplit(link).path).status_code == 200 for link in links)


def test_the_token_names_its_purpose_and_nothing_else_verifies(session: Session, clock: Clock) -> None:
    from itsdangerous import URLSafeTimedSerializer

    user = make_user(session)
    user.email = "salt@example.cn"
    secret = "test-secret-key-that-is-long-enough-for-tests"
    other_purpose = URLSafeTimedSerializer(secret, salt="something-else").dumps(
        {"user": user.id, "email": user.email}
    )
    with pytest.raises(email_addresses.DomainError) as refused:
        email_addresses.check_token(session, secret, other_purpose, clock.now)
    assert refused.value.code == "bad_link"
    good = email_addresses.verification_token(secret, user, clock.now)
    assert email_addresses.check_token(session, secret, good, clock.now) is user


def test_a_security_notice_is_mailed_even_with_every_topic_switched_off_and_cannot_be_switched_off(
    app: Flask, session: Session, clock: Clock, login_as: Any, smtp: Inbox
) -> None:
    """HR change the applicant's login mobile: the notice goes to the address the applicant verified (HR
    do not change it), whatever topics they switched off, and says it cannot be switched off."""
    world = make_world(session)
    person = make_user(session, "周文博", employer=world.enterprise.org)
    person.language = "en"
    _verified(session, person, "zhou@example.cn", clock)
    browser = login_as(person)
    page = browser.get("/account/email").text
    assert 'id="topic-security" checked disabled' in page and "Account security" in page
    # Everything unticked (and a crafted post naming no topic at all): only the optional topics go off.
    assert browser.post("/account/email/notices", data={}).status_code == 303
    off = set(session.scalars(select(EmailOptOut.topic).where(EmailOptOut.user_id == person.id)))
    assert off == {t.value for t in EmailTopic if t.optional} and "security" not in off
    assert 'id="topic-security" checked disabled' in browser.get("/account/email").text

    hr = login_as(world.enterprise.handler)
    done = hr.post(
        f"/enterprise/applicants/{person.id}/account", data={"name": "周文博", "phone": "13970709966"}
    )
    assert done.status_code == 303
    session.commit()
    run_queued(app)
    clock.advance(minutes=5)
    run_periodic(app, "email")
    [message] = smtp.to("zhou@example.cn")
    body = body_of(message)
    assert "Account security:" in body and "changed your login mobile from" in body and "139****9966" in body
    assert "cannot be switched off" in body and "13970709966" not in body
    assert "To stop e-mails like this one" not in body
