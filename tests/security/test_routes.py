"""Route-enumerating checks that cannot go stale: they walk Flask's url_map, so a route is covered the day
it is added, and a route whose parameter they cannot fill fails the suite until the parameter is added to
TENANT_PARAMS (an object of some tenant) or SHARED_PARAMS (names nobody's object).

T-AC-01 cross-tenant matrix (404, never 403, indistinguishable from a missing id), T-HTMX-01 fragments
decide like pages, T-CSRF-01 CSRF on every mutation, T-CSRF-02 GET changes nothing, T-HDR-01 headers and
no-store on every authenticated response, T-SESS-02 a replayed cookie after logout opens nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from tests.conftest import Clock
from tests.factories import PASSWORD
from tests.security.conftest import Tenant, changed_tables, make_tenant, snapshot

Values = dict[str, Any]

# Route parameters that name one tenant's object: the values of a tenant to put in the URL.
TENANT_PARAMS: dict[str, Callable[[Tenant], list[Any]]] = {
    # the draft first: it holds the endorsed material
    "application_id": lambda t: [t.draft.id, t.application.id, t.certified.id],
    "notice_id": lambda t: [t.closed_notice.id, t.draft_notice.id],
    "org_id": lambda t: [t.office.org.id, t.world.department.org.id, t.world.bureau.org.id],
    "objection_id": lambda t: [t.objection.id],
    "membership_id": lambda t: [t.office.handler_membership.id, t.office.leader_membership.id],
    "stand_in_id": lambda t: [t.stand_in.id],
    "change_id": lambda t: [t.staff_change.id],
    "notification_id": lambda t: [t.notification.id],
    "user_id": lambda t: [user.id for user in t.applicants],
    "transfer_id": lambda t: [t.transfer.id],
    "batch_id": lambda t: [t.import_batch.id],
    "import_id": lambda t: [t.handoff_import.id],  # type: ignore[union-attr]
    "window_id": lambda t: [t.window.id],
    "material_id": lambda t: [t.material.id],
    "endorsement_id": lambda t: [t.endorsement.id],
    "job_id": lambda t: [t.package_job],  # a background job (a batch package): its creator's only
    "committee_id": lambda t: [t.committee.committee.id],
    "scope_id": lambda t: [t.committee.committee.scopes[0].id],
    "meeting_id": lambda t: [t.meeting.id],
    "file_id": lambda t: [t.certificate_import.file_id],  # a kept certificate sheet of that meeting
    "call_id": lambda t: [t.call.id],
    "expert_id": lambda t: [t.expert.id],
    "account_id": lambda t: [t.registration.id],  # a self-registered account no unit attached (ACC-04)
}
# Objects of the bureau's tree rather than of one enterprise (a committee and what it holds, an account
# registered with the bureau): a sibling enterprise shares them, so the sibling matrix leaves their routes
# to the cross-tenant one.
BUREAU_TREE_PARAMS = {
    "committee_id", "scope_id", "meeting_id", "file_id", "call_id", "expert_id", "account_id",
}  # fmt: skip
# Parameters that name no tenant's object: the public notice token is a capability for whoever holds the
# notice's link or QR code; days and years belong to the one working-day calendar everyone shares.
SHARED_PARAMS: dict[str, Callable[[Tenant], list[Any]]] = {
    "token": lambda t: [t.closed_notice.public_token],
    "day": lambda t: ["2026-10-01"],
    "year": lambda t: [2026],
    # A certificate number and its QR code: a public check that reveals nothing without the matching code.
    "number": lambda t: ["2026GZ00001"],
    "code": lambda t: ["0000000000"],
    "target": lambda t: ["js", "jx"],  # hand-off targets (issue 23): the same for everyone
    # A committee's published call (评审通知, 004 一(三)): public, like a notice on the wall.
    "published_call_id": lambda t: [t.published_call.id],
    # A bureau's public registration page (ACC-04): the same for everyone, 404 unless its profile allows it.
    "bureau_id": lambda t: [t.world.bureau.org.id],
}
# A body that gets each mutation past its own form checks to the object check (an empty form would be
# refused earlier and prove nothing about scoping).
FORMS: dict[str, dict[str, Any]] = {
    "review.act": {"action": "handler_approve", "reason": "同意"},
    "review.return_application": {
        "sections": "education",
        "reason_education": "请补充",
        "deadline": "2026-10-30",
    },
    "applicant.act": {"action": "submit"},
    "applicant.save_form": {"education": "本科", "school": "南昌大学", "major": "土木工程"},
    "notices.resolve_objection": {"decision": "dismissed", "handling": "经核实，反映不属实"},
    "admin.add_staff": {
        "name": "张三",
        "id_number": "360702199001011234",
        "phone": "13912345678",
        "role": "handler",
    },
    "admin.name_stand_in": {"substitute_id": "1", "starts_on": "2026-10-01", "ends_on": "2026-10-07"},
    "committees.cancel_meeting": {"cancel_reason": "与另一会议重复"},
    "enterprise.update_applicant_account": {"name": "周文博", "phone": "13970709944"},
    "committees.withdraw_filing": {"withdraw_reason": "会议日期填错"},
    "committees.deactivate_expert": {"deactivation_reason": "调离本专业"},
}
MISSING: Values = {"token": "0" * 43, "day": "2099-01-01", "year": 2099}
MISSING_ID = 987_654_321


def routes(app: Flask) -> list[tuple[Rule, str]]:
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        unknown = set(rule.arguments) - set(TENANT_PARAMS) - set(SHARED_PARAMS)
        if unknown:
            pytest.fail(
                f"{rule.rule} has parameter(s) {sorted(unknown)} the security suite cannot fill: add "
                "them to TENANT_PARAMS (with a factory-made object) or SHARED_PARAMS in this module"
            )
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule, method))
    return found


def is_object_route(rule: Rule) -> bool:
    return bool(set(rule.arguments) & set(TENANT_PARAMS))


def fillings(rule: Rule, tenant: Tenant) -> Iterator[Values]:
    """Every value of each parameter in turn (the others at their first value)."""
    table = {**TENANT_PARAMS, **SHARED_PARAMS}
    options = {name: table[name](tenant) for name in rule.arguments}
    first = {name: values[0] for name, values in options.items()}
    yield first
    for name, values in options.items():
        for value in values[1:]:
            yield {**first, name: value}


def missing(rule: Rule) -> Values:
    return {name: MISSING.get(name, MISSING_ID) for name in rule.arguments}


def build(app: Flask, rule: Rule, method: str, values: Values) -> str:
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=method)


def call(client: FlaskClient, method: str, url: str, *, htmx: bool = False, **kwargs: Any) -> TestResponse:
    headers = {"HX-Request": "true"} if htmx else {}
    headers.update(kwargs.pop("headers", {}))
    return client.open(url, method=method, headers=headers, **kwargs)


def form_for(rule: Rule, method: str) -> dict[str, Any]:
    return {} if method == "GET" else {"data": FORMS.get(rule.endpoint, {})}


def decision(response: TestResponse) -> str | int:
    """What the request came to: "login" (sent to log in, by redirect or HX-Redirect) or the status."""
    target = response.headers.get("HX-Redirect") or (
        response.headers.get("Location", "") if response.status_code in (301, 302, 303) else ""
    )
    if target.startswith("/login") or "://localhost/login" in target:
        return "login"
    return response.status_code


def reached(outcome: str | int) -> bool:
    return outcome != "login" and (isinstance(outcome, int) and (outcome < 400 or outcome in (409, 422)))


def our_clients(app: Flask, tenant: Tenant, clients: Any) -> dict[str, FlaskClient]:
    return {"anonymous": app.test_client(), **clients(tenant)}


def _matrix(
    app: Flask,
    session: Session,
    ours: dict[str, FlaskClient],
    theirs: Tenant,
    owners: Any,
    *,
    skip: set[str] = frozenset(),  # type: ignore[assignment]
    shard: tuple[int, int] = (0, 1),  # (this one, of how many): the routes taken are every n-th
) -> int:
    failures: list[str] = []
    requests = 0
    index, shards = shard
    for position, (rule, method) in enumerate(routes(app)):
        if position % shards != index or not is_object_route(rule) or set(rule.arguments) & skip:
            continue
        before = snapshot(session)
        absent = build(app, rule, method, missing(rule))
        form = form_for(rule, method)
        opened = False
        for values in fillings(rule, theirs):
            url = build(app, rule, method, values)
            for role, client in ours.items():
                page = decision(call(client, method, url, **form))
                fragment = decision(call(client, method, url, htmx=True, **form))
                baseline = decision(call(client, method, absent, **form))
                requests += 3
                if page not in ("login", 403, 404) or page != baseline or fragment != page:
                    failures.append(
                        f"{method} {url} as {role}: page {page}, fragment {fragment}, missing id {baseline}"
                    )
            if method == "GET":
                opened = opened or any(reached(decision(call(c, method, url))) for c in owners.values())
        if method == "GET" and not opened:
            failures.append(f"control: no role of the owning tenant could open {rule.rule}; fix the fixture")
        changed = changed_tables(before, snapshot(session))
        if changed:
            failures.append(f"{method} {rule.rule} on another tenant's objects changed {changed}")
    assert failures == [], "\n".join(failures)
    return requests


# The matrix is the suite's longest test (7 minutes on PostgreSQL in one piece): in shards, the test
# workers share it (each shard takes every SHARDS-th route; together they take every route).
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_role_reaches_another_tenants_objects(
    app: Flask, session: Session, tenants: tuple[Tenant, Tenant], clients: Any, shard: int
) -> None:
    """T-AC-01 + T-HTMX-01: every object route × every role (and no login) × the other tenant's objects."""
    ours, theirs = tenants
    requests = _matrix(
        app, session, our_clients(app, ours, clients), theirs, clients(theirs), shard=(shard, SHARDS)
    )
    assert requests >= 500 // SHARDS


