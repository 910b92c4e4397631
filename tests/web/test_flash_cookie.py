"""Flashes ride in the signed session cookie as their msgid and parameters, and a browser drops a cookie past
4,096 bytes without a word (and the login with it). The largest flashes the portal makes — a bulk action over
a page of fifty applications whose applicants carry long (passport) names, every one refused or every one
done — and any run of flashes whatever their number keep the cookie under that limit."""

from __future__ import annotations

import random
from typing import Any

from flask import Flask, Response, session
from sqlalchemy.orm import Session

from portal.domain.i18n import T_
from portal.domain.workflow import Status
from portal.services.queues import PAGE_SIZE
from portal.web import i18n
from portal.web.review.views import BULK_NAMED
from tests.conftest import Clock
from tests.factories import STEPS_TO, make_application, make_world
from tests.i18n.reading import in_english

LIMIT = 4096  # RFC 6265: what a browser must keep of one cookie, its name, value and attributes together


def _session_cookie(response: Any, app: Flask) -> str:
    name = app.config["SESSION_COOKIE_NAME"]
    (header,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    return header


def _long_names(count: int) -> list[str]:
    """Distinct passport names of 100 characters (the column's width), random so they compress badly."""
    rng = random.Random(7)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [" ".join("".join(rng.choice(letters) for _ in range(9)) for _ in range(10)) for _ in range(count)]


def test_a_bulk_action_over_a_full_page_of_long_names_keeps_the_cookie_under_4_kb(
    app: Flask, session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session)
    steps = STEPS_TO[Status.DEPT_REVIEW]
    applications = [make_application(session, world, clock.now, steps=steps) for _ in range(PAGE_SIZE)]
    names = _long_names(PAGE_SIZE)
    for application, name in zip(applications, names, strict=True):
        application.applicant.name = name
    session.flush()
    ids = [a.id for a in applications]
    form = {"action": "handler_approve", "ids": ids, "back": "/review/queue"}

    # Every row refused (the enterprise's handler: the department holds them), each with its name and reason.
    refusing = login_as(world.enterprise.handler)
    refused = refusing.post("/review/bulk", data=form)
    assert refused.status_code == 303 and len(_session_cookie(refused, app)) < LIMIT
    page = refusing.get("/review/queue").text
    shown = [name for name in names if name in page]
    assert shown == names[:BULK_NAMED]
    assert f"另有{PAGE_SIZE - BULK_NAMED}件未能办理，原因见各件申报的页面。" in page

    # Every row done: the first names, then how many in all (in the reader's language).
    approving = in_english(login_as(world.department.handler))
    done = approving.post("/review/bulk", data=form)
    assert done.status_code == 303 and len(_session_cookie(done, app)) < LIMIT
    page = approving.get("/review/queue").text
    assert [name for name in names if name in page] == names[:BULK_NAMED]
    assert f"and others, {PAGE_SIZE} applications in all" in page


def test_any_run_of_flashes_keeps_the_cookie_under_4_kb_and_says_how_many_it_left_out(app: Flask) -> None:
    names = _long_names(60)
    with app.test_request_context("/"):
        session["_user_id"] = "1"
        for n, name in enumerate(names):
            i18n.notify(T_("%(name)s未能办理：%(why)s", name=name, why=f"第{n}条"), "error")
        response = Response()
        app.session_interface.save_session(app, session, response)
        assert len(_session_cookie(response, app)) < LIMIT
        shown = i18n.flashed_messages()
    *kept, (category, note) = shown
    assert kept and all(names[n] in str(text) for n, (_, text) in enumerate(kept))
    assert category == "error" and str(note) == f"另有{len(names) - len(kept)}条提示未能在此显示。"
