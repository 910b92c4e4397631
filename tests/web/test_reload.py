"""Issue 17.12: reloading after a refused submit gave 405. A refused form is rendered at its POST address;
a reload (or Enter in the address bar, or a bookmark) asks that address with GET. Every POST-only route of
the url_map answers a GET with 303 to the page its form belongs to, a page a GET answers."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException


def _sample(rule: Any) -> str:
    """The rule with a value each converter accepts: 1 for an id, the minimum of a bounded int, x else."""
    path = re.sub(r"<int\([^)]*min=(\d+)[^)]*\):\w+>", lambda m: m.group(1), rule.rule)
    return re.sub(r"<(?:int:)?(\w+)>", lambda m: "1", re.sub(r"<(?!int[:(])[^>]+>", "x", path))


def test_a_get_on_every_post_only_address_goes_to_its_page(app: Flask, login_as: Any, session: Any) -> None:
    adapter = app.url_map.bind("localhost")
    with_get = {r.rule for r in app.url_map.iter_rules() if r.methods and "GET" in r.methods}
    post_only = [
        r for r in app.url_map.iter_rules() if r.methods and "POST" in r.methods and r.rule not in with_get
    ]
    assert len(post_only) > 40
    client = app.test_client()
    for rule in post_only:
        path = _sample(rule)
        response = client.get(path)
        assert response.status_code == 303, (rule.rule, response.status_code)
        target = response.headers["Location"]
        assert target.startswith("/") and target != path
        try:
            adapter.match(target, method="GET")
        except HTTPException as error:  # pragma: no cover - the message names the route
            raise AssertionError(f"{rule.rule} → {target} is no page: {error}") from None


def test_the_applicants_form_address_goes_back_to_the_application() -> None:
    from portal import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 40})
    response = app.test_client().get("/me/applications/7/form")
    assert response.status_code == 303 and response.headers["Location"] == "/me/applications/7"