def test_enterprise_staff_and_applicants_do_not_reach_a_sibling_enterprise(
    app: Flask, session: Session, tenants: tuple[Tenant, Tenant], clients: Any, clock: Clock, storage: Any
) -> None:
    """Same department and bureau, another employer: another tenant for its staff and applicants."""
    ours, _ = tenants
    sibling = make_tenant(session, clock, storage, world=ours.world, sibling=True)
    everyone = our_clients(app, ours, clients)
    ours_low = {k: v for k, v in everyone.items() if k.startswith(("enterprise_", "applicant_", "anon"))}
    sibling_owners = {
        k: v for k, v in clients(sibling).items() if k.startswith(("enterprise_", "applicant_"))
    }
    assert _matrix(app, session, ours_low, sibling, sibling_owners, skip=BUREAU_TREE_PARAMS) >= 100


TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


@pytest.fixture
def csrf_on(app: Flask) -> Iterator[None]:
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_every_mutation_needs_the_csrf_token(
    app: Flask, session: Session, tenants: tuple[Tenant, Tenant], csrf_on: None
) -> None:
    """T-CSRF-01: every non-GET route refuses no token and a wrong one, accepts it in the form or header."""
    ours, _ = tenants
    client = app.test_client()
    token = TOKEN.search(client.get("/login").text)
    assert token is not None
    refused = "CSRF 校验失败"
    failures = []
    mutations = [(r, m) for r, m in routes(app) if m not in ("GET", "HEAD", "OPTIONS")]
    for rule, method in mutations:
        url = build(app, rule, method, next(fillings(rule, ours)))
        for label, kwargs in (
            ("no token", {"data": {}}),
            ("wrong token", {"data": {"csrf_token": "forged"}}),
            ("wrong header", {"headers": {"X-CSRFToken": "forged"}}),
        ):
            response = call(client, method, url, **kwargs)
            if response.status_code != 400 or refused not in response.text:
                failures.append(f"{method} {url} with {label}: {response.status_code}")
        for label, kwargs in (
            ("form token", {"data": {"csrf_token": token.group(1)}}),
            ("header token", {"headers": {"X-CSRFToken": token.group(1)}}),
        ):
            response = call(client, method, url, **kwargs)
            if refused in response.text:
                failures.append(f"{method} {url} with {label} was refused")
    assert failures == [] and len(mutations) >= 20, "\n".join(failures)


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": None,  # same-origin, or no-referrer on the public notice (its token is its key)
    "Content-Security-Policy": None,
}


