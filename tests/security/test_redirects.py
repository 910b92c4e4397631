"""Issue 16.7: no redirect leaves the site. `/login?next=/%09/evil.example` ended at
`Location: //evil.example` (the tab passed a "one leading slash" check and browsers drop it), and the
review form's `back=` the same.

Every hostile spelling below is sent to every redirect that takes a target from the request — the login's
`next=`, `review.act` and `review.bulk_act`'s `back=`, the Referer that `admin.end_membership` returns to,
and a notification's stored link — and each must end at the view's own fallback. Real targets (a queue
with its filters) still work, `next=` is capped in length, and a source scan keeps every redirect going
through the one gate in portal/web/htmx.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import Notification
from portal.web.redirects import MAX_TARGET_LENGTH, local_target
from tests.conftest import Clock
from tests.factories import PASSWORD, STEPS_TO, make_application, make_user, make_world

HOSTILE = [
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/\t/evil.example",  # the probe's finding: browsers drop TAB, CR and LF anywhere in a URL
    "/%09/evil.example",  # the same, one more time encoded (next= is decoded once by the query parser)
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%0d%0a/evil.example",
    "/\x00/evil.example",
    "\x00//evil.example",
    " //evil.example",  # leading spaces and controls are stripped by browsers
    "\t//evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%252F%252Fevil.example",  # encoded twice
    "/%25252F%25252Fevil.example",  # and three times
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "/%5c/evil.example",
    "／／evil.example",  # full-width solidus: NFKC turns it into "/"
    "/／evil.example",
    "/\uff3cevil.example",  # full-width reverse solidus
    "/\u200b/evil.example",  # zero-width space (format character)
    "/\u202e/evil.example",  # right-to-left override
    "/\u2028/evil.example",  # line separator
    "/\x7f/evil.example",
    "/\x85/evil.example",  # C1 next line
    "https://evil.example",
    "http://evil.example/review/queue",
    "HTTPS://evil.example",
    "https:/evil.example",
    "https:evil.example",
    "//evil.example@localhost",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "./evil.example",
    "../evil.example",
    "/.//evil.example",
    "/..//evil.example",
    "/review/../..//evil.example",
    "/./review/queue",
    "/%2e%2e/%2e%2e//evil.example",
    "/%E0%A4%A",  # broken percent-encoding
    "/%C0%AF%C0%AFevil.example",  # overlong UTF-8 for "/"
    "/review/queue?" + "x" * MAX_TARGET_LENGTH,  # longer than the cap
    "",
]
# Same-site paths, but not to a page a GET reaches: the views' route check sends them to the fallback.
NOT_A_PAGE = ["/review/queue@evil.example", "/logout", "/no-such-page", "/static/../admin"]
EVERY = HOSTILE + NOT_A_PAGE


def went_to(response: Any, fallback: str, target: str) -> bool:
    """The answer sent the browser to `fallback`, or (for a NUL) refused the request outright."""
    if "\x00" in target:
        return response.status_code == 400 and "Location" not in response.headers  # security.py's NUL check
    return (response.headers.get("Location") or response.headers.get("HX-Redirect")) == fallback


@pytest.mark.parametrize("target", HOSTILE)
def test_the_check_refuses_every_hostile_spelling(target: str) -> None:
    assert local_target(target, max_length=MAX_TARGET_LENGTH) is None


def test_real_targets_pass_quoted_to_ascii() -> None:
    quoted = "/review/queue?tab=returned&q=%E5%BC%A0%E4%B8%89"
    assert local_target("/review/queue?tab=returned&q=张三") == quoted
    assert local_target("/review/queue?tab=returned#top") == "/review/queue?tab=returned#top"
    assert local_target("/admin/policy#authorities") == "/admin/policy#authorities"  # views' own anchors
    assert local_target("/") == "/"
    assert local_target("/review/queue?q=http://x") == "/review/queue?q=http://x"  # a query may hold //


def test_login_next_ends_on_this_site_for_every_spelling(session: Session, app: Flask) -> None:
    user = make_user(session)
    failures = []
    for target in EVERY:
        client = app.test_client()
        page = client.get("/login", query_string={"next": target})
        if "evil" in page.text:
            failures.append(f"{target!r}: the login form carries it on")
        response = client.post(
            "/login", query_string={"next": target}, data={"login": user.phone, "password": PASSWORD}
        )
        if not went_to(response, "/", target):
            location = response.headers.get("Location")
            failures.append(f"{target!r}: {response.status_code} Location {location!r}")
    assert failures == []
    # A real page survives the round trip, its query included.
    client = app.test_client()
    wanted = "/review/queue?tab=returned"
    response = client.post(
        "/login", query_string={"next": wanted}, data={"login": user.phone, "password": PASSWORD}
    )
    assert response.headers["Location"] == wanted


def test_the_login_page_carries_the_path_only_and_capped(session: Session, app: Flask) -> None:
    # The path only: a query may hold a form's values or a token, which must not travel in a URL (17.11).
    client = app.test_client()
    short = client.get("/review/queue?tab=returned")
    assert short.headers["Location"] == "/login?next=/review/queue"
    from portal.web.redirects import login_next

    with app.test_request_context("/review/" + "长" * MAX_TARGET_LENGTH):
        assert login_next() is None  # too long to carry back: nothing
    htmx = client.get("/review/queue?tab=returned", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == "/login?next=/review/queue"


@pytest.fixture
def reviewer(session: Session, clock: Clock, login_as: Any) -> tuple[FlaskClient, int]:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_REVIEW])
    return login_as(world.enterprise.handler), application.id


def test_review_back_ends_on_this_site_for_every_spelling(reviewer: tuple[FlaskClient, int]) -> None:
    client, application_id = reviewer
    failures = []
    for target in EVERY:
        for url, form in (
            # A stale version: refused (409), nothing changes, and the view goes back.
            (f"/review/applications/{application_id}/act", {"action": "handler_approve", "version": "999"}),
            ("/review/bulk", {"action": "handler_approve", "ids": "987654321"}),
        ):
            for headers in ({}, {"HX-Request": "true", "HX-Boosted": "true"}):
                response = client.post(url, data={**form, "back": target}, headers=headers)
                if not went_to(response, "/review/queue", target):
                    location = response.headers.get("Location") or response.headers.get("HX-Redirect")
                    failures.append(f"{url} back={target!r}: {response.status_code} {location!r}")
    assert failures == []
    kept = client.post(
        f"/review/applications/{application_id}/act",
        data={"action": "handler_approve", "version": "999", "back": "/review/queue?tab=returned"},
    )
    assert kept.headers["Location"] == "/review/queue?tab=returned"


def test_a_refused_end_of_membership_returns_only_to_a_page_of_this_site(
    session: Session, login_as: Any
) -> None:
    # The last admin of an organisation cannot be removed (the staff rulebook): the refusal goes back to
    # the organisation's staff page, whatever the Referer says.
    world = make_world(session)
    admin = login_as(world.admin)
    url = f"/admin/memberships/{world.admin_membership.id}/end"
    page = f"/admin/orgs/{world.admin_membership.org_id}#staff-changes"
    failures = []
    for target in EVERY:
        if "\n" in target or "\r" in target or "\x00" in target:
            continue  # no browser sends a header with them (and the test client cannot)
        for referrer in (f"http://localhost{target}", target, f"https://evil.example{target}"):
            response = admin.post(url, headers={"Referer": referrer})
            if response.headers.get("Location") != page:
                failures.append(f"Referer {referrer!r}: {response.headers.get('Location')!r}")
    assert failures == []


def test_a_notification_link_cannot_leave_the_site(session: Session, clock: Clock, login_as: Any) -> None:
    user = make_user(session)
    client = login_as(user)
    for target in EVERY:
        if "\x00" in target or len(target) > 300:
            continue  # a stored link is at most 300 characters, and PostgreSQL text cannot hold a NUL
        notification = Notification(
            user_id=user.id, kind="test", text="测试", link=target, created_at=clock.now
        )
        session.add(notification)
        session.flush()
        response = client.post(f"/inbox/{notification.id}/open")
        assert response.headers["Location"] == "/inbox", target


# Every redirect goes through portal/web/htmx.py's gate: nothing else builds a Location or HX-Redirect.
GATE = Path("portal/web/htmx.py")
BYPASS = re.compile(
    r"from flask import[^\n]*\bredirect\b|flask\.redirect|\[\"(Location|HX-Redirect|HX-Location)\"\]"
)


def test_no_redirect_bypasses_the_gate() -> None:
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for path in sorted((root / "portal").rglob("*.py"))
        if path.relative_to(root) != GATE and BYPASS.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
