"""Issue 16.11 (T-AUTH-01 and T-AUTH-02 as redesigned): failed logins slow the guesser, never lock out the
owner, and tell nobody which accounts exist.

- An unknown login and a real one get the same answer at every step of a run of wrong passwords — the
  generic refusal, then the same "已锁定至HH:MM" at the same moment — so locking no longer reveals accounts.
- Delays are per (account, source): a guesser's address waits 15, 30, 60 … minutes, even with the right
  password, while the owner logs in from their usual address; a guesser spread over many addresses meets
  the account-wide ceiling, which holds every address back except those the owner has logged in from.
- ASVS 4.0.3 2.2.1: at most 100 passwords an hour are even checked against one account, from any number of
  addresses. Stale throttle rows are swept.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from portal.models import AuditEvent, LoginThrottle
from portal.services import auth
from tests.conftest import Clock
from tests.factories import PASSWORD, make_user

TOKEN = re.compile(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")
OWNER_HOME = "10.0.0.1"
GUESSER = "203.0.113.5"


def attempt(client: FlaskClient, login: str, password: str, ip: str) -> TestResponse:
    return client.post(
        "/login", data={"login": login, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def answer(response: TestResponse, login: str) -> tuple[int, str]:
    """What an observer sees, with the login typed and the CSRF token taken out (the plan's "modulo")."""
    return response.status_code, TOKEN.sub("TOKEN", response.text.replace(login, "LOGIN"))


def test_an_unknown_and_a_real_account_answer_alike_through_a_whole_run_of_failures(
    session: Session, app: Flask, clock: Clock
) -> None:
    user = make_user(session)
    unknown = "13700009999"
    client = app.test_client()
    real_run, unknown_run = [], []
    for n in range(8):
        real_run.append(answer(attempt(client, user.phone, f"Wrong-pass{n}", GUESSER), user.phone))
        unknown_run.append(answer(attempt(client, unknown, f"Wrong-pass{n}", GUESSER), unknown))
    assert real_run == unknown_run
    assert sum("已锁定至10:15" in body for _, body in real_run) == 4  # the 5th and every one after it
    # The right password, during the delay: refused in the same words as the unknown login.
    right = answer(attempt(client, user.phone, PASSWORD, GUESSER), user.phone)
    assert right == answer(attempt(client, unknown, PASSWORD, GUESSER), unknown) == real_run[-1]


def test_a_guesser_elsewhere_cannot_lock_the_owner_out(session: Session, app: Flask, clock: Clock) -> None:
    user = make_user(session)
    owner = app.test_client()
    assert attempt(owner, user.phone, PASSWORD, OWNER_HOME).status_code == 303  # their usual address
    guesser = app.test_client()
    for n in range(5):
        refused = attempt(guesser, user.phone, f"Wrong-pass{n}", GUESSER)
    assert "已锁定至10:15" in refused.text
    # T-AUTH-01: the guesser's address is refused even with the right password …
    assert "已锁定至" in attempt(guesser, user.phone, PASSWORD, GUESSER).text
    # … while the owner, at home, logs in.
    assert attempt(app.test_client(), user.phone, PASSWORD, OWNER_HOME).status_code == 303
    # A guesser spread over many addresses (one try each) meets the account-wide ceiling …
    for n in range(12):
        attempt(app.test_client(), user.phone, f"Wrong-pass{n}", f"198.51.100.{n + 1}")
    stranger = attempt(app.test_client(), user.phone, PASSWORD, "192.0.2.77")
    assert stranger.status_code == 422 and "已锁定至" in stranger.text
    # … which holds back every address but the owner's.
    assert attempt(app.test_client(), user.phone, PASSWORD, OWNER_HOME).status_code == 303
    # And after the delay, the guesser's address gets its turn again: temporary, never for good.
    clock.advance(minutes=16)
    assert attempt(guesser, user.phone, PASSWORD, GUESSER).status_code == 303


def test_the_account_wide_delay_grows_and_an_ipv6_guesser_counts_as_one_source(
    session: Session, app: Flask, clock: Clock
) -> None:
    user = make_user(session)
    for minutes in (15, 30, 60):
        start = clock.now
        for n in range(10):  # 10 addresses of one IPv6 /64 would be one source: use distinct IPv4 ones
            attempt(app.test_client(), user.phone, "Wrong-pass1", f"198.51.{minutes}.{n + 1}")
        until = (start + timedelta(minutes=minutes) + timedelta(hours=8)).strftime("%H:%M")
        assert f"已锁定至{until}" in attempt(app.test_client(), user.phone, PASSWORD, "192.0.2.1").text
        clock.now = start + timedelta(minutes=minutes + 1)
    # One IPv6 subscriber (a /64) is one source, however many addresses it uses.
    for n in range(5):
        attempt(app.test_client(), user.phone, "Wrong-pass1", f"2001:db8:1:2::{n + 1:x}")
    assert "已锁定至" in attempt(app.test_client(), user.phone, PASSWORD, "2001:db8:1:2::ffff").text
    assert auth.login_source("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert auth.login_source("::ffff:203.0.113.5") == "203.0.113.5"


def test_at_most_100_passwords_an_hour_are_checked_against_one_account(
    session: Session, app: Flask, clock: Clock
) -> None:
    """ASVS 4.0.3 2.2.1, against a guesser with an address to spare for every try."""
    user = make_user(session)
    start, source = clock.now, 0
    while clock.now < start + timedelta(hours=1):
        for _ in range(15):  # a burst each minute from fresh addresses, until the account holds back
            source += 1
            address = f"10.{source // 250}.{source % 250}.9"
            response = attempt(app.test_client(), user.phone, "Wrong-pass1", address)
            if "已锁定至" in response.text:
                break
        clock.advance(minutes=1)
    refusals = session.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.action == "login", AuditEvent.object_id == user.id, AuditEvent.outcome == "denied"
        )
    ).all()
    checked = sum(detail.get("code") in ("bad_password", "locked") for detail in refusals)  # "throttled": not
    assert 10 <= checked <= 100 and len(refusals) > checked


def test_the_sweep_forgets_stale_throttles_and_keeps_the_owners_sources(
    session: Session, app: Flask, clock: Clock
) -> None:
    user = make_user(session)
    attempt(app.test_client(), user.phone, PASSWORD, OWNER_HOME)
    attempt(app.test_client(), user.phone, "Wrong-pass1", GUESSER)
    attempt(app.test_client(), "13700009999", "Wrong-pass1", GUESSER)
    policy = auth.LoginPolicy()
    assert auth.sweep_throttles(session, clock.now, policy) == 0  # all still recent
    later = clock.now + timedelta(days=2)
    assert auth.sweep_throttles(session, later, policy) == 4  # the guesser's rows, both accounts' "*" rows
    kept: Any = session.scalars(select(LoginThrottle.source)).all()
    assert kept == [OWNER_HOME]
    assert auth.sweep_throttles(session, clock.now + timedelta(days=91), policy) == 1