def test_get_changes_nothing_and_every_response_carries_the_headers(
    app: Flask, session: Session, tenants: tuple[Tenant, Tenant], clients: Any
) -> None:
    """T-CSRF-02 and T-HDR-01: every GET route as every role on its own objects, page and fragment."""
    ours, _ = tenants
    everyone = our_clients(app, ours, clients)
    failures = []
    for rule, method in routes(app):
        if method != "GET":
            continue
        before = snapshot(session)
        for values in fillings(rule, ours):
            url = build(app, rule, method, values)
            for role, client in everyone.items():
                for htmx in (False, True):
                    response = call(client, method, url, htmx=htmx)
                    where = f"GET {url} as {role}{' (htmx)' if htmx else ''}"
                    csp = response.headers.get("Content-Security-Policy", "")
                    if "unsafe-" in csp or "frame-ancestors 'none'" not in csp:
                        failures.append(f"{where}: CSP {csp!r}")
                    if response.headers.get("X-Content-Type-Options") != "nosniff":
                        failures.append(f"{where}: no nosniff")
                    if response.headers.get("Referrer-Policy") not in ("same-origin", "no-referrer"):
                        failures.append(f"{where}: Referrer-Policy")
                    if role != "anonymous" and response.headers.get("Cache-Control") != "no-store":
                        failures.append(f"{where}: Cache-Control {response.headers.get('Cache-Control')}")
                    if response.mimetype == "text/html" and "HX-Request" not in response.headers.get(
                        "Vary", ""
                    ):
                        failures.append(f"{where}: no Vary: HX-Request")
                    if response.status_code >= 500:
                        failures.append(f"{where}: {response.status_code}")
        changed = changed_tables(before, snapshot(session))
        if changed:
            failures.append(f"GET {rule.rule} changed {changed}")
    assert failures == [], "\n".join(failures)


def test_a_cookie_replayed_after_logout_opens_no_route(
    app: Flask, session: Session, tenants: tuple[Tenant, Tenant]
) -> None:
    """T-SESS-02: copy the cookie, log out, replay it on every route: it decides like no login at all."""
    ours, _ = tenants
    browser = app.test_client()
    user = ours.world.enterprise.handler
    assert browser.post("/login", data={"login": user.phone, "password": PASSWORD}).status_code == 303
    cookie = browser.get_cookie("portal_session")
    assert cookie is not None
    assert browser.get("/review/queue").status_code == 200
    assert browser.post("/logout").status_code == 303
    replay, anonymous = app.test_client(), app.test_client()
    replay.set_cookie("portal_session", cookie.value)
    failures = []
    for rule, method in routes(app):
        if rule.endpoint in ("auth.login", "auth.logout"):
            continue
        url = build(app, rule, method, next(fillings(rule, ours)))
        got, expected = decision(call(replay, method, url)), decision(call(anonymous, method, url))
        if got != expected:
            failures.append(f"{method} {url}: replayed cookie {got}, no login {expected}")
    assert failures == [], "\n".join(failures)
