"""No GET route writes to the database (issue 18 item 2, issue 19; T-CSRF-02 without exceptions).

Every GET route of the url_map, as every role and with no login, on its own tenant's objects and on a
missing id, as a page and as an htmx fragment, while every statement the app's database connection runs
is recorded: not one INSERT, UPDATE or DELETE. The walk is made at moments where the old code wrote:
two minutes after login (the session row's "last seen" touch), with a notice whose period has just
ended (closed on access), a session past its idle limit (its row deleted on access), and as people
whose requests are refused (their access_denied audit row). Refusals and QR checks are still recorded:
the worker writes them from the queue, which the last test checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, CertificateLookup, StaffRole
from portal.services import notices
from tests.conftest import Clock, run_queued
from tests.security.conftest import Tenant
from tests.security.test_routes import build, call, fillings, missing, our_clients, routes

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE")


@contextmanager
def recording(session: Session) -> Iterator[list[str]]:
    """Every statement the connection behind the test (and every request's session) runs."""
    statements: list[str] = []
    connection = session.connection()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _writes(statements: list[str]) -> list[str]:
    return [
        s.split("(")[0].strip()[:80] for s in statements if s.lstrip().split(None, 1)[0].upper() in WRITES
    ]


def _due_notice(session: Session, tenant: Tenant, clock: Clock) -> None:
    """The tenant's draft notice, published, with its period just over: the old pages closed it."""
    notice = tenant.draft_notice
    notices.publish_notice(session, tenant.office.actor(StaffRole.LEADER), notice.id, clock.now)
    session.flush()
    while not notices.is_due(notice, clock.now):
        clock.advance(days=1)


def test_no_get_route_writes_as_any_role_page_or_fragment(
    app: Flask, session: Session, clock: Clock, tenants: tuple[Tenant, Tenant], clients: Any, queue: None
) -> None:
    ours, _ = tenants
    _due_notice(session, ours, clock)
    everyone = our_clients(app, ours, clients)
    idle = clients(ours)["enterprise_handler"]  # logged in like the others, but it will sit idle
    clock.advance(minutes=2)  # past the old once-a-minute "last seen" touch
    for client in everyone.values():
        call(client, "GET", "/inbox")  # each session was used recently
    clock.advance(minutes=2)
    assert notices.is_due(ours.draft_notice, clock.now)
    failures: list[str] = []
    requests = 0
    with recording(session) as statements:
        for rule, method in routes(app):
            if method != "GET":
                continue
            urls = [build(app, rule, method, values) for values in fillings(rule, ours)]
            if rule.arguments:
                urls.append(build(app, rule, method, missing(rule)))
            for url in urls:
                for role, client in everyone.items():
                    for htmx in (False, True):
                        before = len(statements)
                        response = call(client, method, url, htmx=htmx)
                        requests += 1
                        written = _writes(statements[before:])
                        if written:
                            failures.append(f"GET {url} as {role}{' (htmx)' if htmx else ''}: {written}")
                        if response.status_code >= 500:
                            failures.append(f"GET {url} as {role}: {response.status_code}")
        clock.advance(minutes=31)  # now the idle session has expired: the old loader deleted its row
        before = len(statements)
        assert call(idle, "GET", "/review/queue").status_code == 302
        if _writes(statements[before:]):
            failures.append(f"an expired session wrote: {_writes(statements[before:])}")
    assert failures == [], "\n".join(failures[:50])
    assert requests > 1500  # every GET route × 11 roles × page and fragment, with and without an object
    # The notice is still published: only the scheduled job closes it.
    session.refresh(ours.draft_notice)
    assert ours.draft_notice.status == "published"


def test_refusals_and_qr_checks_made_by_gets_are_recorded_by_the_worker(
    app: Flask, session: Session, clock: Clock, tenants: tuple[Tenant, Tenant], clients: Any, queue: None
) -> None:
    ours, _ = tenants
    applicant = clients(ours)["applicant_2"]  # the certified application's applicant
    refused = applicant.get("/review/queue", headers={"X-Request-Id": "refused-get-1"})
    assert refused.status_code == 403
    application = ours.certified
    code = application.certificate_code
    scan = app.test_client().get(f"/public/certificates/{application.certificate_no}/{code}")
    assert scan.status_code == 200 and "证书有效" in scan.text
    denied = select(AuditEvent).where(AuditEvent.request_id == "refused-get-1")
    lookups = select(CertificateLookup).where(CertificateLookup.application_id == application.id)
    assert session.scalars(denied).all() == [] and session.scalars(lookups).all() == []
    assert run_queued(app) == 2
    row = session.scalars(denied).one()
    assert (row.action, row.outcome, row.actor_id) == ("access_denied", "denied", application.applicant_id)
    assert row.detail["endpoint"] == "review.show_queue" and row.at == clock.now and row.chain_seq
    assert [lookup.via for lookup in session.scalars(lookups)] == ["qr"]
